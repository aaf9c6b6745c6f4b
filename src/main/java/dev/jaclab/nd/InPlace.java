package dev.jaclab.nd;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * In-place updates of arrays that belong to their owner for a long time: parameters and optimizer state. Every
 * {@link NdArray} elsewhere is an immutable value; these helpers write into the target's buffer without allocating
 * an array of its size, so an optimizer step costs no fresh off-heap memory. Operands must have the target's shape
 * and dtype (errors name the helper and both shapes).
 *
 * <pre>{@code
 * NdArray p = InPlace.zerosOwned(DType.FLOAT64, 3);           // an owned buffer (never freed by an Arena)
 * InPlace.axpy(-0.1, NdArray.fromDoubles(DType.FLOAT64, new double[]{1, 2, 3}, 3), p);   // p -= 0.1·g
 * InPlace.dot(p, p);                                          // 0.14
 * }</pre>
 */
public final class InPlace {
    private InPlace() {}

    /** A zero-filled array owned by the caller: not tracked by an enclosing {@link Arena} (optimizer state, parameters). */
    public static NdArray zerosOwned(DType t, long... shape) { return NdArray.borrow(Nd4j.zeros(NdArray.nd(t), shape)); }

    /** A packed copy of {@code src} owned by the caller (not tracked by an {@link Arena}), in dtype {@code t}. */
    public static NdArray copyOwned(NdArray src, DType t) {
        INDArray c = src.a.castTo(NdArray.nd(t));
        if (c == src.a || c.isView() || c.ordering() != 'c') c = c.dup('c');
        return NdArray.borrow(c);
    }

    private static void same(String op, NdArray dst, NdArray src) {
        if (!Arrays.equals(dst.shape(), src.shape()) || dst.dtype() != src.dtype())
            throw new IllegalArgumentException(op + ": operand " + Shapes.str(src.shape()) + " " + src.dtype() + " does not match target "
                    + Shapes.str(dst.shape()) + " " + dst.dtype());
    }

    /**
     * The elements of a packed float32 host array (c order, offset 0) as a buffer that reads and writes them in place,
     * or null when {@code x} is not one (a view, float64, a device array): for update loops in plain Java.
     */
    public static java.nio.FloatBuffer hostFloats(NdArray x) {
        return hostPacked(x, DType.FLOAT32) ? Strided.bytes(x.a).asFloatBuffer() : null;
    }

    /** As {@link #hostFloats}, for a packed float64 host array. */
    public static java.nio.DoubleBuffer hostDoubles(NdArray x) {
        return hostPacked(x, DType.FLOAT64) ? Strided.bytes(x.a).asDoubleBuffer() : null;
    }

    private static boolean hostPacked(NdArray x, DType t) {
        return HOST && !x.isShapeOnly() && x.dtype() == t && x.numel() > 0 && x.a.ordering() == 'c' && x.a.offset() == 0
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x.a);
    }

    private static final boolean HOST = !Backend.kind().equals("CUDA");

    /** y += alpha·x. */
    public static void axpy(double alpha, NdArray x, NdArray y) {
        same("axpy", y, x);
        if (alpha == 0) return;
        Nd4j.exec(new Axpy(x.a, y.a, y.a, alpha));
    }

    /** dst = src (values copied, casting allowed). */
    public static void assign(NdArray dst, NdArray src) {
        if (!Arrays.equals(dst.shape(), src.shape()))
            throw new IllegalArgumentException("assign: value of shape " + Shapes.str(src.shape()) + " does not fit " + Shapes.str(dst.shape()));
        dst.a.assign(src.a);
    }

    /**
     * dst[start : start + k] = src along axis 0, where src holds k rows shaped like dst's (dst packed): how a strategy
     * that computes its result in blocks of rows writes each block into place without a concatenation.
     */
    public static void assignRows(NdArray dst, long start, NdArray src) { assignRows(dst, start, src, null); }

    /**
     * dst[start : start + k] = src.permute(perm) along axis 0, the permutation done by the copy itself (one pass; a
     * null perm is the identity): a block's sample-major (m, k, n) sweep result lands as rows (k, m, n).
     */
    public static void assignRows(NdArray dst, long start, NdArray src, int[] perm) {
        long[] d = dst.shape(), s0 = src.shape(), s = perm == null ? s0 : new long[s0.length];
        if (perm != null) for (int i = 0; i < perm.length; i++) s[i] = s0[perm[i]];
        if (d.length != s.length || d.length == 0 || !Arrays.equals(Arrays.copyOfRange(d, 1, d.length), Arrays.copyOfRange(s, 1, s.length))
                || start < 0 || start + s[0] > d[0] || dst.dtype() != src.dtype())
            throw new IllegalArgumentException("assignRows: rows " + Shapes.str(s) + " " + src.dtype() + " at row " + start + " do not fit "
                    + Shapes.str(d) + " " + dst.dtype());
        if (dst.a.isView() || dst.a.ordering() != 'c')
            throw new IllegalArgumentException("assignRows: target " + Shapes.str(d) + " is not a packed array");
        if (s[0] == 0) return;
        long[] packed = Strided.packedStrides(s0);
        if (Strided.supported(src.a, dst.numel()) && Arrays.equals(src.a.stride(), packed) && dst.bytes() < Integer.MAX_VALUE) {
            long[] strides = new long[s.length];
            for (int i = 0; i < s.length; i++) strides[i] = packed[perm == null ? i : perm[i]];
            Strided.copyInto(src.a, s, strides, dst.a, start * (dst.numel() / d[0]));
            return;
        }
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[d.length];
        idx[0] = org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + s[0]);
        for (int i = 1; i < d.length; i++) idx[i] = org.nd4j.linalg.indexing.NDArrayIndex.all();
        dst.a.get(idx).assign(perm == null ? src.a : src.a.permute(perm));
    }

    /**
     * dst[offset + idx] = src.permute(perm)[idx] for every index idx of the permuted source: a block of a larger packed
     * result written in place at {@code offset} (one start per dim of dst; a null perm is the identity) — a sum
     * strategy's group of g seed directions, swept as (g, N, n), lands as block rows k0 .. k0 + g of its (N, m, n)
     * result. One host pass for packed float32/float64 sources; a shape-only target is left as it is.
     */
    public static void assignBlock(NdArray dst, long[] offset, NdArray src, int[] perm) {
        long[] d = dst.shape(), s0 = src.shape(), s = perm == null ? s0.clone() : new long[s0.length];
        if (perm != null) for (int i = 0; i < perm.length; i++) s[i] = s0[perm[i]];
        boolean fits = d.length == s.length && offset.length == d.length && dst.dtype() == src.dtype();
        for (int i = 0; fits && i < d.length; i++) fits = offset[i] >= 0 && offset[i] + s[i] <= d[i];
        if (!fits)
            throw new IllegalArgumentException("assignBlock: block " + Shapes.str(s) + " " + src.dtype() + " at " + Arrays.toString(offset)
                    + " does not fit " + Shapes.str(d) + " " + dst.dtype());
        if (dst.isShapeOnly() || Shapes.numel(s) == 0) return;
        if (dst.a.isView() || dst.a.ordering() != 'c')
            throw new IllegalArgumentException("assignBlock: target " + Shapes.str(d) + " is not a packed array");
        long[] packed = Strided.packedStrides(s0);
        if (Strided.supported(src.a, dst.numel()) && Arrays.equals(src.a.stride(), packed) && dst.bytes() < Integer.MAX_VALUE) {
            long[] from = new long[s.length], to = Strided.packedStrides(d);
            long at = 0;
            for (int i = 0; i < s.length; i++) {
                from[i] = packed[perm == null ? i : perm[i]];
                at += offset[i] * to[i];
            }
            Strided.copyBlock(src.a, s, from, dst.a, at, to);
            return;
        }
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[d.length];
        for (int i = 0; i < d.length; i++) idx[i] = org.nd4j.linalg.indexing.NDArrayIndex.interval(offset[i], offset[i] + s[i]);
        dst.a.get(idx).assign(perm == null ? src.a : src.a.permute(perm));
    }

    /** dst = v everywhere. */
    public static void fill(NdArray dst, double v) { dst.a.assign(v); }

    /** dst ·= s. */
    public static void scale(NdArray dst, double s) { if (s != 1) dst.a.muli(s); }

    /** dst += s. */
    public static void addScalar(NdArray dst, double s) { if (s != 0) dst.a.addi(s); }

    /** dst ·= x elementwise. */
    public static void mul(NdArray dst, NdArray x) { same("mul", dst, x); dst.a.muli(x.a); }

    /** dst = x / dst elementwise. */
    public static void divideInto(NdArray x, NdArray dst) { same("divideInto", dst, x); dst.a.rdivi(x.a); }

    /** dst = √dst elementwise. */
    public static void sqrt(NdArray dst) { Transforms.sqrt(dst.a, false); }

    /** dst = max(dst, x) elementwise (AMSGrad's running maximum). */
    public static void maximum(NdArray dst, NdArray x) { same("maximum", dst, x); Transforms.max(dst.a, x.a, false); }

    /** Adds {@code delta} to the element at row-major position {@code index} (finite differences on a parameter). */
    public static void addAt(NdArray dst, long index, double delta) {
        if (index < 0 || index >= dst.numel())
            throw new IllegalArgumentException("addAt: index " + index + " outside an array of " + dst.numel() + " elements");
        long[] at = org.nd4j.linalg.api.shape.Shape.ind2subC(dst.a, index);
        dst.a.putScalar(at, dst.a.getDouble(at) + delta);
    }

    /** Σ a·b over all elements (no temporary array). */
    public static double dot(NdArray a, NdArray b) {
        same("dot", a, b);
        return Nd4j.getBlasWrapper().level1().dot(a.numel(), 1.0, flat(a.a), flat(b.a));
    }

    /** Σ a² over all elements. */
    public static double squaredNorm(NdArray a) {
        double n = a.a.norm2Number().doubleValue();
        return n * n;
    }

    /** max |a| over all elements (0 for an empty array). */
    public static double maxAbs(NdArray a) { return a.numel() == 0 ? 0 : a.a.amaxNumber().doubleValue(); }

    /** Σ |a| over all elements. */
    public static double sumAbs(NdArray a) { return a.numel() == 0 ? 0 : a.a.norm1Number().doubleValue(); }

    /**
     * Copies {@code parts} one after another into the vector {@code flat} (its length must be their total size); a
     * null part fills its segment, of {@code sizes[i]} elements, with zeros.
     */
    public static void gather(NdArray flat, NdArray[] parts, long[] sizes) {
        checkFlat("gather", flat, sizes);
        long off = 0;
        for (int i = 0; i < parts.length; i++) {
            INDArray seg = segment(flat, off, sizes[i]);
            if (parts[i] == null) seg.assign(0);
            else {
                if (parts[i].numel() != sizes[i])
                    throw new IllegalArgumentException("gather: part " + i + " has " + parts[i].numel() + " elements, its segment " + sizes[i]);
                seg.assign(flat(parts[i].a));
            }
            off += sizes[i];
        }
    }

    /** targets[i] = segment i of {@code flat} (the inverse of {@link #gather}); targets must be packed. */
    public static void scatter(NdArray flat, NdArray[] targets) { scatterAxpy(Double.NaN, flat, targets); }

    /** targets[i] += alpha · segment i of {@code flat}; targets must be packed (parameters are). */
    public static void scatterAxpy(double alpha, NdArray flat, NdArray[] targets) {
        long[] sizes = new long[targets.length];
        for (int i = 0; i < targets.length; i++) sizes[i] = targets[i].numel();
        checkFlat("scatter", flat, sizes);
        long off = 0;
        for (NdArray t : targets) {
            if (t.a.isView() || t.a.ordering() != 'c')
                throw new IllegalArgumentException("scatter: target " + Shapes.str(t.shape()) + " is not a packed array");
            INDArray seg = segment(flat, off, t.numel()), dst = flat(t.a);
            if (Double.isNaN(alpha)) dst.assign(seg);
            else if (alpha != 0) Nd4j.exec(new Axpy(seg, dst, dst, alpha));
            off += t.numel();
        }
    }

    private static void checkFlat(String op, NdArray flat, long[] sizes) {
        long total = 0;
        for (long n : sizes) total += n;
        if (flat.rank() != 1 || flat.numel() != total || flat.a.isView())
            throw new IllegalArgumentException(op + ": flat vector " + Shapes.str(flat.shape()) + " does not hold the parts' " + total + " elements");
    }

    private static INDArray segment(NdArray flat, long off, long n) {
        return flat.a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + n));
    }

    private static INDArray flat(INDArray x) {
        if (x.rank() == 1 && !x.isView()) return x;
        return (x.ordering() == 'c' && !x.isView() ? x : x.dup('c')).reshape('c', new long[]{x.length()});
    }
}
