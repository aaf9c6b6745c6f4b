package dev.jaclab.optim;

import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nn.Parameter;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A first-order optimizer over a list of parameters: {@link #step()} applies one update from the gradients that
 * {@code backward()} left on them, in place on the parameters' buffers (its state is allocated once; a step allocates
 * nothing of parameter size). Parameters without a gradient are skipped. A learning-rate {@link Schedule} and global
 * gradient-norm clipping are applied inside the step (the gradients themselves are never modified).
 *
 * <pre>{@code
 * Adam opt = new Adam(model.parameters(), 1e-3).clipGradNorm(1.0);
 * for (int i = 0; i < 1000; i++) {
 *     double loss = opt.step(() -> model.forward(x).sub(y).square().mean());   // zeroGrad, backward, update
 * }
 * }</pre>
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    private double lr;
    private Schedule schedule = Schedule.constant();
    private double maxGradNorm = Double.POSITIVE_INFINITY;
    private double lastGradNorm = Double.NaN;
    private long steps;

    protected Optimizer(List<Parameter> params, double lr) {
        if (params.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        if (!(lr >= 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be >= 0, got " + lr);
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** The base learning rate (the schedule multiplies it). */
    public double lr() { return lr; }

    /** The learning rate the next step will use (base × schedule factor). */
    public double currentLr() { return lr * schedule.factor(steps); }

    @SuppressWarnings("unchecked")
    private <O extends Optimizer> O self() { return (O) this; }

    public <O extends Optimizer> O lr(double v) { lr = v; return self(); }

    public <O extends Optimizer> O schedule(Schedule s) { schedule = s; return self(); }

    /** Scales the update as if the gradients' global L2 norm were at most {@code max} (PyTorch's clip_grad_norm_). */
    public <O extends Optimizer> O clipGradNorm(double max) {
        if (!(max > 0)) throw new IllegalArgumentException("clipGradNorm: maximum norm must be > 0, got " + max);
        maxGradNorm = max;
        return self();
    }

    /** Steps taken so far. */
    public long steps() { return steps; }

    /** The global gradient norm seen by the last step (before clipping). */
    public double lastGradNorm() { return lastGradNorm; }

    public List<Parameter> parameters() { return params; }

    /** Clears every parameter's gradient. */
    public void zeroGrad() { for (Parameter p : params) p.zeroGrad(); }

    /** √(Σ ‖grad‖²) over the parameters that have a gradient (summed in double precision). */
    public static double gradNorm(List<Parameter> params) {
        double s = 0;
        for (Parameter p : params) if (p.grad() != null) s += squaredNorm(p.grad().data());
        return Math.sqrt(s);
    }

    /** Σ x² as a loop over the host buffer when there is one (no ND4J call per parameter), else ND4J's norm. */
    private static double squaredNorm(NdArray x) {
        java.nio.FloatBuffer f = InPlace.hostFloats(x);
        java.nio.DoubleBuffer d = f == null ? InPlace.hostDoubles(x) : null;
        if (f == null && d == null) return InPlace.squaredNorm(x);
        double s = 0;
        int n = (int) x.numel();
        if (f != null) for (int k = 0; k < n; k++) { double v = f.get(k); s += v * v; }
        else for (int k = 0; k < n; k++) { double v = d.get(k); s += v * v; }
        return s;
    }

    /** One update from the current gradients. */
    public void step() {
        double norm = gradNorm(params);
        lastGradNorm = norm;
        double scale = norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1;
        double rate = currentLr();
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            Tensor g = p.grad();
            if (g == null) continue;
            NdArray gd = g.dtype() == p.dtype() ? g.data() : g.data().cast(p.dtype());
            update(i, p.data(), gd, scale, rate);
        }
        steps++;
    }

    /**
     * zeroGrad, evaluate the loss, backward, {@link #step()}; returns the loss value before the update. Everything the
     * loss computes is freed in a {@link Scope} (off-heap memory is reused at once instead of waiting for the garbage
     * collector): the values no backward rule reads as soon as the loss is computed, the rest when the step ends,
     * gradients included: afterwards the parameters have no gradient, and tensors made by {@code loss} must not be kept.
     */
    public double step(Supplier<Tensor> loss) {
        zeroGrad();
        try (Scope scope = Tensor.scope()) {
            Tensor l = loss.get();
            scope.release(l);                                 // before the sweep: only what backward rules read stays
            l.backward();
            double v = l.item();
            step();
            zeroGrad();
            return v;
        }
    }

    /**
     * Updates parameter {@code index} in place: {@code p} is its buffer, {@code g} its gradient (read only, to be
     * multiplied by {@code gradScale}), {@code lr} the learning rate of this step; {@link #steps()} counts the steps
     * before this one.
     */
    protected abstract void update(int index, NdArray p, NdArray g, double gradScale, double lr);

    /** Optimizer state of parameter {@code index}'s shape and dtype, zero-filled (allocated once by the caller). */
    protected NdArray stateLike(int index) {
        Parameter p = params.get(index);
        return InPlace.zerosOwned(p.dtype(), p.shape());
    }

    /** Per-parameter state slots, filled lazily. */
    protected static List<NdArray> slots(int n) {
        List<NdArray> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(null);
        return l;
    }
}
