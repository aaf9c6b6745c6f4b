package dev.jaclab.explore;

import dev.jaclab.jacobian.MeetInMiddle;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.SparseRows;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.tensor.IdentitySets;
import dev.jaclab.tensor.Node;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;

/**
 * What a strategy will cost on a Spark cluster of K executors of one thread each, from the same cost model as the
 * one-machine plan ({@link CostModel}, this machine's {@link Rates}), following what the {@code spark} module does
 * ({@code SparkJacobian}):
 *
 * <pre>
 *   T(N, K) = (F + B) / K  +  T_tape + S · stages
 * </pre>
 *
 * <ul>
 *   <li>F — the forward by ranges of query rows ({@code DistributedForward}, models made of {@link AttentionLayers}):
 *   the tape's work at N, plus each layer's softmax row statistics below the last layer (a second pass of its scores,
 *   {@link RowRangeForward#needsStatistics}); O(N²), split over the executors.</li>
 *   <li>B — the blocks: the strategy's predicted one-thread time ({@link CostModel#predict}, calibrated); O(N²) for
 *   attention, split by sample rows over the executors.</li>
 *   <li>T_tape — each executor records the whole tape from the gathered state ({@link RowRangeForward#tape}): the
 *   per-sample parts' work at N (O(N·d²)) and three rows of each attention recomputed as a check; every executor does
 *   it, so it does not shrink with K.</li>
 *   <li>S · stages — each Spark stage's cost beyond its tasks (scheduling, gathering its O(N·d) rows on the driver,
 *   broadcasting what the next stage needs): L + 1 forward stages for L attention layers and the blocks' stage.</li>
 * </ul>
 *
 * A model that is not made of attention layers keeps one whole forward per executor: F is then 0 and T_tape is the
 * whole forward's work (O(N²) for a coupled model, not split). Only strategies whose work splits by sample rows run on
 * the cluster (sparseRows, meetInMiddle); for others the prediction says why not. The cluster's start (the Spark
 * context and its executors' JVMs) is left out: it does not depend on N.
 *
 * <pre>{@code
 * Model m = Models.attention(7, 3, 16);
 * Problem far = CostModel.trace(m, 1_000_000, 0, Bytes.gib(8));
 * ClusterCost.Prediction p = ClusterCost.predict(m, far, Strategies.sparseRows(256), 16, Rates.current(), CostModel.Calibration.NONE);
 * p.seconds();             // (F + B) / 16 + tape + stages
 * p.splitSeconds();        // (F + B) / 16
 * }</pre>
 */
public final class ClusterCost {
    private ClusterCost() {}

    /**
     * Seconds one Spark stage costs beyond its tasks' own work (scheduling its tasks, shipping them and their results,
     * gathering its O(N·d) rows on the driver, broadcasting what the next stage needs), per stage, with 32 partitions:
     * measured by {@code bench/spark-bench.sh} on the localhost standalone cluster (one attention layer, 1-core workers)
     * as the job's wall time once the executors registered, less its tasks' wall seconds per executor, the tape and the
     * blocks, over its 3 stages: 1.31–1.32 s on one executor and 1.69–1.73 s on two at N = 16384 and 32768
     * (2026-12-01 06:23–06:27 UTC, load average 1.3–2.9 on 2 cores; 2.75–4.2 s per stage in runs beside compiles, load
     * 3.5–5). At N = 16384 a stage gathers about 1 MB; at N = 10^6 each also moves about 0.2 GB per layer, which this
     * constant does not scale.
     */
    public static final double STAGE_SECONDS = 1.5;

    /** Strategies the cluster runs (their work splits by sample rows). */
    public static final String SPLITS = "sparseRows(C) and meetInMiddle(C)";

    /**
     * A prediction on K executors: {@code forwardSeconds} (F) and {@code blockSeconds} (B) on one thread, both split;
     * {@code tapeSeconds} each executor's own tape; {@code stages} and {@code stageSeconds} (S · stages) the stages'
     * overhead; {@code forwardByRows} whether the forward is computed by ranges of rows; {@code refusal} why the
     * cluster does not run the strategy (then the times are NaN).
     */
    public record Prediction(String strategy, long samples, int executors, double forwardSeconds, double blockSeconds, double tapeSeconds,
                             int stages, double stageSeconds, boolean forwardByRows, String refusal) {
        /** The O(N²) parts divided among the executors: (F + B) / K. */
        public double splitSeconds() { return (forwardSeconds + blockSeconds) / executors; }

        /** What every executor pays whatever K: its tape and the stages' overhead. */
        public double perExecutorSeconds() { return tapeSeconds + stageSeconds; }

        /** The predicted wall time of the job on K executors (start-up left out). */
        public double seconds() { return splitSeconds() + perExecutorSeconds(); }

        public boolean runs() { return refusal == null; }

        /** "26 min on 16 executors (Spark, 1 thread each)", or why the cluster does not run it. */
        public String brief() {
            return runs() ? Units.seconds(seconds()) + " on " + executors + " executor" + (executors == 1 ? "" : "s") + " (Spark, 1 thread each)"
                    : refusal;
        }

        /** Where the time goes, in one line. */
        public String breakdown() {
            if (!runs()) return refusal;
            return String.format(java.util.Locale.ROOT, "%s: (forward %s + blocks %s) / %d, plus per executor its tape %s and %d stages × %s",
                    brief(), Units.seconds(forwardSeconds), Units.seconds(blockSeconds), executors, Units.seconds(tapeSeconds), stages,
                    Units.seconds(stages == 0 ? 0 : stageSeconds / stages));
        }
    }

    /** On K executors with {@link #STAGE_SECONDS} per stage. */
    public static Prediction predict(Model m, Problem target, Strategy s, int executors, Rates r, CostModel.Calibration c) {
        return predict(m, target, s, executors, r, c, STAGE_SECONDS);
    }

    /**
     * On K executors of one thread each: {@code target} the model's problem at N (traced with shapes only, or
     * recorded), {@code c} the strategy's calibration, {@code stageSeconds} each stage's overhead.
     */
    public static Prediction predict(Model m, Problem target, Strategy s, int executors, Rates r, CostModel.Calibration c, double stageSeconds) {
        if (executors < 1) throw new IllegalArgumentException("cluster prediction: executors must be >= 1, got " + executors);
        boolean byRows = m instanceof AttentionLayers;
        if (!splitsByRows(s))
            return new Prediction(s.name(), target.samples(), executors, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, byRows,
                    "the cluster does not run " + s.name() + ": it splits only " + SPLITS + " by sample rows");
        Parts f = parts(target);
        double blocks = CostModel.predict(target, s, 1, r, c).seconds();
        int stages = byRows ? f.layers + 2 : 1;
        double forward = byRows ? r.seconds(f.all.plus(f.statistics)) : 0;
        double tape = r.seconds(byRows ? f.perSample.plus(f.checks) : f.all);
        return new Prediction(s.name(), target.samples(), executors, forward, blocks, tape, stages, stages * stageSeconds, byRows, null);
    }

    /** Whether the spark module runs the strategy (its work splits by sample rows). */
    public static boolean splitsByRows(Strategy s) { return s instanceof SparseRows || s instanceof MeetInMiddle; }

    /**
     * The tape's work by part: every node ({@code all}); the nodes that do not mix samples ({@code perSample}); the
     * softmax row statistics of every mixing op but the last ({@code statistics}); three rows of each mixing op
     * recomputed ({@code checks}); the number of mixing ops ({@code layers}).
     */
    record Parts(Work all, Work perSample, Work statistics, Work checks, int layers) {}

    static Parts parts(Problem p) {
        List<Node> mixing = p.structure().mixingOps();
        Set<Node> mixes = IdentitySets.of();
        mixes.addAll(mixing);
        Work all = Work.NONE, local = Work.NONE, checks = Work.NONE;
        Set<Tensor> seen = IdentitySets.of();
        ArrayDeque<Tensor> todo = new ArrayDeque<>(List.of(p.y()));
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            Node n = t.node();
            if (!seen.add(t) || n == null) continue;
            long[][] in = new long[n.inputs().length][];
            for (int i = 0; i < in.length; i++) {
                if (n.inputs()[i] != null) todo.push(n.inputs()[i]);
                in[i] = n.inputs()[i] == null ? new long[0] : n.inputs()[i].shape();
            }
            Work w = inBytes(n.primitive().work(in, t.shape(), 0), t);
            if (w == null) continue;
            all = all.plus(w);
            if (!mixes.contains(n)) local = local.plus(w);
            else checks = checks.plus(w.scaled(3.0 / Math.max(3, rows(t)), 3 / Math.max(1, w.ops())));   // 3 rows, 3 calls
        }
        Work stats = Work.NONE;
        for (int i = 0; i + 1 < mixing.size(); i++) stats = stats.plus(statistics(mixing.get(i)));
        return new Parts(all, local, stats, checks, mixing.size());
    }

    /** A primitive's stated work (elements read and written) in bytes of its output's dtype, as {@code WorkMeter} counts it. */
    private static Work inBytes(Work w, Tensor out) {
        if (w == null) return null;
        double b = out.dtype().bytes(), written = w.bytesWritten() * b;
        boolean large = (double) out.numel() * b >= Work.LARGE_ARRAY_BYTES;            // a large fresh output (Work#largeWrites)
        return new Work(w.gemmFlops(), w.elementwise(), w.transcendental(), w.bytesRead() * b, written, w.ops(), w.strided(),
                large ? written : w.largeWrites() * b);
    }

    private static long rows(Tensor t) { return t.rank() == 0 ? 1 : t.size(0); }

    /**
     * The softmax row statistics of an attention op (q (N, d), k (M, d)), as {@code AttentionTangents.rowLogSumExp}
     * computes them by blocks of 2^22 / M query rows: the scores (2·N·M·d flops), their max, subtraction and sum
     * (3·N·M), one exp each, a fresh block of scores per block; eight calls per block.
     */
    static Work statistics(Node attention) {
        long[] q = attention.inputs()[0].shape(), k = attention.inputs()[1].shape();
        double n = q[q.length - 2], m = k[k.length - 2], d = q[q.length - 1], bytes = attention.output().dtype().bytes();
        double blockRows = Math.max(1, Math.min(n, Math.floor((double) (1L << 22) / m))), blocks = Math.ceil(n / blockRows);
        return new Work(2 * n * m * d, 3 * n * m, n * m, (n + m) * d * bytes + n * m * bytes, n * m * bytes + n * bytes, 8 * blocks);
    }
}
