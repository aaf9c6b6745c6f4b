package dev.jaclab.tensor;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;

/**
 * Shape primitives: reshape, permute, expand, narrow and its adjoint, indexSelect and its adjoint, concat, diagonal
 * and its adjoint, cast. All are {@link Linear}: each states its shape rule, forward and transpose (VJP).
 */
final class ShapeOps {
    private ShapeOps() {}

    static long[] batchShape(NdArray a, int batchDims) { return Shapes.prefix(a.shape(), batchDims); }

    static final class Reshape extends Linear implements RowMap {
        final long[] target;
        Reshape(long[] target) { this.target = target; }
        @Override public String name() { return "reshape"; }
        @Override public long rowsPerRow(Node n) { return RowMap.reshapeRows(n.inputs()[0].shape(), n.output().shape()); }
        @Override protected long[] shape(long[][] in) {
            if (Shapes.numel(in[0]) != Shapes.numel(target))
                throw new IllegalArgumentException("reshape: cannot view " + Shapes.str(in[0]) + " as " + Shapes.str(target));
            return target;
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].reshape(Shapes.concat(batchShape(in[0], b), target)); }
        /** A view of contiguous data (a strided input is packed first, which this does not count). */
        @Override public Work work(long[][] in, long[] out, int b) { return Work.VIEW; }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.reshape(n.inputs()[0].shape())}; }
        @Override public boolean perSample(Node n, int input) {
            long[] in = n.inputs()[0].shape();
            return in.length > 0 && target.length > 0 && in[0] == target[0];
        }
    }

    static final class Permute extends Linear implements RowMap {
        final int[] perm;
        Permute(int[] perm) { this.perm = perm; }
        @Override public String name() { return "permute"; }
        @Override public boolean transposes(Node n) { return perm.length == 2 && perm[0] == 1; }
        @Override protected long[] shape(long[][] in) {
            long[] s = in[0];
            int[] sorted = perm.clone();
            Arrays.sort(sorted);
            if (perm.length != s.length || !Arrays.equals(sorted, Shapes.range(0, s.length)))
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation of the dims of " + Shapes.str(s));
            long[] o = new long[s.length];
            for (int i = 0; i < s.length; i++) o[i] = s[perm[i]];
            return o;
        }
        @Override protected NdArray forward(NdArray[] in, int b) {
            int[] p = new int[b + perm.length];
            for (int i = 0; i < b; i++) p[i] = i;
            for (int i = 0; i < perm.length; i++) p[b + i] = b + perm[i];
            return in[0].permute(p);
        }
        /** Swapping the last two dims is a strided view (matmul reads it with a transpose flag); others are a strided copy. */
        @Override public Work work(long[][] in, long[] out, int b) {
            int r = perm.length;
            boolean swapLast = r >= 2 && perm[r - 2] == r - 1 && perm[r - 1] == r - 2;
            for (int d = 0; d < r - 2; d++) swapLast &= perm[d] == d;
            return swapLast ? Work.VIEW : Work.stridedCopy(numel(out));
        }
        int[] inverse() {
            int[] inv = new int[perm.length];
            for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
            return inv;
        }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.permute(inverse())}; }
        @Override public boolean perSample(Node n, int input) { return perm.length > 0 && perm[0] == 0; }
    }

    static final class Expand extends Linear {
        final long[] target;
        Expand(long[] target) { this.target = target; }
        @Override public String name() { return "expand"; }
        @Override protected long[] shape(long[][] in) {
            if (!Shapes.broadcastsTo(in[0], target))
                throw new IllegalArgumentException("expand: " + Shapes.str(in[0]) + " cannot broadcast to " + Shapes.str(target));
            return target;
        }
        @Override protected NdArray forward(NdArray[] in, int b) {
            long[] own = Shapes.suffix(in[0].shape(), b);
            NdArray x = in[0].reshape(Shapes.concat(batchShape(in[0], b), Shapes.padLeft(own, target.length)));
            return x.broadcastTo(Shapes.concat(batchShape(in[0], b), target));
        }
        /** The broadcast made real: each output element read from its source by a strided copy (none when nothing grows). */
        @Override public Work work(long[][] in, long[] out, int b) { return Arrays.equals(in[0], out) ? Work.VIEW : Work.stridedCopy(numel(out)); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.sumTo(n.inputs()[0].shape())}; }
        @Override public boolean perSample(Node n, int input) { return keepsSampleAxis(n, input); }
    }

    /** Slice [start, start+length) along dim. */
    static final class Narrow extends Linear {
        final int dim;
        final long start, length;
        Narrow(int dim, long start, long length) { this.dim = dim; this.start = start; this.length = length; }
        @Override public String name() { return "narrow"; }
        @Override protected long[] shape(long[][] in) {
            long[] s = in[0].clone();
            if (dim >= s.length || start < 0 || length < 0 || start + length > s[dim])
                throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") along dim " + dim
                        + " is outside shape " + Shapes.str(in[0]));
            s[dim] = length;
            return s;
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].narrow(dim + b, start, length); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.padNarrow(dim, start, n.inputs()[0].size(dim))}; }
        @Override public boolean perSample(Node n, int input) { return dim != 0; }
    }

    /** Adjoint of narrow: zeros of {@code size} along dim with the input at [start, start+len). */
    static final class PadNarrow extends Linear {
        final int dim;
        final long start, size;
        PadNarrow(int dim, long start, long size) { this.dim = dim; this.start = start; this.size = size; }
        @Override public String name() { return "padNarrow"; }
        @Override protected long[] shape(long[][] in) {
            long[] s = in[0].clone();
            if (dim >= s.length || start < 0 || start + s[dim] > size)
                throw new IllegalArgumentException("padNarrow: " + Shapes.str(in[0]) + " at " + start + " does not fit size " + size + " along dim " + dim);
            s[dim] = size;
            return s;
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].padNarrow(dim + b, start, size); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.narrow(dim, start, n.inputs()[0].size(dim))}; }
        @Override public boolean perSample(Node n, int input) { return dim != 0; }
    }

    /** The slices {@code index} along dim (PyTorch's index_select; not its gather, which picks per element). */
    static final class IndexSelect extends Linear {
        final int dim;
        final long[] index;
        IndexSelect(int dim, long[] index) { this.dim = dim; this.index = index; }
        @Override public String name() { return "indexSelect"; }
        @Override protected long[] shape(long[][] in) {
            long[] s = in[0].clone();
            if (dim >= s.length) throw new IllegalArgumentException("indexSelect: dim " + dim + " out of range for " + Shapes.str(in[0]));
            for (long i : index)
                if (i < 0 || i >= s[dim]) throw new IllegalArgumentException("indexSelect: index " + i + " out of range for dim " + dim + " of " + Shapes.str(in[0]));
            s[dim] = index.length;
            return s;
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].indexSelect(dim + b, index); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.scatterAdd(dim, index, n.inputs()[0].size(dim))}; }
        @Override public boolean perSample(Node n, int input) { return dim != 0; }
    }

    /** Adjoint of indexSelect: slice k of the input is added at {@code index[k]} of a zero tensor of {@code size}. */
    static final class ScatterAdd extends Linear {
        final int dim;
        final long[] index;
        final long size;
        ScatterAdd(int dim, long[] index, long size) { this.dim = dim; this.index = index; this.size = size; }
        @Override public String name() { return "scatterAdd"; }
        @Override protected long[] shape(long[][] in) {
            long[] s = in[0].clone();
            if (dim >= s.length || s[dim] != index.length)
                throw new IllegalArgumentException("scatterAdd: " + index.length + " indices for dim " + dim + " of " + Shapes.str(in[0]));
            s[dim] = size;
            return s;
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].scatterAdd(dim + b, index, size); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.indexSelect(dim, index)}; }
        @Override public boolean perSample(Node n, int input) { return dim != 0; }
    }

    static final class Concat extends Linear {
        final int dim;
        Concat(int dim) { this.dim = dim; }
        @Override public String name() { return "concat"; }
        @Override protected long[] shape(long[][] in) {
            long[] out = in[0].clone();
            if (dim >= out.length) throw new IllegalArgumentException("concat: dim " + dim + " out of range for " + Shapes.str(in[0]));
            for (int i = 1; i < in.length; i++) {
                boolean ok = in[i].length == out.length;
                for (int d = 0; ok && d < out.length; d++) ok = d == dim || in[i][d] == in[0][d];
                if (!ok) throw new IllegalArgumentException("concat: shapes " + Shapes.str(in[0]) + " and " + Shapes.str(in[i])
                        + " differ outside dim " + dim);
                out[dim] += in[i][dim];
            }
            return out;
        }
        @Override protected NdArray forward(NdArray[] in, int b) {
            long[] batch = new long[b];
            for (NdArray a : in) for (int i = 0; i < b; i++) batch[i] = Math.max(batch[i], a.shape()[i]);
            NdArray[] parts = new NdArray[in.length];
            for (int i = 0; i < in.length; i++)
                parts[i] = in[i].broadcastTo(Shapes.concat(batch, Shapes.suffix(in[i].shape(), b)));
            return NdArray.concat(dim + b, parts);
        }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor[] in = n.inputs(), out = new Tensor[in.length];
            long off = 0;
            for (int i = 0; i < in.length; i++) {
                long len = in[i].size(dim);
                out[i] = Elementwise.need(n, i) ? g.narrow(dim, off, len) : null;
                off += len;
            }
            return out;
        }
        @Override public boolean perSample(Node n, int input) { return dim != 0; }
    }

    /** Diagonal of the last two (square) dims: (..., p, p) → (..., p). */
    static final class Diagonal extends Linear {
        @Override public String name() { return "diagonal"; }
        @Override protected long[] shape(long[][] in) {
            long[] s = in[0];
            if (s.length < 2 || s[s.length - 1] != s[s.length - 2])
                throw new IllegalArgumentException("diagonal: needs square last two dims, got " + Shapes.str(s));
            return Shapes.prefix(s, s.length - 1);
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].diagonal(); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.diagEmbed()}; }
        @Override public boolean perSample(Node n, int input) { return n.inputs()[0].shape().length >= 3; }
    }

    /** (..., p) → (..., p, p) with the input on the diagonal. */
    static final class DiagEmbed extends Linear {
        @Override public String name() { return "diagEmbed"; }
        @Override protected long[] shape(long[][] in) {
            if (in[0].length < 1) throw new IllegalArgumentException("diagEmbed: needs rank >= 1, got a scalar");
            return Shapes.concat(in[0], new long[]{in[0][in[0].length - 1]});
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].diagEmbed(); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.diagonal()}; }
        @Override public boolean perSample(Node n, int input) { return n.inputs()[0].shape().length >= 2; }
    }

    static final class Cast extends Linear {
        final DType to;
        Cast(DType to) { this.to = to; }
        @Override public String name() { return "cast"; }
        @Override protected long[] shape(long[][] in) { return in[0]; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].cast(to); }
        @Override protected Tensor apply(Tensor... in) { return in[0].cast(to); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.cast(n.inputs()[0].dtype())}; }
        @Override public boolean perSample(Node n, int input) { return true; }
        @Override public boolean positionwise(Node n, int input) { return sameShapeAsOutput(n, input); }
    }
}
