package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.tensor.ContextSweep;
import dev.jaclab.tensor.Tensor;

/**
 * Exact per-sample blocks for samples coupled only through small shared contexts (a batch mean subtracted or added
 * back, batch-norm statistics: sums over the samples broadcast back into the rows) at about the cost of the sum
 * trick: n JVPs batched over the whole batch, with each context's own-row derivative dc/dx_i carried beside them
 * ({@link ContextSweep}). Where the sum trick adds every sample's pull on the context into every row's block, this
 * keeps only sample i's own.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(1, 65536, 3).requiresGrad();
 * Tensor h = x.matmul(w1), c = h.sub(h.mean(new int[]{0}, true));
 * Tensor y = c.div(c.mul(c).mean(new int[]{0}, true).add(1e-5).sqrt()).tanh();      // batch norm
 * Tensor J = Jacobian.of(y, x).perSample(Strategies.contextForward());               // exact, (65536, 16, 3)
 * }</pre>
 */
public record ContextForward() implements Strategy {
    @Override public String name() { return "contextForward"; }

    @Override public String refusal(Problem p) {
        if (p.axis() != 0) return "contextForward works on batch axis 0";
        String why = ContextSweep.refusal(p.y, p.x);
        if (why != null) return why;
        long need = cost(p).peakBytes();
        return need <= p.budgetBytes() ? null : name() + " needs about " + Bytes.format(need) + "; budget " + Bytes.format(p.budgetBytes());
    }

    @Override public Cost cost(Problem p) {
        long n = p.inputWidth(), spread = ContextSweep.refusal(p.y, p.x) == null ? ContextSweep.spreadDirections(p.y, p.x) : 0;
        boolean contexts = !p.structure().independent();
        long vectors = (contexts ? 2 * n : n) + spread;
        long peak = (2 * n + spread) * Cost.perVectorBytes(p) + Cost.blockBytes(p);
        return Cost.forward(1, vectors, peak, "n JVPs over the batch" + (contexts ? ", their direct parts and " + spread + " context tangents" : ""));
    }

    /**
     * Its own sweep's work, not a generic forward count: the one call traced with shapes only — the n seed directions,
     * each context's direct part and its spread tangents through {@link ContextSweep}, and the blocks' layout.
     */
    @Override public dev.jaclab.tensor.Work work(Problem p) { return SweepWork.wholeRun(p, this); }

    @Override public Tensor run(Problem p) {
        String why = refusal(p);
        if (why != null) throw new IllegalStateException(why);
        long n = p.inputWidth();
        ContextSweep.Result r = ContextSweep.jvp(p.y, p.x, p.xTangents(p.everySampleBasis(n)));
        Passes.countForward(r.directions());
        return p.toSampleMajor(r.tangents()).permute(1, 2, 0);                        // (N, m, n) from (n, y shape)
    }
}
