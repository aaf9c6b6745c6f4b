package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;

/**
 * One differentiable operation, defined in one place: shape rule, forward on {@link NdArray}, JVP rule, VJP rule,
 * and how it treats the sample (batch) axis 0. An instance carries the op's static parameters (dims, shapes...).
 *
 * <p>Rules are written with {@link Tensor} operations, so they are differentiable again, and they work on
 * <em>logical</em> shapes: tangents and cotangents may carry extra batch levels (vmap, batched VJPs/JVPs) that the
 * binding machinery aligns and broadcasts, so every rule is batched for free.
 *
 * <pre>{@code
 * Tensor y = Tensor.randn(0, 4, 3).sin();
 * y.node().primitive().name();    // "sin"
 * }</pre>
 */
public abstract class Primitive {

    /** The op's name as it appears in error messages, graphs and coupling reports. */
    public abstract String name();

    /** Logical output shape; throws IllegalArgumentException naming the op and the shapes when inputs are invalid. */
    protected abstract long[] shape(long[][] in);

    /**
     * Forward on physical arrays whose first {@code batchDims} dims are batch levels (aligned across inputs,
     * sizes 1 or equal); for {@link #broadcasting()} ops the logical parts are already padded to one rank.
     */
    protected abstract NdArray forward(NdArray[] in, int batchDims);

    /** Cotangent for each input (null where none flows: constant inputs, masks). */
    protected abstract Tensor[] vjp(Tensor g, Node n);

    /**
     * Output tangent from input tangents (an entry is null for a zero tangent; not all are null). By default the sum
     * of the {@link #jvpPart parts} of the inputs whose tangent is not zero — a JVP is linear in the tangents, so this
     * holds for every op; override it where one joint formula is cheaper.
     */
    protected Tensor jvp(Tensor[] t, Node n) {
        Tensor sum = null;
        for (int i = 0; i < t.length; i++) if (t[i] != null) sum = plus(sum, jvpPart(i, t[i], n));
        if (sum == null) throw new IllegalStateException(name() + ": JVP without any tangent");
        long[] out = n.output().shape();
        return java.util.Arrays.equals(sum.shape(), out) ? sum : sum.expand(out);   // a broadcast input's part
    }

    /**
     * The part of the output tangent that input {@code input}'s (nonzero) tangent contributes; {@link #jvp} sums the
     * parts. A primitive overrides either this or {@link #jvp}.
     */
    protected Tensor jvpPart(int input, Tensor tangent, Node n) {
        throw new UnsupportedOperationException(name() + ": no JVP rule (override jvp or jvpPart)");
    }

    /** a + b where null stands for zero (a missing tangent or cotangent): the one place that merge is written. */
    protected static Tensor plus(Tensor a, Tensor b) { return a == null ? b : b == null ? a : a.add(b); }

    /**
     * True when row i of the output (sample axis 0) depends on row i of input {@code input} only — the per-sample
     * flag. False when the op mixes samples through that input (contraction, reduction or shift over axis 0, or
     * broadcasting one row to every sample).
     */
    public abstract boolean perSample(Node n, int input);

    /**
     * True when element k of the output depends on element k of input {@code input} only — same shape, no broadcast,
     * no reordering (sin, x·y, x + c, casts). A tape whose every op on the path from x to y is positionwise in its
     * x-dependent inputs has diagonal per-sample blocks: one sweep with a vector of ones gives their values (the
     * derivative itself). False by default.
     */
    public boolean positionwise(Node n, int input) { return false; }

    /** Whether input {@code input} has the output's logical shape and neither carries batch levels. */
    protected static boolean sameShapeAsOutput(Node n, int input) {
        Tensor in = n.inputs()[input], out = n.output();
        return in.levels().length == 0 && out.levels().length == 0 && java.util.Arrays.equals(in.shape(), out.shape());
    }

    /**
     * Whether the map from input {@code input}'s rows to the output's rows, the other inputs held fixed, is linear
     * and the same for every row (x·W, x + y, −x, x·scalar): then a tangent or cotangent in {@link RowTerm} form passes
     * through by mapping its features alone. False by default.
     */
    public boolean rowUniformLinear(Node n, int input) { return false; }

    /**
     * The work of one application on physical shapes — batch levels first ({@code batchDims} of them), then the
     * logical shape, padded to one rank for broadcasting ops — with bytes read and written counted in elements (the
     * meter turns them into bytes). Every primitive states it (a coverage test checks); null means not stated.
     *
     * <pre>{@code
     * new Linalg.Matmul().work(new long[][]{{512, 64}, {64, 64}}, new long[]{512, 64}, 0).gemmFlops();   // 2·512·64·64
     * }</pre>
     */
    public Work work(long[][] in, long[] out, int batchDims) { return null; }

    /** Elements of a shape. */
    protected static double numel(long[] s) {
        double n = 1;
        for (long d : s) n *= d;
        return n;
    }

    /** Elements of all inputs. */
    protected static double numel(long[][] s) {
        double n = 0;
        for (long[] d : s) n += numel(d);
        return n;
    }

    /** Elementwise-style broadcasting of logical shapes (the binder pads ranks with leading ones). */
    protected boolean broadcasting() { return false; }

    /**
     * Whether this op's rules — VJP, JVP, second-order and row-restricted rules — read the values of input
     * {@code input} (not only its shape, dtype or batch levels): the tape then saves them. Values that no rule of
     * any consumer saves can be released once the forward has run ({@link Scope}), as PyTorch's autograd keeps only
     * what backward formulas save. True by default (an op that does not say keeps everything); an op that declares
     * less is checked by {@code SavedValuesTest}, which differentiates it with everything else released.
     */
    protected boolean savesInput(Node n, int input) { return true; }

    /** Whether this op's rules read the values of its output (tanh, exp: f′ from y). True by default. */
    protected boolean savesOutput(Node n) { return true; }

    /** Inputs that carry no derivative (masks, indices): the binder never records them as differentiable. */
    protected boolean differentiable(int input) { return true; }

    /** Helper for broadcasting ops: per-sample iff the input keeps the output's sample axis. */
    protected static boolean keepsSampleAxis(Node n, int input) {
        long[] in = n.inputs()[input].shape(), out = n.output().shape();
        return in.length == out.length && out.length > 0 && in[0] == out[0];
    }
}
