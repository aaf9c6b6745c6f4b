package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;

/**
 * An operation defined by the user with its own rules — JAX's {@code custom_jvp}/{@code custom_vjp}, autograd's
 * {@code defvjp}: a forward, a VJP and a JVP written with Tensor operations (so they differentiate again), and
 * whether each input is per-sample. Applying it records one node on the tape like a built-in primitive, so reverse
 * and forward sweeps, batched VJPs/JVPs (vmap, is_grads_batched), higher order, {@code GradCheck} and every Jacobian
 * strategy use its rules. Useful for teaching and for hand-derived closed forms. Make one with {@link Tensor#function}.
 *
 * <p>The rules get the node's inputs {@code x} and output {@code y} (primal values; inside a strategy they may carry
 * extra batch levels, which Tensor operations handle). The VJP returns one cotangent per input, shaped like that
 * input (null where none flows, e.g. a mask); the JVP gets one tangent per input (zeros where an input carries none)
 * and returns the output's tangent. Wrong shapes are one clear error naming the op.
 *
 * <p>By default an input is taken to mix samples (safe: strategies then treat the op as coupling); declare
 * {@link #perSample} when row i of the output depends on row i of that input only, and sum-type strategies apply.
 *
 * <pre>{@code
 * CustomPrimitive softplus = Tensor.function("softplus",
 *         x -> x[0].exp().add(1.0).log(),                       // forward
 *         (g, x, y) -> new Tensor[]{g.mul(x[0].sigmoid())},      // VJP: cotangent of each input
 *         (t, x, y) -> t[0].mul(x[0].sigmoid()))                 // JVP: tangent of the output
 *     .perSample(true);                                           // row i of y depends on row i of x only
 * Tensor y = softplus.apply(x);
 * GradCheck.assertGradients(v -> softplus.apply(v), Tensor.randn(1, 4, 3));
 * }</pre>
 */
public final class CustomPrimitive extends Primitive {
    /** The forward: output from inputs (runs without recording; the op's own node is recorded instead). */
    @FunctionalInterface
    public interface Forward { Tensor apply(Tensor[] x); }

    /** Cotangent of each input from the output's cotangent {@code g}, inputs {@code x} and output {@code y}. */
    @FunctionalInterface
    public interface Vjp { Tensor[] apply(Tensor g, Tensor[] x, Tensor y); }

    /** Tangent of the output from the inputs' tangents {@code t}, inputs {@code x} and output {@code y}. */
    @FunctionalInterface
    public interface Jvp { Tensor apply(Tensor[] t, Tensor[] x, Tensor y); }

    private final String name;
    private final Forward forward;
    private final Vjp vjp;
    private final Jvp jvp;
    /** Per-sample flag of each input (the last entry repeats for inputs beyond the array); empty: none is. */
    private final boolean[] perSample;

    CustomPrimitive(String name, Forward forward, Vjp vjp, Jvp jvp, boolean[] perSample) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("function: give the op a name");
        if (forward == null || vjp == null || jvp == null)
            throw new IllegalArgumentException("function '" + name + "': forward, VJP and JVP rules are all needed");
        this.name = name;
        this.forward = forward;
        this.vjp = vjp;
        this.jvp = jvp;
        this.perSample = perSample.clone();
    }

    /**
     * The same op with per-sample flags: one value for every input, or one per input. True means row i of the output
     * depends on row i of that input only (and the input keeps the output's sample axis).
     */
    public CustomPrimitive perSample(boolean... perInput) { return new CustomPrimitive(name, forward, vjp, jvp, perInput); }

    /** Applies the op: runs the forward and records its node when an input takes part in the tape. */
    public Tensor apply(Tensor... x) {
        Tensor[] constants = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null) throw new IllegalArgumentException(name + ": input " + i + " is null");
            constants[i] = x[i].detach();
        }
        Tensor y;
        try (var off = GradMode.set(false)) {
            y = forward.apply(constants);
        }
        if (y == null) throw new IllegalStateException(name + ": the forward returned null");
        Tensor out = new Tensor(y.data(), y.levels());                 // a fresh tensor: never a captured constant
        Binder.record(this, x, out);
        return out;
    }

    @Override public String name() { return name; }

    /** The ops its forward and rules run are metered as they bind; the node itself adds no work of its own. */
    @Override public Work work(long[][] in, long[] out, int batchDims) { return Work.NONE; }

    @Override protected long[] shape(long[][] in) { throw new IllegalStateException(name + ": bound by apply"); }

    @Override protected NdArray forward(NdArray[] in, int batchDims) { throw new IllegalStateException(name + ": bound by apply"); }

    @Override protected Tensor[] vjp(Tensor g, Node n) {
        Tensor[] in = n.inputs();
        Tensor[] ct = vjp.apply(g, in, n.output());
        if (ct == null || ct.length != in.length)
            throw new IllegalStateException(name + ": the VJP rule returned " + (ct == null ? "null" : ct.length + " cotangent(s)")
                    + " for " + in.length + " input(s)");
        for (int i = 0; i < in.length; i++)
            if (ct[i] != null && !Arrays.equals(ct[i].shape(), in[i].shape()))
                throw new IllegalStateException(name + ": the VJP rule's cotangent " + i + " has shape " + Shapes.str(ct[i].shape())
                        + " but input " + i + " has shape " + Shapes.str(in[i].shape()));
        return ct;
    }

    @Override protected Tensor jvp(Tensor[] t, Node n) {
        Tensor[] in = n.inputs(), tangents = t.clone();
        for (int i = 0; i < tangents.length; i++) if (tangents[i] == null) tangents[i] = Tensor.zeros(in[i].dtype(), in[i].shape());
        Tensor out = jvp.apply(tangents, in, n.output());
        if (out == null || !Arrays.equals(out.shape(), n.output().shape()))
            throw new IllegalStateException(name + ": the JVP rule's tangent has shape " + (out == null ? "null" : Shapes.str(out.shape()))
                    + " but the output has shape " + Shapes.str(n.output().shape()));
        return out;
    }

    @Override public boolean perSample(Node n, int input) {
        if (perSample.length == 0 || !perSample[Math.min(input, perSample.length - 1)]) return false;
        long[] s = n.inputs()[input].shape(), out = n.output().shape();
        return s.length > 0 && out.length > 0 && s[0] == out[0];
    }
}
