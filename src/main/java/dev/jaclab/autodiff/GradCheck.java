package dev.jaclab.autodiff;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Checks a function's recorded derivatives against central finite differences, in float64.
 *
 * <p>For f: (x₁..x_k) → y at the given primal inputs, with random directions v (one per input, like the input) and a
 * random cotangent u (like y):
 * <ul>
 *   <li><b>JVP</b>: {@link Autograd#jvp} against (f(x + ε v) − f(x − ε v)) / 2ε;</li>
 *   <li><b>VJP</b>: {@link Autograd#grad} against Jᵀu, with J built column by column from central differences
 *   (2·numel(x) evaluations of f: keep checked inputs small);</li>
 *   <li><b>adjoint identity</b>: ⟨u, J v⟩ == ⟨Jᵀ u, v⟩ between the two modes (no finite differences involved).</li>
 * </ul>
 * Errors are relative: max |AD − reference| / (1 + max |reference|). Inputs are converted to float64 leaves; the
 * function may close over constants (masks, weights) and may itself call {@link Autograd} (second-order checks).
 * Finite-difference evaluations see leaves that require grad, like the primal run (so such functions still work);
 * their tapes are dropped.
 *
 * <pre>{@code
 * Tensor.setDefaultDType(DType.FLOAT64);
 * Tensor a = Tensor.randn(1, 4, 3), b = Tensor.rand(2, 3).add(0.5);
 * GradCheck.Result r = GradCheck.check(xs -> xs[0].sin().mul(xs[1]).div(xs[1].square().add(1)), a, b);
 * r.passed();                        // true
 * GradCheck.assertGradients(x -> x.tanh().sum(new int[]{1}, false), a);   // throws AssertionError listing errors when wrong
 * }</pre>
 */
public final class GradCheck {
    private GradCheck() {}

    /**
     * Settings: finite-difference step {@code eps}, tolerance {@code tol} on every relative error, random {@code seed}
     * for u and v.
     */
    public record Options(double eps, double tol, long seed) {
        public static Options defaults() { return new Options(1e-6, 1e-6, 7); }
        public Options eps(double e) { return new Options(e, tol, seed); }
        public Options tol(double t) { return new Options(eps, t, seed); }
        public Options seed(long s) { return new Options(eps, tol, s); }
    }

    /**
     * Outcome: the largest relative errors of the JVP, the VJP and the adjoint identity, whether all are within
     * {@code tol}, and one line per failed comparison.
     */
    public record Result(double jvpError, double vjpError, double adjointError, double tol, boolean passed, List<String> failures) {
        /** Throws an AssertionError listing every failed comparison (does nothing when passed). */
        public Result orThrow() {
            if (!passed) throw new AssertionError("gradient check failed (tol " + tol + "):\n  " + String.join("\n  ", failures));
            return this;
        }

        @Override public String toString() {
            return String.format("GradCheck[jvp %.2e, vjp %.2e, adjoint %.2e, %s]", jvpError, vjpError, adjointError, passed ? "passed" : "FAILED");
        }
    }

    /**
     * Outcome of {@link #leaves}: the largest relative error over the leaves, how many values were checked, and one
     * line per leaf that failed.
     */
    public record LeafResult(double error, long values, double tol, boolean passed, List<String> failures) {
        /** Throws an AssertionError listing every failed leaf (does nothing when passed). */
        public LeafResult orThrow() {
            if (!passed) throw new AssertionError("parameter gradient check failed (tol " + tol + "):\n  " + String.join("\n  ", failures));
            return this;
        }

        @Override public String toString() {
            return String.format("GradCheck.leaves[%d values, max relative error %.2e, %s]", values, error, passed ? "passed" : "FAILED");
        }
    }

    /**
     * Checks the gradient of a scalar loss with respect to float64 leaves it reads (a module's parameters): reverse
     * mode against central differences of {@code loss}, one leaf element at a time (2 loss evaluations per element:
     * keep models small). The leaves are moved in place and restored; {@code loss} must recompute everything from them
     * (it may take derivatives inside: Jacobians or Laplacians in the loss).
     *
     * <pre>{@code
     * Tensor x = Tensor.randn(1, 16, 3), w = Tensor.randn(0, 3, 2).requiresGrad();   // float64 default
     * GradCheck.leaves(() -> x.matmul(w).tanh().square().sum(), new Tensor[]{w}, GradCheck.Options.defaults()).orThrow();
     * }</pre>
     */
    public static LeafResult leaves(java.util.function.Supplier<Tensor> loss, Tensor[] leaves, Options opt) {
        return LeafDifferences.check(loss, leaves, opt);
    }

    /** Checks a single-input function with default options. */
    public static Result check(Function<Tensor, Tensor> f, Tensor x) { return check(xs -> f.apply(xs[0]), new Tensor[]{x}, Options.defaults()); }

    /** Checks a multi-input function with default options. */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) { return check(f, inputs, Options.defaults()); }

    /** Like {@link #check(Function, Tensor)} but throws an AssertionError listing the errors when it fails. */
    public static Result assertGradients(Function<Tensor, Tensor> f, Tensor x) { return check(f, x).orThrow(); }

    /** Like {@link #check(Function, Tensor[], Options)} but throws an AssertionError listing the errors when it fails. */
    public static Result assertGradients(Function<Tensor[], Tensor> f, Tensor[] inputs, Options opt) { return check(f, inputs, opt).orThrow(); }

    /** Runs the JVP, VJP and adjoint-identity checks. */
    public static Result check(Function<Tensor[], Tensor> f, Tensor[] inputs, Options opt) {
        int k = inputs.length;
        Tensor[] x = new Tensor[k], v = new Tensor[k];
        for (int i = 0; i < k; i++) {
            x[i] = primal(inputs[i]).requiresGrad();
            v[i] = Tensor.wrap(NdArray.random(DType.FLOAT64, opt.seed() * 31 + i, true, inputs[i].shape()));
        }
        Tensor y = f.apply(x);
        if (!y.isRequiresGrad())
            throw new IllegalArgumentException("GradCheck: the output " + Shapes.str(y.shape()) + " does not depend on any input");
        Tensor u = Tensor.wrap(NdArray.random(y.dtype(), opt.seed() * 31 + 17, true, y.shape()));
        List<String> failures = new ArrayList<>();

        Tensor jvp = f64(Autograd.jvp(new Tensor[]{y}, x, v, false, false)[0]);
        Tensor fdJvp = central(f, x, v, opt.eps());
        double jvpErr = relErr(jvp, fdJvp);
        if (!(jvpErr <= opt.tol()))
            failures.add(String.format("JVP: max relative error %.3e (AD %s vs finite differences %s)", jvpErr, brief(jvp), brief(fdJvp)));

        Tensor[] vjp = Autograd.grad(new Tensor[]{y}, x, new Tensor[]{u}, Autograd.Options.defaults());
        double vjpErr = 0;
        for (int i = 0; i < k; i++) {
            Tensor fd = fdVjp(f, x, i, f64(u), opt.eps());
            double e = relErr(f64(vjp[i]), fd);
            vjpErr = Math.max(vjpErr, e);
            if (!(e <= opt.tol()))
                failures.add(String.format("VJP input %d %s: max relative error %.3e (AD %s vs finite differences %s)",
                        i, Shapes.str(x[i].shape()), e, brief(f64(vjp[i])), brief(fd)));
        }

        double lhs = dot(f64(u), jvp), rhs = 0;
        for (int i = 0; i < k; i++) rhs += dot(f64(vjp[i]), v[i]);
        double adjErr = Math.abs(lhs - rhs) / (1 + Math.max(Math.abs(lhs), Math.abs(rhs)));
        if (!(adjErr <= opt.tol()))
            failures.add(String.format("adjoint identity: <u, J v> = %.12g but <J^T u, v> = %.12g (relative error %.3e)", lhs, rhs, adjErr));
        return new Result(jvpErr, vjpErr, adjErr, opt.tol(), failures.isEmpty(), List.copyOf(failures));
    }

    // ---------------------------------------------------------------- finite differences

    private static Tensor primal(Tensor t) { return f64(t.toDoubleArray(), t.shape()); }

    private static Tensor f64(Tensor t) { return t.dtype() == DType.FLOAT64 && !t.isRequiresGrad() ? t : f64(t.toDoubleArray(), t.shape()); }

    private static Tensor f64(double[] data, long[] shape) { return Tensor.wrap(NdArray.fromDoubles(DType.FLOAT64, data, shape)); }

    /**
     * Evaluates f at fresh leaves (requiring grad, like the primal inputs, so f may differentiate inside); the result
     * is a float64 constant and the tape is dropped.
     */
    private static Tensor eval(Function<Tensor[], Tensor> f, Tensor[] xs) {
        Tensor[] c = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) c[i] = xs[i].detach().requiresGrad();
        return f64(f.apply(c));
    }

    /** (f(x + ε v) − f(x − ε v)) / 2ε, moving every input along its direction. */
    private static Tensor central(Function<Tensor[], Tensor> f, Tensor[] x, Tensor[] v, double eps) {
        Tensor[] plus = new Tensor[x.length], minus = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) {
            plus[i] = shift(x[i], v[i], eps);
            minus[i] = shift(x[i], v[i], -eps);
        }
        return eval(f, plus).sub(eval(f, minus)).div(2 * eps);
    }

    private static Tensor shift(Tensor x, Tensor v, double step) {
        double[] a = x.toDoubleArray(), d = v.toDoubleArray();
        for (int j = 0; j < a.length; j++) a[j] += step * d[j];
        return f64(a, x.shape());
    }

    /** Jᵀu for input i from central differences, one column of J per element of x_i. */
    private static Tensor fdVjp(Function<Tensor[], Tensor> f, Tensor[] x, int i, Tensor u, double eps) {
        double[] base = x[i].toDoubleArray(), uu = u.toDoubleArray(), out = new double[base.length];
        Tensor[] args = x.clone();
        for (int j = 0; j < base.length; j++) {
            double[] col = new double[2];
            for (int s = 0; s < 2; s++) {
                double[] p = base.clone();
                p[j] += s == 0 ? eps : -eps;
                args[i] = f64(p, x[i].shape());
                col[s] = dot(eval(f, args), u);
            }
            out[j] = (col[0] - col[1]) / (2 * eps);
        }
        return f64(out, x[i].shape());
    }

    // ---------------------------------------------------------------- comparisons

    private static double dot(Tensor a, Tensor b) {
        double[] p = a.toDoubleArray(), q = b.toDoubleArray();
        if (p.length != q.length) throw new IllegalStateException("GradCheck: " + p.length + " vs " + q.length + " values");
        double s = 0;
        for (int i = 0; i < p.length; i++) s += p[i] * q[i];
        return s;
    }

    /** max |a − b| / (1 + max |b|); NaN anywhere gives +∞. */
    static double relErr(Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) return Double.POSITIVE_INFINITY;
        double[] p = a.toDoubleArray(), q = b.toDoubleArray();
        double m = 0, scale = 0;
        for (int i = 0; i < p.length; i++) {
            if (Double.isNaN(p[i]) || Double.isNaN(q[i])) return Double.POSITIVE_INFINITY;
            m = Math.max(m, Math.abs(p[i] - q[i]));
            scale = Math.max(scale, Math.abs(q[i]));
        }
        return m / (1 + scale);
    }

    private static String brief(Tensor t) {
        double[] d = t.toDoubleArray();
        StringBuilder sb = new StringBuilder(Shapes.str(t.shape())).append(" [");
        for (int i = 0; i < Math.min(4, d.length); i++) sb.append(i == 0 ? "" : ", ").append(String.format("%.6g", d[i]));
        return sb.append(d.length > 4 ? ", ...]" : "]").toString();
    }
}
