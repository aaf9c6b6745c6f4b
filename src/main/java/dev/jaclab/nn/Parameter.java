package dev.jaclab.nn;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;

/**
 * A trainable tensor: a leaf that requires grad and owns its buffer, so optimizers update it in place (every graph
 * built from {@link #value()} afterwards sees the new values). Layers read it with {@link #value()}.
 *
 * <pre>{@code
 * Parameter w = new Parameter(Tensor.randn(0, 3, 2));
 * Tensor loss = x.matmul(w.value()).square().sum();
 * loss.backward();
 * w.grad();          // (3, 2)
 * }</pre>
 */
public final class Parameter {
    /** Per-thread stand-ins for parameters while {@link PerSample} maps a module over samples (null: none). */
    private static final ThreadLocal<java.util.Map<Parameter, Tensor>> STAND_INS = new ThreadLocal<>();
    private final Tensor value;

    /** A parameter holding a copy of {@code initial}'s values (in its dtype). */
    public Parameter(Tensor initial) { this(initial, initial.dtype()); }

    /** A parameter holding a copy of {@code initial}'s values cast to {@code dtype}. */
    public Parameter(Tensor initial, DType dtype) {
        this.value = Tensor.wrap(InPlace.copyOwned(initial.data(), dtype)).requiresGrad();
    }

    /**
     * The leaf tensor to compute with (the same object for the parameter's whole life), or, inside
     * {@link #withStandIns}, the stand-in given for it (per-sample copies under vmap).
     */
    public Tensor value() {
        java.util.Map<Parameter, Tensor> s = STAND_INS.get();
        Tensor t = s == null ? null : s.get(this);
        return t != null ? t : value;
    }

    /** Runs {@code body} with {@link #value()} returning the given stand-ins on this thread; restores the previous ones. */
    static <T> T withStandIns(java.util.Map<Parameter, Tensor> standIns, java.util.function.Supplier<T> body) {
        java.util.Map<Parameter, Tensor> previous = STAND_INS.get();
        STAND_INS.set(standIns);
        try {
            return body.get();
        } finally {
            if (previous == null) STAND_INS.remove(); else STAND_INS.set(previous);
        }
    }

    /** The gradient accumulated by {@code backward()}, or null. */
    public Tensor grad() { return value.grad(); }

    /** The leaf itself, never a stand-in. */
    Tensor leaf() { return value; }

    public void zeroGrad() { value.zeroGrad(); }

    public long[] shape() { return value.shape(); }

    public long numel() { return value.numel(); }

    public DType dtype() { return value.dtype(); }

    /** The buffer optimizers write into. */
    public NdArray data() { return value.data(); }

    /** Copies {@code v}'s values in (same shape; cast to this parameter's dtype). */
    public void assign(Tensor v) {
        if (!java.util.Arrays.equals(v.shape(), shape()))
            throw new IllegalArgumentException("Parameter.assign: value of shape " + Shapes.str(v.shape()) + " does not fit parameter " + Shapes.str(shape()));
        InPlace.assign(data(), v.data());
    }

    @Override public String toString() { return "Parameter" + Shapes.str(shape()) + " " + dtype(); }
}
