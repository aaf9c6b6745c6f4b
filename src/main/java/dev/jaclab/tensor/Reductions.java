package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;

/** Reduction primitives: sum (linear) and max/min over any set of dims, with keepDim. */
final class Reductions {
    private Reductions() {}

    /** The reduced dims (sorted) and the keepDim flag, with the shape and per-sample rules both reductions share. */
    record Axes(int[] dims, boolean keepDim) {
        Axes {
            dims = dims.clone();
            Arrays.sort(dims);
        }

        long[] shape(String op, long[] s) {
            for (int d : dims)
                if (d < 0 || d >= s.length) throw new IllegalArgumentException(op + ": dim " + d + " out of range for shape " + Shapes.str(s));
            return reducedShape(s, dims, keepDim);
        }

        int[] physical(int batchDims) {
            int[] p = new int[dims.length];
            for (int i = 0; i < p.length; i++) p[i] = dims[i] + batchDims;
            return p;
        }

        /** Per-sample unless the sample axis 0 is reduced. */
        boolean perSample() { return dims.length == 0 || dims[0] != 0; }

        /** The output's cotangent with the reduced dims back as size 1. */
        Tensor keptDims(Tensor g, Tensor x) { return keepDim ? g : g.reshape(reducedShape(x.shape(), dims, true)); }
    }

    static long[] reducedShape(long[] s, int[] dims, boolean keep) {
        long[] out = new long[keep ? s.length : s.length - dims.length];
        for (int i = 0, j = 0; i < s.length; i++) {
            boolean r = Arrays.binarySearch(dims, i) >= 0;
            if (keep) out[j++] = r ? 1 : s[i];
            else if (!r) out[j++] = s[i];
        }
        return out;
    }

    /** Sum over dims: linear, its transpose broadcasts the cotangent back. */
    static final class Sum extends Linear implements RowSparseVjp {
        final Axes axes;
        Sum(int[] dims, boolean keepDim) { axes = new Axes(dims, keepDim); }
        @Override public String name() { return "sum"; }
        @Override protected long[] shape(long[][] in) { return axes.shape(name(), in[0]); }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].sum(axes.physical(b), axes.keepDim()); }
        /** A sum over leading dims runs as one gemm with a row of ones (2 flops per element); others one pass. */
        @Override public Work work(long[][] in, long[] out, int b) {
            int[] d = axes.physical(b);
            boolean leading = d.length > 0 && d.length < in[0].length && d[0] == 0 && d[d.length - 1] == d.length - 1;
            return leading ? Work.gemm(2 * numel(in[0]), numel(in), numel(out)) : Work.elementwise(numel(in[0]), numel(in), numel(out));
        }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor x = n.inputs()[0];
            return new Tensor[]{axes.keptDims(g, x).expand(x.shape())};
        }
        @Override public boolean perSample(Node n, int input) { return axes.perSample(); }

        /**
         * Over the sample axis, a row-local input wants only its own row r_c of the cotangent: the broadcast of g
         * to that one row (O(width) per seed, not O(N·width)), so a batch mean costs the row-sparse sweep nothing.
         */
        @Override public Tensor[] vjpOwnRows(Tensor g, Node n, Own[] own, long[] rows) {
            int[] dims = axes.dims();
            if (own[0] != Own.ROW || dims.length == 0 || dims[0] != 0) return null;
            Tensor x = n.inputs()[0];
            long[] row = x.shape().clone();
            row[0] = 1;
            return new Tensor[]{axes.keptDims(g, x).expand(row)};
        }
    }

    /** max (isMax) or min over dims; ties share the derivative equally. */
    static final class Extreme extends Primitive {
        final Axes axes;
        final boolean isMax;
        Extreme(int[] dims, boolean keepDim, boolean isMax) { axes = new Axes(dims, keepDim); this.isMax = isMax; }
        @Override public String name() { return isMax ? "max" : "min"; }
        @Override protected long[] shape(long[][] in) { return axes.shape(name(), in[0]); }
        @Override protected NdArray forward(NdArray[] in, int b) {
            return isMax ? in[0].max(axes.physical(b), axes.keepDim()) : in[0].min(axes.physical(b), axes.keepDim());
        }
        @Override public Work work(long[][] in, long[] out, int b) { return Work.elementwise(numel(in[0]), numel(in), numel(out)); }
        /** Constant weights: 1/count where x attains the extreme, else 0. */
        private Tensor weights(Node n) {
            Tensor x = n.inputs()[0];
            Tensor y = n.output().detach().reshape(reducedShape(x.shape(), axes.dims(), true));
            Tensor hit = x.detach().eq(y);
            return hit.div(hit.sum(axes.dims(), true));
        }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{axes.keptDims(g, n.inputs()[0]).mul(weights(n))}; }
        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return t.mul(weights(n)).sum(axes.dims(), axes.keepDim()); }
        @Override public boolean perSample(Node n, int input) { return axes.perSample(); }
    }
}
