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

    /**
     * A prediction: time on {@code workers} workers (compute and per-op parts, the per-call seconds in the latter), the
     * strategy's peak bytes (what the budget limits), the model's resident bytes (inputs, parameters and recorded
     * tape, there before the strategy runs), the work, or why it cannot run.
     */
    public record Prediction(String strategy, long samples, int workers, double seconds, double computeSeconds, double overheadSeconds,
                             double peakBytes, double residentBytes, Work work, String refusal) {
        public boolean fits(long budget) { return refusal == null && peakBytes <= budget; }

        /** The process's peak above what it held before the model was built: the resident tape plus the strategy's peak. */
        public double totalPeakBytes() { return residentBytes + peakBytes; }
    }

    /**
     * Bytes the recorded model holds while a strategy runs: every tensor of the tape from its leaves (inputs and
     * parameters) to y, views (ops that write nothing) not counted twice. Works on a traced tape (shapes only).
     */
    public static double residentBytes(Problem p) {
        double bytes = 0;
        java.util.Set<Tensor> seen = dev.jaclab.tensor.IdentitySets.of();
        java.util.ArrayDeque<Tensor> todo = new java.util.ArrayDeque<>(java.util.List.of(p.y()));
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            if (!seen.add(t)) continue;
            var n = t.node();
            if (n != null) for (Tensor in : n.inputs()) if (in != null) todo.push(in);
            if (n != null) {
                long[][] in = new long[n.inputs().length][];
                for (int i = 0; i < in.length; i++) in[i] = n.inputs()[i].shape();
                Work w = n.primitive().work(in, t.shape(), 0);
                if (w != null && w.bytesWritten() == 0 && w.elementwise() + w.transcendental() + w.gemmFlops() == 0) continue;   // a view
            }
            bytes += (double) t.numel() * t.dtype().bytes();
        }
        return bytes;
    }

    /**
     * Scale factors on the compute part (work / rate) and the per-op part of a strategy's predicted time, and its fixed
     * cost per call (the seconds a call costs beyond its ops: the entry checks, planning the sweeps, assembling the
     * result, and the JVM's own threads while it runs), fitted to its measured times at small N ({@link #fit});
     * {@link #NONE} leaves the rates' prediction as is.
     */
    public record Calibration(double compute, double overhead, double perCall, int points) {
        public static final Calibration NONE = new Calibration(1, 1, 0, 0);

        public double seconds(double computeSeconds, double overheadSeconds) { return compute * computeSeconds + overhead * overheadSeconds + perCall; }

        /**
         * The factor b and the per-call seconds γ ≥ 0 that best match {@code measured[i]} ≈ compute[i] + b·overhead[i] + γ
         * (b within ×1/20 … ×20), by least squares on relative error; where the sizes cannot tell γ from b (the same ops
         * at every size) b stays 1 and γ takes the rest. The compute factor stays 1: the rates measure each kind of work on large ops, which is
         * what dominates at a large N, while small sizes run small, less efficient ops whose excess looks like compute
         * but does not carry over; what does carry over is the per-op cost, which varies with the ops a strategy runs,
         * and the fixed cost of a call, which small problems measure best.
         */
        public static Calibration fit(double[] compute, double[] overhead, double[] measured) {
            int k = 0;
            double saa = 0, sab = 0, sbb = 0, sar = 0, sbr = 0;
            for (int i = 0; i < measured.length; i++) {
                double t = measured[i];
                if (!(t > 0) || !(compute[i] + overhead[i] > 0)) continue;
                double a = overhead[i] / t, b = 1 / t, r = 1 - compute[i] / t;   // relative residual: a·β + b·γ − r
                saa += a * a; sab += a * b; sbb += b * b; sar += a * r; sbr += b * r;
                k++;
            }
            if (k == 0) return NONE;
            double det = saa * sbb - sab * sab;
            if (k >= 2 && det > 1e-9 * saa * sbb) {
                double beta = (sar * sbb - sab * sbr) / det, gamma = (saa * sbr - sab * sar) / det;
                if (gamma >= 0 && beta == clamp(beta)) return new Calibration(1, beta, gamma, k);
                if (gamma >= 0) {                                              // b at its bound: γ for that b
                    beta = clamp(beta);
                    return new Calibration(1, beta, Math.max(0, (sbr - beta * sab) / sbb), k);
                }
            }
            if (!(det > 1e-9 * saa * sbb)) {                                   // the same ops at every size: the rates' per-op cost, the rest per call
                double gamma = (sbr - sab) / sbb;
                if (gamma >= 0) return new Calibration(1, 1, gamma, k);
            }
            return new Calibration(1, saa > 0 ? clamp(sar / saa) : 1, 0, k);
        }

        private static double clamp(double f) { return Math.max(0.05, Math.min(20, f)); }
    }

    /** The model's tape at N with shapes only (nothing computed or allocated), as the Jacobian problem it poses. */
    public static Problem trace(Model m, long n, long seed, long budget) {
        try (ShapeTrace t = ShapeTrace.open()) {
            return m.jacobian(m.inputs(n, seed)).budget(budget).parallelism(1).problem();
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
        double cs = c.compute * compute / parallel, os = c.overhead * overhead / parallel + c.perCall;
        return new Prediction(s.name(), p.samples(), parallel, cs + os, cs, os, peak, residentBytes(p), w, refusal);
    }

    /** Whether the strategy runs its chunks on {@code Jacobian.parallelism} workers. */
    static boolean chunkParallel(Strategy s) { return s instanceof SparseRows || s instanceof MeetInMiddle; }
}
