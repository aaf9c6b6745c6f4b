package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.autodiff.Passes;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.ForwardLaplacian;
import dev.jaclab.tensor.Tensor;

/**
 * Per-sample second derivatives of a recorded batch: the Hessian blocks H_i = ∂²u_i/∂x_i² (N, u per-sample shape,
 * n, n) and the Laplacian Δu_i = tr H_i, exact for independent samples by forward-over-reverse: one reverse sweep
 * with the cotangent on every sample (recorded, createGraph) gives ∇u_i for all i, then one forward sweep batched over
 * the n input directions differentiates it again. Both results are on the tape, so a loss built from them (a PDE
 * residual) trains the parameters with {@code backward()}. For coupled samples the sum over the batch is wrong and
 * this refuses, naming the mixing op; {@link #unchecked()} computes that sum anyway (what PINN codes do), for
 * comparison.
 *
 * <pre>{@code
 * Tensor x = Tensor.rand(0, 1024, 2).requiresGrad();
 * Tensor u = model.forward(x);                              // (1024, 1)
 * Tensor lap = Hessian.of(u, x).laplacian();                // (1024, 1), differentiable
 * Tensor loss = lap.add(f).square().mean();                 // −Δu = f
 * loss.backward();                                          // reaches the model's parameters
 * Tensor H = Hessian.of(u, x).perSample();                  // (1024, 1, 2, 2)
 * }</pre>
 */
public final class Hessian {
    private final Tensor u, x;
    private final boolean checked;

    private Hessian(Tensor u, Tensor x, boolean checked) {
        this.u = u;
        this.x = x;
        this.checked = checked;
    }

    /** Second derivatives of u (N, ...) with respect to x (N, ...), samples along axis 0; u was computed from x. */
    public static Hessian of(Tensor u, Tensor x) { return new Hessian(u, x, true); }

    /** The same computation without the independence check: on coupled samples it returns the sum-trick value (wrong). */
    public Hessian unchecked() { return new Hessian(u, x, false); }

    /** Blocks (N, u per-sample shape, x per-sample shape, x per-sample shape), on the tape. */
    public Tensor perSample() {
        Problem p = problem();
        Tensor t = secondDerivatives(p);                                      // (n, m, N, n): t[a, k, i, b] = ∂²u_ik/∂x_ia∂x_ib
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth();
        long[] xs = Shapes.suffix(x.shape(), 1);
        return t.permute(2, 1, 3, 0).reshape(Shapes.concat(Shapes.concat(new long[]{N}, Shapes.suffix(u.shape(), 1)), Shapes.concat(xs, xs)));
    }

    /** tr H_i for every sample and output component: the shape of u, on the tape. */
    public Tensor laplacian() {
        Problem p = problem();
        if (checked) {                                                        // independent: one forward-Laplacian sweep
            Tensor lap = ForwardLaplacian.of(u, x, p.xTangents(p.everySampleBasis(p.inputWidth())));
            if (lap != null) {
                Passes.countForward(p.inputWidth() + 1);
                return lap;
            }
        }
        Tensor t = secondDerivatives(p);                                      // (n, m, N, n)
        long n = p.inputWidth(), m = p.outputWidth(), N = p.samples();
        Tensor diagonal = Tensor.eye(n).cast(t.dtype()).reshape(n, 1, 1, n);
        Tensor lap = t.mul(diagonal).sum(new int[]{0, 3}, false);             // (m, N)
        return lap.transpose(0, 1).reshape(u.shape());
    }

    private Problem problem() {
        if (u.rank() < 1 || x.rank() < 1)
            throw new IllegalArgumentException("Hessian: u " + Shapes.str(u.shape()) + " and x " + Shapes.str(x.shape()) + " need a sample axis");
        Problem p = new Problem(u, x, null, 0, Long.MAX_VALUE, 1, 0);
        if (checked && !p.structure().independent())
            throw new IllegalArgumentException("Hessian: per-sample second derivatives by the sum over the batch would be wrong: "
                    + p.structure().explain() + ". Exact second derivatives for coupled samples are not available yet; "
                    + "unchecked() computes the sum-trick value (what PINN codes use) for comparison.");
        return p;
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
