package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import dev.jaclab.progress.Progress;
import java.util.Arrays;

/**
 * Applies a primitive to tensors: validates logical shapes, aligns batch levels, runs the forward and records the
 * node on the tape when recording is on and an input requires grad. Package-internal; users call Tensor methods.
 * An interrupted thread gets a {@link java.util.concurrent.CancellationException} at its next operation
 * ({@link Progress#checkInterrupted}), so long sweeps stop when the user interrupts them.
 */
final class Binder {
    private Binder() {}

    static Tensor bind(Primitive p, Tensor... in) {
        if (Thread.currentThread().isInterrupted()) Progress.checkInterrupted(p.name());   // stops at the next operation
        long[][] shapes = new long[in.length][];
        for (int i = 0; i < in.length; i++) shapes[i] = in[i].shape();
        long[] outShape = p.shape(shapes);
        int[] levels = union(in);
        int logicalRank = -1;
        if (p.broadcasting()) for (long[] s : shapes) logicalRank = Math.max(logicalRank, s.length);
        NdArray[] phys = new NdArray[in.length];
        for (int i = 0; i < in.length; i++)
            phys[i] = levels.length == 0 && scalarOperand(p, in[i]) ? in[i].data() : align(in[i], levels, logicalRank);
        NdArray out = ShapeTrace.active() ? shapeOnly(p, phys, levels.length, outShape) : forward(p, phys, levels.length, in);
        WorkMeter.bound(p, phys, out, levels.length);
        Tensor y = new Tensor(out, levels);
        assert Arrays.equals(y.shape(), outShape) : p.name() + " produced " + Shapes.str(y.shape()) + " not " + Shapes.str(outShape);
        record(p, in, y);
        return y;
    }

    /**
     * The op's forward. An input whose values a {@link Scope} freed fails here, naming the op and the input, before
     * any kernel reads the freed memory (one flag per input).
     */
    private static NdArray forward(Primitive p, NdArray[] phys, int batchDims, Tensor[] in) {
        for (int i = 0; i < in.length; i++)
            if (in[i].data().isClosed())
                throw new IllegalStateException(p.name() + ": input " + i + " of shape " + Shapes.str(in[i].shape())
                        + " was released (a tensor made in a Scope and not kept, or a value no rule of its tape saves)");
        return p.forward(phys, batchDims);
    }

    /** The output of a traced op: its physical shape (batch levels first) and dtype, no values. */
    private static NdArray shapeOnly(Primitive p, NdArray[] phys, int batchDims, long[] outShape) {
        long[] batch = new long[batchDims];
        for (NdArray a : phys) for (int j = 0; j < batchDims; j++) batch[j] = Math.max(batch[j], a.shape()[j]);
        dev.jaclab.nd.DType t = phys[0].dtype();
        for (NdArray a : phys) t = dev.jaclab.nd.DType.promote(t, a.dtype());
        if (p instanceof ShapeOps.Cast c) t = c.to;
        return NdArray.shapeOnly(t, Shapes.concat(batch, outShape));
    }

    /** Records {@code y = p(in)} on the tape when grad mode is on and some differentiable input requires grad. */
    static void record(Primitive p, Tensor[] in, Tensor y) {
        if (!GradMode.isEnabled()) return;
        boolean any = false;
        for (int i = 0; i < in.length; i++) any |= p.differentiable(i) && in[i].isRequiresGrad();
        if (!any) return;
        Node n = new Node(p, in);
        n.setSite(Sites.capture());
        n.setOutput(y);
        y.setNode(n);
    }

    /** Sorted union of the inputs' batch levels. */
    static int[] union(Tensor... in) {
        int[] acc = new int[0];
        for (Tensor t : in) {
            int[] l = t.levels();
            if (l.length == 0 || Arrays.equals(l, acc)) continue;
            acc = java.util.stream.IntStream.concat(Arrays.stream(acc), Arrays.stream(l)).distinct().sorted().toArray();
        }
        return acc;
    }

    /**
     * A 0-d operand of add, sub, mul or div on unbatched tensors: NdArray's arithmetic broadcasts it as it is, so it is
     * not reshaped to the other operand's rank (the view cost more than a (1024, 3) op: a shape-info pointer each).
     */
    private static boolean scalarOperand(Primitive p, Tensor t) {
        return p instanceof Elementwise.Binary && t.levels().length == 0 && t.data().rank() == 0;
    }

    /** The tensor's physical array viewed with a (size-1 where missing) dim per level, logical part padded. */
    static NdArray align(Tensor t, int[] levels, int logicalRank) {
        int[] own = t.levels();
        long[] logical = t.shape();
        if (Arrays.equals(own, levels) && (logicalRank < 0 || logical.length == logicalRank)) return t.data();
        long[] phys = t.data().shape();
        long[] batch = new long[levels.length];
        for (int i = 0, j = 0; i < levels.length; i++)
            batch[i] = j < own.length && own[j] == levels[i] ? phys[j++] : 1;
        long[] lp = logicalRank < 0 ? logical : Shapes.padLeft(logical, logicalRank);
        return t.data().reshape(Shapes.concat(batch, lp));
    }
}
