package dev.jaclab.tensor;

/**
 * A primitive that is linear in its inputs (negation, sums, casts and every shape op): its JVP is the op itself
 * applied to the tangents (a missing tangent is zero) and its VJP is its transpose, so a linear op states its shape
 * rule, its forward and its transpose — nothing else.
 *
 * <pre>{@code
 * // narrow: JVP = narrow(tangent), VJP = padNarrow(cotangent) (zeros around the slice)
 * Tensor t = Autograd.jvp(x.narrow(1, 0, 2), x, v, false);   // == v.narrow(1, 0, 2)
 * }</pre>
 */
abstract class Linear extends Primitive implements SecondOrderJvp {
    /** Linear: no second-order term. */
    @Override public final Tensor secondOrder(Tensor[] t, Node n, int level, long size) { return null; }

    /** Shape ops (slices, broadcasts, casts, concatenation, ...) write their output once: one pass over it. */
    @Override public Work work(long[][] in, long[] out, int batchDims) { return Work.elementwise(numel(out), numel(out), numel(out)); }

    /** A linear op's rules read shapes, dtypes and levels only: the tape saves none of its values. */
    @Override protected final boolean savesInput(Node n, int input) { return false; }

    @Override protected final boolean savesOutput(Node n) { return false; }

    /** The op applied to tensors shaped like its inputs (binds this primitive again). */
    protected Tensor apply(Tensor... in) { return Binder.bind(this, in); }

    /** The op applied to the tangents, zeros standing for the missing ones. */
    @Override protected final Tensor jvp(Tensor[] t, Node n) {
        Tensor[] in = n.inputs(), args = t.clone();
        for (int i = 0; i < args.length; i++) if (args[i] == null) args[i] = Tensor.zeros(in[i].dtype(), in[i].shape());
        return apply(args);
    }
}
