package dev.jaclab.autodiff;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.GradMode;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Functional transforms on closures, composable like JAX's: {@code grad}, {@code vjp}, {@code jvp},
 * {@code jacrev} (optionally chunked), {@code jacfwd}, {@code vmap} (nested allowed) and {@code hessian}.
 *
 * <pre>{@code
 * Function<Tensor, Tensor> f = v -> v.sin().mul(v.sum());
 * Tensor x = Tensor.randn(0, 3);
 * Tensor J = Func.jacrev(f).apply(x);                       // (3, 3)
 * Tensor H = Func.hessian(v -> v.square().sum()).apply(x);   // 2·I
 * Tensor Js = Func.vmap(Func.jacrev(Tensor::sin)).apply(Tensor.randn(1, 1024, 3));  // (1024, 3, 3)
 * }</pre>
 */
public final class Func {
    private Func() {}

    /** The input to differentiate at: the tensor itself when an outer transform already tracks it, else a tracked copy. */
    private static Tensor track(Tensor x) { return x.isRequiresGrad() ? x : x.detach().requiresGrad(); }

    /** Nested transforms need the inner derivative recorded. */
    private static boolean nested(Tensor x) { return x.isRequiresGrad() && GradMode.isEnabled(); }

    /** Gradient of a scalar-valued function. */
    public static Function<Tensor, Tensor> grad(Function<Tensor, Tensor> f) {
        return x -> {
            Tensor xi = track(x);
            Tensor y = f.apply(xi);
            if (y.numel() != 1) throw new IllegalArgumentException("grad: function output has shape " + Shapes.str(y.shape()) + ", not a scalar");
            if (!y.isRequiresGrad()) return Tensor.zeros(x.dtype(), x.shape());
            return Autograd.grad(new Tensor[]{y}, new Tensor[]{xi}, new Tensor[]{Tensor.scalar(1, y.dtype()).reshape(y.shape())},
                    Autograd.Options.defaults().createGraph(nested(x)))[0];
        };
    }

    /** Primal output and VJP: returns {f(x), vᵀ·∂f/∂x}. */
    public static Tensor[] vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        Tensor xi = track(x);
        Tensor y = f.apply(xi);
        if (!y.isRequiresGrad()) return new Tensor[]{y, Tensor.zeros(x.dtype(), x.shape())};
        return new Tensor[]{y, Autograd.grad(new Tensor[]{y}, new Tensor[]{xi}, new Tensor[]{v}, Autograd.Options.defaults().createGraph(nested(x)))[0]};
    }

    /** Primal output and JVP: returns {f(x), ∂f/∂x·t}. */
    public static Tensor[] jvp(Function<Tensor, Tensor> f, Tensor x, Tensor t) {
        Tensor xi = track(x);
        Tensor y = f.apply(xi);
        if (!y.isRequiresGrad()) return new Tensor[]{y, Tensor.zeros(y.dtype(), y.shape())};
        return new Tensor[]{y, Autograd.jvp(new Tensor[]{y}, new Tensor[]{xi}, new Tensor[]{t}, false, nested(x))[0]};
    }

    /** Jacobian by reverse mode: shape f(x).shape ++ x.shape, one batched VJP over all output elements. */
    public static Function<Tensor, Tensor> jacrev(Function<Tensor, Tensor> f) { return jacrev(f, Integer.MAX_VALUE); }

    /** Reverse-mode Jacobian with at most {@code chunk} cotangents per batched VJP (bounds memory). */
    public static Function<Tensor, Tensor> jacrev(Function<Tensor, Tensor> f, int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("jacrev: chunk size must be >= 1, got " + chunk);
        return x -> {
            Tensor xi = track(x);
            Tensor y = f.apply(xi);
            long m = y.numel();
            long[] outShape = Shapes.concat(y.shape(), x.shape());
            if (!y.isRequiresGrad()) return Tensor.zeros(y.dtype(), outShape);
            Tensor basis = Tensor.eye(m).cast(y.dtype());
            List<Tensor> parts = new ArrayList<>();
            for (long s = 0; s < m; s += chunk) {
                long c = Math.min(chunk, m - s);
                Tensor seeds = basis.narrow(0, s, c).reshape(Shapes.concat(new long[]{c}, y.shape()));
                parts.add(Autograd.grad(new Tensor[]{y}, new Tensor[]{xi}, new Tensor[]{seeds},
                        new Autograd.Options(true, nested(x)))[0]);
            }
            return Tensor.concat(0, parts.toArray(new Tensor[0])).reshape(outShape);
        };
    }

    /** Jacobian by forward mode: shape f(x).shape ++ x.shape, one batched JVP over all input elements. */
    public static Function<Tensor, Tensor> jacfwd(Function<Tensor, Tensor> f) {
        return x -> {
            Tensor xi = track(x);
            Tensor y = f.apply(xi);
            long n = x.numel(), m = y.numel();
            long[] outShape = Shapes.concat(y.shape(), x.shape());
            if (!y.isRequiresGrad()) return Tensor.zeros(y.dtype(), outShape);
            Tensor basis = Tensor.eye(n).cast(x.dtype()).reshape(Shapes.concat(new long[]{n}, x.shape()));
            Tensor t = Autograd.jvp(new Tensor[]{y}, new Tensor[]{xi}, new Tensor[]{basis}, true, nested(x))[0];
            return t.reshape(n, m).transpose(0, 1).reshape(outShape);
        };
    }

    /** Hessian of a scalar function: jacfwd(jacrev(f)). */
    public static Function<Tensor, Tensor> hessian(Function<Tensor, Tensor> f) {
        return x -> {
            Function<Tensor, Tensor> g = grad(f);
            return jacfwd(g).apply(x);
        };
    }

    /** Maps {@code f} over dim 0 of its input (in_dims = out_dims = 0); nesting allowed. */
    public static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f) { return vmap(f, 0, 0); }

    /** Maps {@code f} over dim {@code inDim} of its input, placing the mapped dim at {@code outDim} of the result. */
    public static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f, int inDim, int outDim) {
        return x -> {
            if (x.rank() == 0) throw new IllegalArgumentException("vmap: cannot map over a scalar input");
            int d = Shapes.dim("vmap", inDim, x.rank());
            long size = x.size(d);
            int level = Tensor.newLevel();
            Tensor xb = (d == 0 ? x : x.transpose(0, d)).toBatch(level);
            Tensor y = f.apply(xb).toLogical(level, size);
            int od = outDim < 0 ? outDim + y.rank() : outDim;
            if (od < 0 || od >= y.rank()) throw new IllegalArgumentException("vmap: out dim " + outDim + " out of range for rank " + y.rank());
            if (od == 0) return y;
            int[] perm = new int[y.rank()];
            for (int i = 0, j = 1; i < perm.length; i++) perm[i] = i == od ? 0 : j++;
            return y.permute(perm);
        };
    }
}
