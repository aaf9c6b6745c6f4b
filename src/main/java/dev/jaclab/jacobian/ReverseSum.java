package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.Tensor;

/**
 * m VJPs in one batched sweep, cotangent e_k on every sample ("sum over the batch"): J[i][k, :] = row i of the
 * VJP. Exact only when samples are independent; refuses otherwise unless built {@link #unchecked()}.
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(x.sin(), x).perSample(Strategies.reverseSum());   // (N, 3, 3)
 * }</pre>
 */
public record ReverseSum(boolean checked) implements Strategy {
    @Override public String name() { return "reverseSum"; }

    /** The same strategy without the independence check (to show what the trick returns on coupled models). */
    @Override public ReverseSum unchecked() { return new ReverseSum(false); }

    @Override public String refusal(Problem p) { return SumRefusal.check(name(), p, checked); }

    @Override public boolean needsIndependentSamples() { return true; }

    @Override public String createGraphRefusal(Problem p) { return null; }

    @Override public Cost cost(Problem p) {
        if (p.structure().diagonal()) return Cost.reverse(1, 1, Cost.diagonalPeakBytes(p), "one VJP of ones, diagonal blocks");
        long m = p.outputWidth(), g = SeedGroups.size(p, m, SeedGroups.GROUP_BYTES), sweeps = (m + g - 1) / g;
        return Cost.reverse(sweeps, m, g * Cost.perVectorBytes(p) + Cost.blockBytes(p),
                sweeps == 1 ? "m VJPs, batched" : "m VJPs in " + sweeps + " groups of ≤ " + g + " (SeedGroups)");
    }

    /** Its one call traced with shapes only: the sweep and the blocks' layout, every op counted (the seeds are cached, no ops). */
    @Override public dev.jaclab.tensor.Work work(Problem p) { return SweepWork.wholeRun(p, this); }

    /** (N, m, n); a diagonal tape ({@link Structure#diagonal()}) takes one sweep of ones ({@link SumSeeds}). */
    @Override public Tensor run(Problem p) { return p.structure().diagonal() ? SumSeeds.diagonalByVjp(p) : SeedGroups.reverse(p, SeedGroups.GROUP_BYTES); }

    /** The batched VJP's result as it comes: (m, N, n), row i of slice k the block row J[i][k, :]. */
    static Tensor sampleMajor(Problem p) {
        long m = p.outputWidth();
        Tensor g = Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.yCotangents(p.everySampleBasis(m))},
                new Autograd.Options(true, p.createGraph()))[0];                          // (m, x shape)
        return p.toSampleMajor(g);
    }
}
