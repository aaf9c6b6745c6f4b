package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;

/**
 * The forum's exact answer: N·m one-hot cotangents (an identity of size N·m) in one batched VJP, giving the full
 * (N·m)×(N·n) Jacobian, then its diagonal blocks. Memory O(N²·m·n): refuses when the prediction exceeds the budget.
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(y, x).perSample(Strategies.fullBatched());
 * }</pre>
 */
public record FullBatched() implements Strategy {
    @Override public String name() { return "fullBatched"; }

    @Override public String refusal(Problem p) {
        long need = cost(p).peakBytes();
        if (need <= p.budgetBytes()) return null;
        return "fullBatched needs about " + Bytes.format(need) + " (N·m = " + p.samples() * p.outputWidth()
                + " cotangents at once, full Jacobian of " + Bytes.format(fullBytes(p)) + ") but the budget is " + Bytes.format(p.budgetBytes());
    }

    @Override public String createGraphRefusal(Problem p) { return null; }

    static long fullBytes(Problem p) {
        double b = (double) p.samples() * p.samples() * p.outputWidth() * p.inputWidth() * p.bytesPerElement();
        return b > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) b;
    }

    @Override public Cost cost(Problem p) {
        long v = p.samples() * p.outputWidth();
        double peak = (double) v * Cost.perVectorBytes(p) + 2.0 * fullBytes(p);
        return Cost.reverse(1, v, peak > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) peak, "N·m VJPs in one batch");
    }

    @Override public Tensor run(Problem p) {
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth();
        try (Progress task = Progress.start(name(), 1, "batched VJPs")) {                  // one sweep: shows its time so far
            Tensor seeds = Tensor.eye(N * m).cast(p.y.dtype()).reshape(N * m, N, m);
            Tensor g = p.toSampleMajor(Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.yCotangents(seeds)},
                    new Autograd.Options(true, p.createGraph()))[0]);                       // (N·m, N, n)
            task.step();
            return g.reshape(N, m, N, n).permute(1, 3, 0, 2).diagonal().permute(2, 0, 1);
        }
    }
}
