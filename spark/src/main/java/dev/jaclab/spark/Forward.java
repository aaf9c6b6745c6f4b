package dev.jaclab.spark;

import dev.jaclab.explore.AttentionLayers;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.RowRangeForward;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.tensor.Tensor;

/**
 * One executor's recorded tape: the model rebuilt from its {@link ModelSpec} on the whole broadcast batch once per
 * executor JVM and job, and the Jacobian problem on that tape. Every partition the executor runs takes its rows from
 * it, one partition at a time (the partition itself runs on {@code threads} workers).
 *
 * <p>With a gathered state (the cluster's distributed forward, {@link DistributedForward}) the tape is recorded from it
 * in O(N·d²): no executor computes the O(N²) attention forward. Without one, each executor computes the model's whole
 * forward (for attention O(N²) work) itself.
 */
final class Forward {
    private static Forward current;

    final String job;
    final Jacobian jacobian;
    final long outputWidth, inputWidth;
    final double seconds;
    private final java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();

    private Forward(String job, Jacobian jacobian, long m, long n, double seconds) {
        this.job = job;
        this.jacobian = jacobian;
        this.outputWidth = m;
        this.inputWidth = n;
        this.seconds = seconds;
    }

    /**
     * This JVM's tape for a job (recorded on first use; the previous job's is dropped): from the gathered {@code state}
     * when there is one, else by the model's whole forward.
     */
    static synchronized Forward of(String job, ModelSpec spec, Inputs inputs, Inputs state, int threads) {
        if (current != null && current.job.equals(job)) return current;
        current = null;
        long t0 = System.nanoTime();
        Model model = spec.model();
        Tensor[] in = inputs.tensors();
        Tensor x = in[model.inputIndex()].requiresGrad();
        Tensor y;
        if (state != null) {
            AttentionLayers m = DistributedForward.layers(spec);
            y = RowRangeForward.tape(m, x, DistributedForward.unpack(m, state));
        } else y = model.forward(in)[model.outputIndex()];
        if (y.rank() != 2 || x.rank() != 2)
            throw new IllegalArgumentException("SparkJacobian: " + spec.describe() + " maps x " + java.util.Arrays.toString(x.shape()) + " to y "
                    + java.util.Arrays.toString(y.shape()) + "; blocks travel as (rows, m, n): x and y must be (N, n) and (N, m)");
        Jacobian j = Jacobian.of(y, x).parallelism(Math.max(1, threads));
        current = new Forward(job, j, y.size(1), x.size(1), (System.nanoTime() - t0) / 1e9);
        return current;
    }

    /** The forward's seconds to the first task that asks, 0 to the others (so the driver sums one per executor). */
    double claimSeconds() { return reported.compareAndSet(false, true) ? seconds : 0; }

    /** Drops the cached forward (the driver calls it after a local job, whose executor is its own JVM). */
    static synchronized void clear() { current = null; }

    /** Blocks of samples [from, to) as row-major values (rows, m, n). */
    synchronized double[] rows(String strategy, long from, long to) {
        return jacobian.perSampleRows(strategy(strategy), from, to).toDoubleArray();
    }

    /** Strategies whose work splits by sample rows (any chunk size: "sparseRows(64)"). */
    static final String NAMES = "sparseRows(C), meetInMiddle(C)";

    /** A strategy by its registry name ({@link Strategies#byName}), if its work splits by sample rows. */
    static Strategy strategy(String name) {
        Strategy s;
        try {
            s = Strategies.byName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown strategy '" + name + "' for a distributed run (strategies whose work splits by sample rows: " + NAMES + ")");
        }
        if (!(s instanceof dev.jaclab.jacobian.SparseRows) && !(s instanceof dev.jaclab.jacobian.MeetInMiddle))
            throw new IllegalArgumentException(s.name() + " computes all blocks at once; a distributed run needs a strategy whose work splits by sample rows: " + NAMES);
        return s;
    }
}
