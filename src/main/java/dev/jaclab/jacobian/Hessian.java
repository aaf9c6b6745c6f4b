package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.autodiff.Passes;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.ForwardLaplacian;
import dev.jaclab.tensor.Tensor;

/**
 * Per-sample second derivatives of a recorded batch: the Hessian blocks H_i = ∂²u_i/∂x_i² (N, u per-sample shape,
 * n, n) and the Laplacian Δu_i = tr H_i. For independent samples the sums over the batch are exact: the Laplacian
 * comes from one forward-Laplacian sweep ({@link ForwardLaplacian}: tangents and a Laplacian channel carried forward;
 * forward-over-reverse where an op states no second-order rule), the blocks from forward-over-reverse (one recorded
 * reverse sweep with the cotangent on every sample, then one forward sweep batched over the n input directions).
 * For coupled samples (attention across the points) the sum over the batch would add cross terms ∂²u_i/∂x_i∂x_j:
 * both are computed exactly per sample instead ({@link CoupledHessian}: N·m seeds, O(N²) work, stated by
 * {@link #cost()}); {@link #unchecked()} computes the sum-trick value anyway (what PINN codes do), for comparison.
 * Results are on the tape, so a loss built from them (a PDE residual) trains the parameters with {@code backward()};
 * {@link #createGraph(boolean) createGraph(false)} computes them as constants (for measuring).
 *
 * <pre>{@code
 * Tensor x = Tensor.rand(0, 1024, 2).requiresGrad();
 * Tensor u = model.forward(x);                              // (1024, 1)
 * Tensor lap = Hessian.of(u, x).laplacian();                // (1024, 1), differentiable
 * Tensor loss = lap.add(f).square().mean();                 // −Δu = f
 * loss.backward();                                          // reaches the model's parameters
 * Tensor H = Hessian.of(u, x).perSample();                  // (1024, 1, 2, 2)
 * Tensor v = attentionModel.forward(x);                     // samples coupled across the batch
 * Hessian.of(v, x).cost();                                  // "exact per-sample second derivatives of coupled samples: ..."
 * Tensor exact = Hessian.of(v, x).laplacian();              // exact per sample, differentiable
 * Tensor trick = Hessian.of(v, x).unchecked().laplacian();  // what the sum over the batch gives (wrong here)
 * }</pre>
 */
public final class Hessian {
    private final Tensor u, x;
    private final boolean checked, createGraph;
    private final int chunk;

    private Hessian(Tensor u, Tensor x, boolean checked, boolean createGraph, int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("Hessian: chunk size must be >= 1, got " + chunk);
        this.u = u;
        this.x = x;
        this.checked = checked;
        this.createGraph = createGraph;
        this.chunk = chunk;
    }

    /** Second derivatives of u (N, ...) with respect to x (N, ...), samples along axis 0; u was computed from x. */
    public static Hessian of(Tensor u, Tensor x) { return new Hessian(u, x, true, true, 64); }

    /** The sum over the batch without the independence check: on coupled samples it returns the sum-trick value (wrong). */
    public Hessian unchecked() { return new Hessian(u, x, false, createGraph, chunk); }

    /** Whether results are recorded on the tape (default true); false gives constants and frees each chunk's sweeps. */
    public Hessian createGraph(boolean on) { return new Hessian(u, x, checked, on, chunk); }

    /** Seeds per chunk of the exact coupled-samples computation (default 64): memory against the number of sweeps. */
    public Hessian chunkSize(int c) { return new Hessian(u, x, checked, createGraph, c); }

    /** How the second derivatives will be computed and what it costs. */
    public String cost() {
        Problem p = problem();
        long n = p.inputWidth();
        if (coupled(p)) return CoupledHessian.cost(p, chunk);
        return "sum over the batch (" + (checked ? "exact: " + p.structure().explain() : "unchecked") + "): Laplacian by one forward sweep of "
                + (n + 1) + " channels where every op has a second-order rule, else 1 reverse + " + n + " forward vectors; blocks by 1 reverse + "
                + n + " forward vectors";
    }

    private boolean coupled(Problem p) { return checked && !p.structure().independent(); }

    private Tensor result(Tensor t) { return createGraph ? t : t.detach(); }

    /** Blocks (N, u per-sample shape, x per-sample shape, x per-sample shape), on the tape. */
    public Tensor perSample() {
        Problem p = problem();
        long[] xs = Shapes.suffix(x.shape(), 1);
        long[] blockShape = Shapes.concat(Shapes.concat(new long[]{p.samples()}, Shapes.suffix(u.shape(), 1)), Shapes.concat(xs, xs));
        if (coupled(p)) return result(CoupledHessian.blocks(p, chunk, createGraph).reshape(blockShape));
        Tensor t = secondDerivatives(p);                                      // (n, m, N, n): t[a, k, i, b] = ∂²u_ik/∂x_ia∂x_ib
        return result(t.permute(2, 1, 3, 0).reshape(blockShape));
    }

    /** tr H_i for every sample and output component: the shape of u, on the tape. */
    public Tensor laplacian() {
        Problem p = problem();
        if (coupled(p)) {
            Tensor H = CoupledHessian.blocks(p, chunk, createGraph);                          // (N·m, n, n)
            return result(H.diagonal().sum(new int[]{1}, false).reshape(u.shape()));
        }
        if (checked) {                                                        // independent: one forward-Laplacian sweep
            Tensor lap = ForwardLaplacian.of(u, x, p.xTangents(p.everySampleBasis(p.inputWidth())));
            if (lap != null) {
                Passes.countForward(p.inputWidth() + 1);
                return result(lap);
            }
        }
        Tensor t = secondDerivatives(p);                                      // (n, m, N, n)
        long n = p.inputWidth(), m = p.outputWidth(), N = p.samples();
        Tensor diagonal = Tensor.eye(n).cast(t.dtype()).reshape(n, 1, 1, n);
        Tensor lap = t.mul(diagonal).sum(new int[]{0, 3}, false);             // (m, N)
        return result(lap.transpose(0, 1).reshape(u.shape()));
    }

    private Problem problem() {
        if (u.rank() < 1 || x.rank() < 1)
            throw new IllegalArgumentException("Hessian: u " + Shapes.str(u.shape()) + " and x " + Shapes.str(x.shape()) + " need a sample axis");
        return new Problem(u, x, null, 0, Long.MAX_VALUE, 1, 0);
    }

    /** (n, m, N, n): the JVP along each input direction e_a of the recorded per-sample gradients. */
    private Tensor secondDerivatives(Problem p) {
        long m = p.outputWidth(), n = p.inputWidth();
        Autograd.Options createGraph = Autograd.Options.defaults().createGraph(true);
        Tensor g;                                                             // (m, N, n), recorded
        if (m == 1) {
            Tensor ones = Tensor.full(1, u.shape()).cast(u.dtype());
            g = p.toSampleMajor(Autograd.grad(new Tensor[]{u}, new Tensor[]{x}, new Tensor[]{ones}, createGraph)[0].unsqueeze(0));
        } else {
            g = p.toSampleMajor(Autograd.grad(new Tensor[]{u}, new Tensor[]{x}, new Tensor[]{p.yCotangents(p.everySampleBasis(m))},
                    createGraph.batched(true))[0]);
        }
        Tensor tangents = p.xTangents(p.everySampleBasis(n));                 // (n, x shape): e_a on every sample
        return Autograd.jvp(new Tensor[]{g}, new Tensor[]{x}, new Tensor[]{tangents}, createGraph.batched(true))[0];
    }
}
