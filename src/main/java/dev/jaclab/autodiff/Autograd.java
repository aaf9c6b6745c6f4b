package dev.jaclab.autodiff;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Backprop;
import dev.jaclab.tensor.ForwardSweep;
import dev.jaclab.tensor.IdentitySets;
import dev.jaclab.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Derivatives of a graph that was recorded beforehand (y computed by ordinary model code, not in a closure).
 *
 * <ul>
 *   <li>{@link #grad}: reverse mode, PyTorch's {@code torch.autograd.grad}, with {@code batched} = is_grads_batched
 *   (the leading dim of each grad output is a batch of cotangents) and {@code createGraph} for higher order;</li>
 *   <li>{@link #vjp} / {@link #jvp}: one output, one input; {@code jvp} pushes tangents forward through the
 *   recorded graph without re-running user code.</li>
 * </ul>
 * The outputs stay usable afterwards (for a loss and {@code backward()}).
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(0, 1024, 3).requiresGrad();
 * Tensor y = x.sin();
 * Tensor basis = Tensor.eye(3).reshape(3, 1, 3).expand(3, 1024, 3);
 * Tensor g = Autograd.vjp(y, x, basis, true);        // (3, 1024, 3): g[k, i, :] = row k of J[i]
 * Tensor t = Autograd.jvp(y, x, basis, true);        // (3, 1024, 3): t[k, i, :] = column k of J[i]
 * }</pre>
 */
public final class Autograd {
    private Autograd() {}

    /**
     * Options for {@link #grad} and {@link #jvp}: {@code batched} (is_grads_batched), {@code createGraph}, and
     * {@code cut}: intermediate tensors held constant (the "detached" partial derivative).
     */
    public record Options(boolean batched, boolean createGraph, java.util.function.Predicate<Tensor> cut) {
        public Options(boolean batched, boolean createGraph) { this(batched, createGraph, t -> false); }
        public static Options defaults() { return new Options(false, false); }
        public Options batched(boolean b) { return new Options(b, createGraph, cut); }
        public Options createGraph(boolean c) { return new Options(batched, c, cut); }
        /** Holds the given tensors constant (identity comparison). */
        public Options cut(Tensor... tensors) {
            return new Options(batched, createGraph, IdentitySets.of(tensors)::contains);
        }
    }

    /**
     * Sum over outputs of VJPs: for each input, Σ_o gradOutputs[o]ᵀ · ∂outputs[o]/∂input. Inputs that no output
     * depends on get zeros. With {@code batched}, every grad output has a leading batch dim B and so has each result.
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, Options opt) {
        if (outputs.length != gradOutputs.length)
            throw new IllegalArgumentException("grad: " + outputs.length + " outputs but " + gradOutputs.length + " grad outputs");
        long batch = -1;
        int level = opt.batched() ? Tensor.newLevel() : 0;
        Tensor[] seeds = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            Tensor y = outputs[i], g = gradOutputs[i];
            long[] expect = opt.batched() ? Shapes.concat(new long[]{g.rank() > 0 ? g.size(0) : -1}, y.shape()) : y.shape();
            if (!Arrays.equals(g.shape(), expect))
                throw new IllegalArgumentException("grad: grad output " + i + " has shape " + Shapes.str(g.shape()) + " but output " + i
                        + " has shape " + Shapes.str(y.shape()) + (opt.batched()
                        ? "; with batched=true each grad output must be (B, " + Shapes.str(y.shape()).substring(1) + " — a batch of cotangents"
                        : "; pass batched=true if the leading dim is a batch of cotangents"));
            if (opt.batched()) {
                if (batch >= 0 && g.size(0) != batch)
                    throw new IllegalArgumentException("grad: batched grad outputs disagree on the batch size (" + batch + " vs " + g.size(0) + ")");
                batch = g.size(0);
                seeds[i] = g.toBatch(level);
            } else seeds[i] = g;
            if (!y.isRequiresGrad())
                throw new IllegalArgumentException("grad: output " + i + " " + Shapes.str(y.shape()) + " was not recorded (no input called requiresGrad())");
        }
        Passes.countReverse(opt.batched() ? batch : 1);
        Map<Tensor, Tensor> g = Backprop.vjp(outputs, seeds, inputs, opt.createGraph(), opt.cut());
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor r = g.get(inputs[i]);
            if (r == null) r = Tensor.zeros(inputs[i].dtype(), inputs[i].shape());
            out[i] = opt.batched() ? r.toLogical(level, batch) : r;
        }
        return out;
    }

    /** VJP of one output with respect to one input; with {@code batched}, cotangents is (B, *y.shape). */
    public static Tensor vjp(Tensor y, Tensor x, Tensor cotangents, boolean batched) {
        return grad(new Tensor[]{y}, new Tensor[]{x}, new Tensor[]{cotangents}, Options.defaults().batched(batched))[0];
    }

    /** JVP through the recorded graph; with {@code batched}, tangents is (B, *x.shape) and the result (B, *y.shape). */
    public static Tensor jvp(Tensor y, Tensor x, Tensor tangents, boolean batched) {
        return jvp(new Tensor[]{y}, new Tensor[]{x}, new Tensor[]{tangents}, batched, false)[0];
    }

    /** Forward mode for several outputs and inputs at once. */
    public static Tensor[] jvp(Tensor[] ys, Tensor[] xs, Tensor[] tangents, boolean batched, boolean createGraph) {
        return jvp(ys, xs, tangents, new Options(batched, createGraph));
    }

    /** Forward mode with options (batched, createGraph, cut). */
    public static Tensor[] jvp(Tensor[] ys, Tensor[] xs, Tensor[] tangents, Options opt) {
        boolean batched = opt.batched();
        if (xs.length != tangents.length)
            throw new IllegalArgumentException("jvp: " + xs.length + " inputs but " + tangents.length + " tangents");
        int level = batched ? Tensor.newLevel() : 0;
        long batch = -1;
        Tensor[] seeds = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            long[] expect = batched ? Shapes.concat(new long[]{tangents[i].rank() > 0 ? tangents[i].size(0) : -1}, xs[i].shape()) : xs[i].shape();
            if (!Arrays.equals(tangents[i].shape(), expect))
                throw new IllegalArgumentException("jvp: tangent " + i + " has shape " + Shapes.str(tangents[i].shape()) + " but input " + i
                        + " has shape " + Shapes.str(xs[i].shape()) + (batched ? " (batched: expected a leading batch dim)" : ""));
            if (batched) {
                if (batch >= 0 && tangents[i].size(0) != batch)
                    throw new IllegalArgumentException("jvp: batched tangents disagree on the batch size (" + batch + " vs " + tangents[i].size(0) + ")");
                batch = tangents[i].size(0);
                seeds[i] = tangents[i].toBatch(level);
            } else seeds[i] = tangents[i];
        }
        Passes.countForward(batched ? batch : 1);
        Tensor[] t = ForwardSweep.jvp(ys, xs, seeds, opt.createGraph(), opt.cut());
        Tensor[] out = new Tensor[ys.length];
        for (int i = 0; i < ys.length; i++) {
            Tensor r = t[i] != null ? t[i] : Tensor.zeros(ys[i].dtype(), ys[i].shape());
            out[i] = batched ? r.toLogical(level, batch) : r;
        }
        return out;
    }
}
