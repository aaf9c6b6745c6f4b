package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;

/**
 * The last resort of the forum thread: one unbatched VJP per output scalar (N·m of them), keeping row i of each
 * input gradient. Exact for any model; slow; the reference the other strategies are tested against.
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(y, x).perSample(Strategies.perElement());
 * }</pre>
 */
public record PerElement() implements Strategy {
    @Override public String name() { return "perElement"; }

    @Override public String refusal(Problem p) { return null; }

    /** N·m single VJPs, each with its one-hot seed built on the Java side. */
    @Override public dev.jaclab.tensor.Work work(Problem p) {
        long v = p.samples() * p.outputWidth();
        return SweepWork.reverseOne(p).plus(OneHot.rowsWork(1, p.samples(), p.outputWidth())).times(v);
    }

    @Override public Cost cost(Problem p) {
        long v = p.samples() * p.outputWidth();
        return Cost.reverse(v, v, Cost.perVectorBytes(p) + Cost.blockBytes(p), "N·m single VJPs");
    }

    @Override public String createGraphRefusal(Problem p) { return null; }

    @Override public Tensor run(Problem p) {
        if (p.createGraph()) return recorded(p);
        int N = Math.toIntExact(p.samples()), m = Math.toIntExact(p.outputWidth()), n = Math.toIntExact(p.inputWidth());
        double[] blocks = new double[N * m * n];
        double[] seed = new double[N * m];
        try (Progress task = Progress.start(name(), (long) N * m, "VJPs")) {
            for (int i = 0; i < N; i++)
                for (int k = 0; k < m; k++) {
                    seed[i * m + k] = 1;
                    Tensor cot = Tensor.fromArray(seed, 1, N, m).cast(p.y.dtype());
                    seed[i * m + k] = 0;
                    Tensor g = Autograd.vjp(p.y, p.x, p.yCotangents(cot).squeeze(0), false);
                    double[] row = p.toSampleMajor(g.unsqueeze(0)).select(0, 0).select(0, i).toDoubleArray();
                    System.arraycopy(row, 0, blocks, (i * m + k) * n, n);
                    task.step();
                }
        }
        return Tensor.fromArray(blocks, N, m, n).cast(p.x.dtype());
    }

    /** The same VJPs recorded (createGraph), each block row kept as a tensor on the tape. */
    private static Tensor recorded(Problem p) {
        int N = Math.toIntExact(p.samples()), m = Math.toIntExact(p.outputWidth());
        Tensor[] rows = new Tensor[N * m];
        try (Progress task = Progress.start("perElement", (long) N * m, "VJPs")) {
            for (int i = 0; i < N; i++)
                for (int k = 0; k < m; k++) {
                    Tensor cot = OneHot.rows((long) i * m + k, 1, N, m, p.y.dtype());
                    Tensor g = Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.yCotangents(cot).squeeze(0)},
                            new Autograd.Options(false, true))[0];
                    rows[i * m + k] = p.toSampleMajor(g.unsqueeze(0)).select(0, 0).select(0, i);
                    task.step();
                }
        }
        return Tensor.stack(0, rows).reshape(N, m, p.inputWidth());
    }
}
