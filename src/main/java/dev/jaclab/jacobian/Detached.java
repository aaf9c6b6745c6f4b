package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.IdentitySets;
import dev.jaclab.tensor.Tensor;
import java.util.Set;

/**
 * The partial Jacobian with chosen intermediate tensors (the cross-sample context, e.g. keys and values) held
 * constant — the forum user's "second detached output" idea. The cut must make the graph block-diagonal (checked
 * on the tape; otherwise a clear error names a remaining mixing op); then one batched sum-type sweep gives the
 * blocks. {@link #errorAgainstExact} reports how far they are from the exact blocks on a subsample.
 *
 * <pre>{@code
 * Tensor Jd = Jacobian.of(y, x).perSample(Strategies.detached(k, v));
 * }</pre>
 */
public record Detached(Tensor[] cut) implements Strategy {
    @Override public String name() { return "detached(" + cut.length + " cut)"; }

    @Override public boolean exact() { return false; }

    private Set<Tensor> cutSet() { return IdentitySets.of(cut); }

    Structure structure(Problem p) { return Structure.analyse(p.y, p.x, p.axis(), cutSet()::contains); }

    @Override public String refusal(Problem p) {
        Structure s = structure(p);
        if (s.independent()) return null;
        return "detached: holding the " + cut.length + " given tensor(s) constant still leaves samples coupled by "
                + (s.mixingOps().isEmpty() ? "the batch axis choice" : s.mixingOps().get(0).toString()) + "; cut its sample-mixing input too";
    }

    @Override public String createGraphRefusal(Problem p) { return null; }

    @Override public Cost cost(Problem p) {
        long w = Math.min(p.inputWidth(), p.outputWidth());
        return p.inputWidth() <= p.outputWidth()
                ? Cost.forward(1, w, w * Cost.perVectorBytes(p) + Cost.blockBytes(p), "n JVPs with the cut held constant")
                : Cost.reverse(1, w, w * Cost.perVectorBytes(p) + Cost.blockBytes(p), "m VJPs with the cut held constant");
    }

    @Override public Tensor run(Problem p) {
        String r = refusal(p);
        if (r != null) throw new IllegalArgumentException(r);
        Autograd.Options opt = Autograd.Options.defaults().batched(true).createGraph(p.createGraph()).cut(cut);
        if (p.inputWidth() <= p.outputWidth()) {
            Tensor t = Autograd.jvp(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.xTangents(p.everySampleBasis(p.inputWidth()))}, opt)[0];
            return p.toSampleMajor(t).permute(1, 2, 0);
        }
        Tensor g = Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.yCotangents(p.everySampleBasis(p.outputWidth()))}, opt)[0];
        return p.toSampleMajor(g).permute(1, 0, 2);
    }

    /** Max abs and relative error of the detached blocks against exact blocks on {@code count} evenly spaced samples. */
    public double[] errorAgainstExact(Problem p, int count) {
        Tensor approx = run(p);
        long N = p.samples(), m = p.outputWidth();
        int c = (int) Math.min(count, N);
        double maxAbs = 0, maxRef = 0;
        for (int q = 0; q < c; q++) {
            long i = q * N / c;
            Tensor seeds = OneHot.rows(i * m, m, N, m, p.y.dtype());
            Tensor g = p.toSampleMajor(Autograd.vjp(p.y, p.x, p.yCotangents(seeds), true)).select(1, i);   // (m, n)
            maxAbs = Math.max(maxAbs, g.maxAbsDiff(approx.select(0, i)));
            maxRef = Math.max(maxRef, g.abs().max().item());
        }
        return new double[]{maxAbs, maxRef == 0 ? 0 : maxAbs / maxRef};
    }
}
