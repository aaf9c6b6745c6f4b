package dev.jaclab.explore;

import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.MeetInMiddle;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.SparseRows;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.tensor.ShapeTrace;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;

/**
 * What a strategy will cost on a model at any N, without running it there: the model is traced at N with shapes only
 * ({@link ShapeTrace}), the strategy states the {@link Work} of the sweeps it runs on that tape and its peak bytes
 * ({@code Strategy.cost}), and the machine's {@link Rates} turn work into seconds — optionally scaled by a
 * {@link Calibration} fitted to runs at small N. Chunk-parallel strategies (sparseRows, meetInMiddle) divide their
 * time among P workers, each holding its own chunk buffers.
 *
 * <pre>{@code
 * CostModel.Prediction p = CostModel.predict(Models.attention(7, 3, 16), Strategies.sparseRows(64), 1_000_000, 2);
 * p.seconds();     // on 2 workers, this machine's rates
 * p.peakBytes();   // blocks plus 2 workers' chunk buffers
 * }</pre>
 */
public final class CostModel {
    private CostModel() {}

    /** A prediction: time on {@code workers} workers (compute and per-op parts), peak bytes, the work, or why it cannot run. */
    public record Prediction(String strategy, long samples, int workers, double seconds, double computeSeconds, double overheadSeconds,
                             double peakBytes, Work work, String refusal) {
        public boolean fits(long budget) { return refusal == null && peakBytes <= budget; }
    }

    /**
     * Scale factors on the compute part (work / rate) and the per-op part of a strategy's predicted time, fitted to its
     * measured times at small N ({@link #fit}); {@link #NONE} leaves the rates' prediction as is.
     */
    public record Calibration(double compute, double overhead, int points) {
        public static final Calibration NONE = new Calibration(1, 1, 0);

        public double seconds(double computeSeconds, double overheadSeconds) { return compute * computeSeconds + overhead * overheadSeconds; }

        /**
         * The factors that best match {@code measured[i]} ≈ compute[i] + b·overhead[i], b ≥ 0 (within ×1/20 … ×20),
         * by least squares on relative error. The compute factor stays 1: the rates measure each kind of work on large
         * ops, which is what dominates at a large N, while small sizes run small, less efficient ops whose excess looks
         * like compute but does not carry over; what does carry over is the per-op cost, which varies with the ops a
         * strategy runs.
         */
        public static Calibration fit(double[] compute, double[] overhead, double[] measured) {
            int k = 0;
            double num = 0, den = 0;
            for (int i = 0; i < measured.length; i++) {
                double t = measured[i];
                if (!(t > 0) || !(compute[i] + overhead[i] > 0)) continue;
                double b = overhead[i] / t;                                     // relative residual: (c + β·o)/t − 1
                num += b * (1 - compute[i] / t);
                den += b * b;
                k++;
            }
            if (k == 0) return NONE;
            return new Calibration(1, den > 0 ? clamp(num / den) : 1, k);
        }

        private static double clamp(double f) { return Math.max(0.05, Math.min(20, f)); }
    }

    /** The model's tape at N with shapes only (nothing computed or allocated), as the Jacobian problem it poses. */
    public static Problem trace(Model m, long n, long seed, long budget) {
        try (ShapeTrace t = ShapeTrace.open()) {
            Tensor[] in = m.inputs(n, seed);
            in[m.inputIndex()].requiresGrad();
            Tensor[] out = m.forward(in);
            return Jacobian.of(out[m.outputIndex()], in[m.inputIndex()]).budget(budget).parallelism(1).problem();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot trace " + m.name() + " at N = " + n + " with shapes only: its code reads values ("
                    + e + "); predictions need a model whose forward only calls tensor ops", e);
        }
    }

    /** A strategy on a model at N with P workers, this machine's rates, no calibration, the default budget. */
    public static Prediction predict(Model m, Strategy s, long n, int workers) {
        return predict(trace(m, n, 0, Jacobian.defaultBudget()), s, workers, Rates.current(), Calibration.NONE);
    }

    /** A strategy on a (traced or computed) problem with P workers. */
    public static Prediction predict(Problem p, Strategy s, int workers, Rates r, Calibration c) {
        String refusal = s.refusal(p);
        var cost = s.cost(p);
        Work w = s.work(p);
        double overhead = w.ops() * r.secondsPerOp(), compute = r.seconds(w) - overhead;
        int parallel = chunkParallel(s) ? (int) Math.max(1, Math.min(workers, cost.reverseSweeps() + cost.forwardSweeps())) : 1;
        double blocks = (double) p.samples() * p.outputWidth() * p.inputWidth() * p.bytesPerElement();
        double peak = parallel == 1 ? cost.peakBytes() : blocks + parallel * Math.max(0, cost.peakBytes() - blocks);
        double cs = c.compute * compute / parallel, os = c.overhead * overhead / parallel;
        return new Prediction(s.name(), p.samples(), parallel, cs + os, cs, os, peak, w, refusal);
    }

    /** Whether the strategy runs its chunks on {@code Jacobian.parallelism} workers. */
    static boolean chunkParallel(Strategy s) { return s instanceof SparseRows || s instanceof MeetInMiddle; }
}
