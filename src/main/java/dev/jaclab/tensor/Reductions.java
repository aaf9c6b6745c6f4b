package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;

/** Reduction primitives: sum and max/min over any set of dims, with keepDim. */
final class Reductions {
    private Reductions() {}

    /** Base: normalised dims and the keepDim flag. */
    abstract static class Reduce extends Primitive {
        final int[] dims;
        final boolean keepDim;

        Reduce(int[] dims, boolean keepDim) {
            this.dims = dims.clone();
            Arrays.sort(this.dims);
            this.keepDim = keepDim;
        }

        @Override protected long[] shape(long[][] in) {
            long[] s = in[0];
            for (int d : dims)
                if (d < 0 || d >= s.length) throw new IllegalArgumentException(name() + ": dim " + d + " out of range for shape " + Shapes.str(s));
            return reducedShape(s, dims, keepDim);
        }

        int[] physical(int batchDims) {
            int[] p = new int[dims.length];
            for (int i = 0; i < p.length; i++) p[i] = dims[i] + batchDims;
            return p;
        }

        @Override public boolean perSample(Node n, int input) {
            return dims.length == 0 || dims[0] != 0;
        }
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

    static final class Sum extends Reduce {
        Sum(int[] dims, boolean keepDim) { super(dims, keepDim); }
        @Override public String name() { return "sum"; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].sum(physical(b), keepDim); }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor x = n.inputs()[0];
            Tensor gk = keepDim ? g : g.reshape(reducedShape(x.shape(), dims, true));
            return new Tensor[]{gk.expand(x.shape())};
        }
        @Override protected Tensor jvp(Tensor[] t, Node n) { return t[0].sum(dims, keepDim); }

        /**
         * Over the sample axis, a row-local input wants only its own row r_c of the cotangent: the broadcast of g
         * to that one row (O(width) per seed, not O(N·width)), so a batch mean costs the row-sparse sweep nothing.
         */
        @Override public boolean hasOwnRowsVjp() { return true; }

        @Override protected Tensor[] vjpOwnRows(Tensor g, Node n, Own[] own, long[] rows) {
            if (own[0] != Own.ROW || dims.length == 0 || dims[0] != 0) return null;
            Tensor x = n.inputs()[0];
            long[] row = x.shape().clone();
            row[0] = 1;
            return new Tensor[]{(keepDim ? g : g.reshape(reducedShape(x.shape(), dims, true))).expand(row)};
        }
    }

    /** max (isMax) or min over dims; ties share the derivative equally. */
    static final class Extreme extends Reduce {
        final boolean isMax;
        Extreme(int[] dims, boolean keepDim, boolean isMax) { super(dims, keepDim); this.isMax = isMax; }
        @Override public String name() { return isMax ? "max" : "min"; }
        @Override protected NdArray forward(NdArray[] in, int b) {
            return isMax ? in[0].max(physical(b), keepDim) : in[0].min(physical(b), keepDim);
        }
        /** Constant weights: 1/count where x attains the extreme, else 0. */
        private Tensor weights(Node n) {
            Tensor x = n.inputs()[0];
            Tensor y = n.output().detach().reshape(reducedShape(x.shape(), dims, true));
            Tensor hit = x.detach().eq(y);
            return hit.div(hit.sum(dims, true));
        }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor x = n.inputs()[0];
            Tensor gk = keepDim ? g : g.reshape(reducedShape(x.shape(), dims, true));
            return new Tensor[]{gk.mul(weights(n))};
        }
        @Override protected Tensor jvp(Tensor[] t, Node n) { return t[0].mul(weights(n)).sum(dims, keepDim); }
    }
}
