package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.Tensor;

/**
 * n JVPs in one batched forward sweep over the recorded graph, tangent e_k on every sample:
 * J[i][:, k] = row i of the JVP. Exact only when samples are independent; refuses otherwise unless {@link #unchecked()}.
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(x.sin(), x).perSample(Strategies.forwardSum());   // (N, 3, 3)
 * }</pre>
 */
public record ForwardSum(boolean checked) implements Strategy {
    @Override public String name() { return "forwardSum"; }

    /** The same strategy without the independence check. */
    @Override public ForwardSum unchecked() { return new ForwardSum(false); }

    @Override public String refusal(Problem p) { return SumRefusal.check(name(), p, checked); }

    @Override public boolean needsIndependentSamples() { return true; }

    @Override public String createGraphRefusal(Problem p) { return null; }

    @Override public Cost cost(Problem p) {
        if (p.structure().diagonal()) return Cost.forward(1, 1, Cost.diagonalPeakBytes(p), "one JVP of ones, diagonal blocks");
        long n = p.inputWidth(), g = SeedGroups.size(p, n, SeedGroups.GROUP_BYTES), sweeps = (n + g - 1) / g;
        return Cost.forward(sweeps, n, g * Cost.perVectorBytes(p) + Cost.blockBytes(p),
                sweeps == 1 ? "n JVPs, batched" : "n JVPs in " + sweeps + " groups of ≤ " + g + " (SeedGroups)");
    }

    /** Its one call traced with shapes only: the sweep and the blocks' layout, every op counted (the seeds are cached, no ops). */
    @Override public dev.jaclab.tensor.Work work(Problem p) { return SweepWork.wholeRun(p, this); }

    /** (N, m, n); a diagonal tape ({@link Structure#diagonal()}) takes one sweep of ones ({@link SumSeeds}). */
    @Override public Tensor run(Problem p) { return p.structure().diagonal() ? SumSeeds.diagonalByJvp(p) : SeedGroups.forward(p, SeedGroups.GROUP_BYTES); }

    /** The batched JVP's result as it comes: (n, N, m), row i of slice k the block column J[i][:, k]. */
    static Tensor sampleMajor(Problem p) {
        long n = p.inputWidth();
        Tensor t = Autograd.jvp(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.xTangents(p.everySampleBasis(n))}, true,
                p.createGraph())[0];                                                     // (n, y shape)
        return p.toSampleMajor(t);
    }
}
