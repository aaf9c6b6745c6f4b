package dev.jaclab.nd;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An immutable n-dimensional array of float32 or float64: a thin value over ND4J's INDArray with NumPy
 * broadcasting and no calculus. Every method returns a new array (or a view that is never written to).
 * This package is the only code that touches ND4J.
 *
 * <pre>{@code
 * NdArray a = NdArray.fromDoubles(DType.FLOAT64, new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
 * NdArray b = a.add(NdArray.fromDoubles(DType.FLOAT64, new double[]{10, 20, 30}, 3));   // broadcast
 * }</pre>
 */
public final class NdArray implements AutoCloseable {
    static { Backend.configure(); }

    final INDArray a;
    /** Shape and dtype of a shape-only array (no values, no memory), else null: see {@link #shapeOnly}. */
    private final long[] traced;
    private final DType tracedType;

    /** The {@link Pool} generation of the buffer when this wrapper was made: a later one means the buffer was recycled. */
    private final int generation;

    NdArray(INDArray a) {
        this.a = a;
        this.traced = null;
        this.tracedType = null;
        this.generation = Pool.generation(a);
        Arena.track(this);
    }

    /** A wrapper around an array owned by someone else (never freed by an {@link Arena}). */
    private NdArray(INDArray a, boolean borrowed) { this.a = a; this.traced = null; this.tracedType = null; this.generation = Pool.generation(a); }

    private NdArray(DType t, long[] shape) { this.a = null; this.traced = shape.clone(); this.tracedType = t; this.generation = 0; }

    /**
     * A shape-only array: shape and dtype, no values and no memory, for tracing a model's shapes at a large N without
     * running it (the tensor layer's shape trace). Shape queries and view-like ops (reshape, permute, broadcastTo,
     * narrow, cast, compare) give shape-only results; any op that needs values fails.
     *
     * <pre>{@code
     * NdArray s = NdArray.shapeOnly(DType.FLOAT32, 1_000_000, 16);   // 64 MB that are never allocated
     * s.reshape(16_000_000).shape();                                   // [16000000]
     * }</pre>
     */
    public static NdArray shapeOnly(DType t, long... shape) { return new NdArray(t, shape); }

    /** Whether this array has a shape and no values ({@link #shapeOnly}). */
    public boolean isShapeOnly() { return traced != null; }

    static NdArray borrow(INDArray a) { return new NdArray(a, true); }

    /** Touches ND4J so the backend loads (first call ~1-2 s). */
    public static void ensureLoaded() { Nd4j.getBackend(); }

    // ---------------------------------------------------------------- creation

    static DataType nd(DType t) { return t == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT; }

    public static NdArray zeros(DType t, long... shape) { return new NdArray(Nd4j.zeros(nd(t), shape)); }

    /** A packed array whose values are undefined until written (a result filled block by block). */
    public static NdArray uninitialized(DType t, long... shape) { return new NdArray(Nd4j.createUninitialized(nd(t), shape)); }

    public static NdArray full(DType t, double v, long... shape) {
        return shape.length == 0 ? scalar(t, v) : new NdArray(Nd4j.valueArrayOf(shape, v, nd(t)));
    }

    public static NdArray scalar(DType t, double v) { return new NdArray(Nd4j.scalar(nd(t), v)); }

    public static NdArray fromDoubles(DType t, double[] data, long... shape) {
        check(data.length, shape);
        if (shape.length == 0) return scalar(t, data[0]);
        INDArray d = Nd4j.create(data, shape, DataType.DOUBLE);
        if (t == DType.FLOAT64) return new NdArray(d);
        INDArray f = d.castTo(nd(t));
        d.close();
        return new NdArray(f);
    }

    public static NdArray fromFloats(DType t, float[] data, long... shape) {
        check(data.length, shape);
        if (shape.length == 0) return scalar(t, data[0]);
        return new NdArray(Nd4j.create(data, shape, 'c').castTo(nd(t)));
    }

    private static void check(int len, long[] shape) {
        if (Shapes.numel(shape) != len)
            throw new IllegalArgumentException("fromArray: " + len + " values do not fill shape " + Shapes.str(shape));
    }

    public static NdArray eye(DType t, long n) { return new NdArray(Nd4j.eye(n).castTo(nd(t))); }

    public static NdArray arange(DType t, double start, double end, double step) {
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return fromDoubles(t, d, n);
    }

    /** Standard normal (gaussian=true) or uniform [0,1) values from a seeded generator, same on every backend. */
    public static NdArray random(DType t, long seed, boolean gaussian, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] d = new double[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) d[i] = gaussian ? r.nextGaussian() : r.nextDouble();
        return fromDoubles(t, d, shape);
    }

    // ---------------------------------------------------------------- accessors

    public long[] shape() { return traced != null ? traced.clone() : a.shape(); }

    public int rank() { return traced != null ? traced.length : a.rank(); }

    public long numel() { return traced != null ? Shapes.numel(traced) : a.length(); }

    public DType dtype() { return traced != null ? tracedType : a.dataType() == DataType.DOUBLE ? DType.FLOAT64 : DType.FLOAT32; }

    public long bytes() { return numel() * dtype().bytes(); }

    /** The values in row-major order (a bulk copy: per-element reads cost ~µs each through INDArray). */
    public double[] toDoubleArray() {
        if (a.rank() == 0) return new double[]{a.getDouble(0)};
        INDArray packed = isPacked(a) ? a : a.dup('c');
        double[] v = values(packed);
        if (packed != a) packed.close();
        return v;
    }

    /** The values of a packed array, row-major, in one bulk copy. */
    static double[] values(INDArray packed) { return packed.data().getDoublesAt(0, (int) packed.length()); }

    public double getDouble(long... idx) { return idx.length == 0 ? a.getDouble(0) : a.getDouble(idx); }

    public NdArray cast(DType t) { return t == dtype() ? this : traced != null ? shapeOnly(t, traced) : new NdArray(a.castTo(nd(t))); }

    /** Frees the off-heap buffer now (the array must not be used afterwards). */
    @Override public void close() { if (traced == null && !a.isView() && a.closeable()) a.close(); }

    /** Hands the buffer to the {@link Pool} for reuse, or frees it when it cannot be pooled (the array must not be used afterwards). */
    void release() { if (traced == null && !a.isView() && a.closeable() && !Pool.recycle(a)) a.close(); }

    /**
     * Whether the off-heap buffer was freed ({@link #close}, an {@link Arena}) or recycled since this wrapper was made
     * (then it may hold another value now); never for a shape-only array.
     */
    public boolean isClosed() { return traced == null && (a.wasClosed() || Pool.generation(a) != generation); }

    @Override public String toString() { return traced != null ? "shape-only " + Shapes.str(traced) : a.toString(); }

    // ---------------------------------------------------------------- elementwise

    private static NdArray binary(String op, NdArray x, NdArray y) {
        DType t = DType.promote(x.dtype(), y.dtype());
        INDArray p = x.cast(t).a, q = y.cast(t).a;
        if (p.rank() > 0 && q.length() == 1 && q.rank() <= p.rank()) {         // a scalar, or a (1, 1) broadcast one
            double s = q.getDouble(0);
            INDArray fast = SmallOps.scalar(op, p, s);
            if (fast != null) return new NdArray(fast);
            INDArray z = Pool.uninitialized(p.dataType(), p.shape());          // a pooled output (large ones included)
            switch (op) {
                case "add": return new NdArray(p.add(s, z));
                case "sub": return new NdArray(p.sub(s, z));
                case "mul": return new NdArray(p.mul(s, z));
                default: return new NdArray(p.div(s, z));
            }
        }
        long[] out = Shapes.broadcast(op, p.shape(), q.shape());
        if (out.length == 0) {
            double u = p.getDouble(0), v = q.getDouble(0);
            double r = op.equals("add") ? u + v : op.equals("sub") ? u - v : op.equals("mul") ? u * v : u / v;
            return scalar(t, r);
        }
        if (java.util.Arrays.equals(p.shape(), q.shape())) {
            INDArray fast = SmallOps.same(op, p, q);
            if (fast != null) return new NdArray(fast);
            INDArray z = Pool.uninitialized(p.dataType(), out);
            switch (op) {
                case "add": return new NdArray(p.add(q, z));
                case "sub": return new NdArray(p.sub(q, z));
                case "mul": return new NdArray(p.mul(q, z));
                default: return new NdArray(p.div(q, z));
            }
        }
        if (p.rank() == 0) p = p.reshape(Shapes.padLeft(new long[0], out.length));
        if (q.rank() == 0) q = q.reshape(Shapes.padLeft(new long[0], out.length));
        INDArray loop = SmallOps.broadcast(op, p, q, out);
        if (loop != null) return new NdArray(loop);
        INDArray z = Pool.uninitialized(p.dataType(), out);
        INDArray[] in = {p, q}, o = {z};
        switch (op) {
            case "add": Nd4j.exec(new AddOp(in, o)); break;
            case "sub": Nd4j.exec(new SubOp(in, o)); break;
            case "mul": Nd4j.exec(new MulOp(in, o)); break;
            default: Nd4j.exec(new DivOp(in, o));
        }
        return new NdArray(z);
    }

    public NdArray add(NdArray o) { return binary("add", this, o); }

    public NdArray sub(NdArray o) { return binary("sub", this, o); }

    public NdArray mul(NdArray o) { return binary("mul", this, o); }

    public NdArray div(NdArray o) { return binary("div", this, o); }

    public NdArray add(double s) { return scalarOp("add", s); }

    public NdArray mul(double s) { return scalarOp("mul", s); }

    public NdArray neg() {
        INDArray fast = SmallOps.scalar("mul", a, -1.0);
        return new NdArray(fast != null ? fast : a.neg());
    }

    private NdArray scalarOp(String op, double s) {
        INDArray fast = SmallOps.scalar(op, a, s);
        if (fast != null) return new NdArray(fast);
        INDArray z = Pool.uninitialized(a.dataType(), a.shape());
        return new NdArray(op.equals("add") ? a.add(s, z) : a.mul(s, z));
    }

    public NdArray exp() { return new NdArray(FloatKernels.supported(a) ? FloatKernels.apply(FloatKernels.Fn.EXP, a) : Transforms.exp(a, true)); }

    public NdArray log() { return new NdArray(Transforms.log(a, true)); }

    public NdArray sin() { return new NdArray(FloatKernels.supported(a) ? FloatKernels.apply(FloatKernels.Fn.SIN, a) : Transforms.sin(a, true)); }

    public NdArray cos() { return new NdArray(FloatKernels.supported(a) ? FloatKernels.apply(FloatKernels.Fn.COS, a) : Transforms.cos(a, true)); }

    public NdArray tanh() { return new NdArray(FloatKernels.supported(a) ? FloatKernels.apply(FloatKernels.Fn.TANH, a) : Transforms.tanh(a, true)); }

    /** 1 − x² in one pass (tanh's derivative from its output): the same two roundings as {@code 1 - x*x}. */
    public NdArray oneMinusSquare() {
        return new NdArray(FloatKernels.supported(a) ? FloatKernels.apply(FloatKernels.Fn.ONE_MINUS_SQUARE, a) : a.mul(a).rsubi(1.0));
    }

    /**
     * this · (1 − y²) — tanh's VJP (or JVP) from its output y — with y repeated over this array's leading dims (this
     * shaped (..., y's shape)): one pass for float32 host arrays, the same roundings as {@code mul(y.oneMinusSquare())},
     * which the other cases run.
     */
    public NdArray mulOneMinusSquare(NdArray y) {
        long[] s = shape(), ys = y.shape();
        if (s.length < ys.length || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(s, s.length - ys.length, s.length), ys))
            throw new IllegalArgumentException("mulOneMinusSquare: " + Shapes.str(ys) + " is not the trailing shape of " + Shapes.str(s));
        if (dtype() == y.dtype() && y.numel() > 0 && FloatKernels.supported(a) && FloatKernels.supported(y.a))
            return new NdArray(FloatKernels.mulOneMinusSquare(a, y.a));
        NdArray d = y.oneMinusSquare(), out = mul(d);
        d.close();
        return out;
    }

    public NdArray abs() { return new NdArray(Transforms.abs(a, true)); }

    public NdArray sign() { return new NdArray(Transforms.sign(a, true)); }

    public NdArray pow(double p) {
        if (p == 2) return new NdArray(a.mul(a));
        return new NdArray(Transforms.pow(a, p, true));
    }

    /** Comparison: 1 where {@code this op o} holds, else 0 (same float dtype); op is gt, ge, lt, le, eq or ne. */
    public NdArray compare(String op, NdArray o) {
        DType t = DType.promote(dtype(), o.dtype());
        long[] out = Shapes.broadcast(op, shape(), o.shape());
        if (traced != null || o.traced != null) return shapeOnly(t, out);
        INDArray p = broadcastTo(out).cast(t).a, q = o.broadcastTo(out).cast(t).a;
        INDArray m;
        switch (op) {
            case "gt": m = tracked(p.gt(q)); break;
            case "ge": m = tracked(tracked(tracked(p.gt(q)).castTo(DataType.DOUBLE)).addi(tracked(tracked(p.eq(q)).castTo(DataType.DOUBLE))).gt(0.5)); break;
            case "lt": m = tracked(p.lt(q)); break;
            case "le": m = tracked(tracked(tracked(p.lt(q)).castTo(DataType.DOUBLE)).addi(tracked(tracked(p.eq(q)).castTo(DataType.DOUBLE))).gt(0.5)); break;
            case "eq": m = tracked(p.eq(q)); break;
            case "ne": m = tracked(p.neq(q)); break;
            default: throw new IllegalArgumentException("compare: unknown comparison " + op);
        }
        return new NdArray(m.castTo(nd(t)));
    }

    /** {@code mask != 0 ? a : b}, all three broadcast together. */
    public static NdArray where(NdArray mask, NdArray x, NdArray y) {
        DType t = DType.promote(x.dtype(), y.dtype());
        long[] out = Shapes.broadcast("where", Shapes.broadcast("where", mask.shape(), x.shape()), y.shape());
        INDArray m = tracked(mask.broadcastTo(out).a.neq(0.0));
        INDArray z = Nd4j.createUninitialized(nd(t), out);
        Nd4j.exec(DynamicCustomOp.builder("select")
                .addInputs(m, tracked(x.broadcastTo(out).cast(t).a.dup('c')), tracked(y.broadcastTo(out).cast(t).a.dup('c')))
                .addOutputs(z).build());
        return new NdArray(z);
    }

    // ---------------------------------------------------------------- reductions

    public NdArray sum(int[] dims, boolean keepDim) {
        if (dims.length == 0) return this;
        if (dims.length == rank() && !keepDim) return scalar(dtype(), a.sumNumber().doubleValue());
        if (dims.length < rank() && isLeadingPrefix(dims) && numel() > 0) return sumLeading(dims.length, keepDim);
        return new NdArray(a.sum(keepDim, dims));
    }

    private static boolean isLeadingPrefix(int[] dims) {
        int[] d = dims.clone();
        java.util.Arrays.sort(d);
        for (int i = 0; i < d.length; i++) if (d[i] != i) return false;
        return true;
    }

    /**
     * Sum over the first {@code n} dims as one gemm, ones(1, M) · X(M, K): ND4J's own reduction over leading dims
     * is an order of magnitude slower (bias gradients, unbroadcasting, summing a batch of cotangents). A few wide rows
     * (M ≤ 16: directions, batch levels) take {@link RowSums}' loop instead; the gemm is slow there too.
     */
    private NdArray sumLeading(int n, boolean keepDim) {
        long[] s = shape();
        long m = Shapes.numel(Shapes.prefix(s, n)), k = Shapes.numel(Shapes.suffix(s, n));
        INDArray x = a.rank() == 2 && !a.isView() ? a : packedCopy(a).reshape('c', m, k);
        INDArray z = RowSums.sum(x, m, k);                     // a few wide rows: a Java loop at memory speed
        if (z == null) {
            z = Nd4j.createUninitialized(a.dataType(), 1, k);
            Nd4j.gemm(tracked(Nd4j.ones(a.dataType(), 1, m)), x, z, false, false, 1.0, 0.0);
        }
        long[] rest = Shapes.suffix(s, n);
        long[] out = keepDim ? Shapes.concat(Shapes.padLeft(new long[0], n), rest) : rest;
        return borrow(tracked(z).reshape('c', out));          // a reshape is a view ND4J will not close: track z itself
    }

    public NdArray max(int[] dims, boolean keepDim) {
        if (dims.length == rank() && !keepDim) return scalar(dtype(), a.max().getDouble(0));
        return new NdArray(a.max(keepDim, dims));
    }

    public NdArray min(int[] dims, boolean keepDim) {
        if (dims.length == rank() && !keepDim) return scalar(dtype(), a.min().getDouble(0));
        return new NdArray(a.min(keepDim, dims));
    }

    // ---------------------------------------------------------------- shape

    public NdArray reshape(long... shape) {
        if (Shapes.numel(shape) != numel())
            throw new IllegalArgumentException("reshape: cannot view " + Shapes.str(shape()) + " as " + Shapes.str(shape));
        if (java.util.Arrays.equals(shape, shape())) return this;
        if (traced != null) return shapeOnly(tracedType, shape);
        if (shape.length == 0) return scalar(dtype(), a.getDouble(0));
        if (isTransposedPacked(a) && sameUpToLeadingOnes(a.shape(), shape)) return borrow(a.reshape('f', shape));   // a transpose stays a view
        INDArray src = a.rank() == 0 ? a : contiguous(a);
        if (src != a) new NdArray(src);                     // the packed copy is ours: let an Arena free it
        return borrow(src.reshape('c', shape));             // may share the buffer: an Arena must not free it
    }

    public NdArray broadcastTo(long... shape) {
        if (java.util.Arrays.equals(shape, shape())) return this;
        if (!Shapes.broadcastsTo(shape(), shape))
            throw new IllegalArgumentException("expand: " + Shapes.str(shape()) + " cannot broadcast to " + Shapes.str(shape));
        if (shape.length == 0) return this;
        if (traced != null) return shapeOnly(tracedType, shape);
        INDArray packed = a.rank() == 0 ? a : packedCopy(a);
        if (Strided.supported(packed, Shapes.numel(shape)))
            return new NdArray(Strided.copy(packed, shape, Strided.broadcastStrides(packed.shape(), shape)));
        INDArray src = a.rank() == 0 ? tracked(Nd4j.valueArrayOf(Shapes.padLeft(new long[0], shape.length), a.getDouble(0), a.dataType()))
                : packedCopy(a).reshape('c', Shapes.padLeft(shape(), shape.length));
        return new NdArray(src.broadcast(shape));
    }

    /**
     * Permuted dims. A 2-D transpose of a contiguous matrix stays a strided (column-major) view with no copy:
     * {@link #matmul} hands it to gemm as is, so the VJP's {@code aᵀ·g} does not materialise {@code aᵀ}.
     */
    public NdArray permute(int... perm) {
        if (rank() == 0) return this;
        if (traced != null) {
            long[] out = new long[perm.length];
            for (int i = 0; i < perm.length; i++) out[i] = traced[perm[i]];
            return shapeOnly(tracedType, out);
        }
        if (a.rank() == 2 && perm[0] == 1 && !a.isView() && a.ordering() == 'c') return borrow(a.permute(perm));
        if (swapsLastTwo(perm) && isPacked(a)) return borrow(a.permute(perm));      // batched transposes: matmul flags
        INDArray packed = packedCopy(a);
        if (Strided.supported(packed, packed.length())) {
            long[] from = Strided.packedStrides(packed.shape()), shape = new long[perm.length], strides = new long[perm.length];
            for (int d = 0; d < perm.length; d++) {
                shape[d] = packed.size(perm[d]);
                strides[d] = from[perm[d]];
            }
            return new NdArray(Strided.copy(packed, shape, strides));
        }
        return new NdArray(a.permute(perm).dup('c'));
    }

    private static boolean swapsLastTwo(int[] perm) {
        int r = perm.length;
        if (r < 3 || perm[r - 2] != r - 1 || perm[r - 1] != r - 2) return false;
        for (int d = 0; d < r - 2; d++) if (perm[d] != d) return false;
        return true;
    }

    public NdArray narrow(int dim, long start, long length) {
        if (traced != null) {
            long[] out = traced.clone();
            out[dim] = length;
            return shapeOnly(tracedType, out);
        }
        INDArrayIndex[] idx = allIndices();
        idx[dim] = NDArrayIndex.interval(start, start + length);
        return new NdArray(a.get(idx).dup('c'));
    }

    /** The adjoint of narrow: zeros of {@code size} along dim with this array placed at [start, start+len). */
    public NdArray padNarrow(int dim, long start, long size) {
        long[] s = shape().clone();
        long len = s[dim];
        s[dim] = size;
        INDArray z = Nd4j.zeros(a.dataType(), s);
        INDArrayIndex[] idx = new INDArrayIndex[s.length];
        for (int i = 0; i < s.length; i++) idx[i] = NDArrayIndex.all();
        idx[dim] = NDArrayIndex.interval(start, start + len);
        z.get(idx).assign(a);
        return new NdArray(z);
    }

    private INDArrayIndex[] allIndices() {
        INDArrayIndex[] idx = new INDArrayIndex[rank()];
        for (int i = 0; i < idx.length; i++) idx[i] = NDArrayIndex.all();
        return idx;
    }

    /** Rows {@code index} along {@code dim} (repeats allowed); whole inner blocks are copied with memcpy. */
    public NdArray indexSelect(int dim, long[] index) {
        long[] s = shape();
        long outer = Shapes.numel(Shapes.prefix(s, dim)), size = s[dim], inner = Shapes.numel(Shapes.suffix(s, dim + 1));
        long[] o = s.clone();
        o[dim] = index.length;
        INDArray z = Nd4j.createUninitialized(a.dataType(), o);
        copyRows(packedCopy(a), outer, size, inner, index, z);
        return new NdArray(z);
    }

    /**
     * Viewing packed {@code src} as (outer, size, inner) and packed {@code dst} as (outer, index.length, inner):
     * dst[q, k] = src[q, index[k]], one memcpy per row.
     */
    static void copyRows(INDArray src, long outer, long size, long inner, long[] index, INDArray dst) {
        long block = inner * src.dataType().width();
        org.bytedeco.javacpp.BytePointer sp = new org.bytedeco.javacpp.BytePointer(src.data().addressPointer());
        org.bytedeco.javacpp.BytePointer zp = new org.bytedeco.javacpp.BytePointer(dst.data().addressPointer());
        for (long q = 0; q < outer; q++)
            for (int k = 0; k < index.length; k++) {
                if (index[k] < 0 || index[k] >= size) throw new IllegalArgumentException("indexSelect: index " + index[k] + " outside dim of size " + size);
                org.bytedeco.javacpp.Pointer.memcpy(zp.position((q * index.length + k) * block), sp.position((q * size + index[k]) * block), block);
            }
    }

    /** For a (C, K, M) array: the (C, K) entries {@code this[c, k, columns[c]]} (one column per leading index). */
    public NdArray columnsAt(long[] columns) {
        long[] s = shape();
        if (s.length != 3 || s[0] != columns.length)
            throw new IllegalArgumentException("columnsAt: " + columns.length + " columns for an array of shape " + Shapes.str(s) + " (want (C, K, M))");
        INDArray src = packedCopy(a);
        var buf = src.data();
        double[] out = new double[(int) (s[0] * s[1])];
        for (int c = 0; c < s[0]; c++) {
            if (columns[c] < 0 || columns[c] >= s[2]) throw new IllegalArgumentException("columnsAt: column " + columns[c] + " outside " + s[2]);
            for (int k = 0; k < s[1]; k++) out[(int) (c * s[1] + k)] = buf.getDouble((c * s[1] + k) * s[2] + columns[c]);
        }
        return fromDoubles(dtype(), out, s[0], s[1]);
    }

    /**
     * Small blocks of a matrix, transposed, for C batch entries: out[c, j, k] = this[rows[c·K + k], cols[c·S + j]] with
     * K = rows.length / C and S = cols.length / C, shape (C, S, K). Reads only those entries.
     */
    public NdArray blocksT(long[] rows, long[] cols, int c) {
        long[] s = shape();
        if (s.length != 2 || rows.length % c != 0 || cols.length % c != 0)
            throw new IllegalArgumentException("blocksT: " + rows.length + " rows and " + cols.length + " columns for " + c + " blocks of " + Shapes.str(s));
        int k = rows.length / c, w = cols.length / c;
        INDArray src = packedCopy(a);
        var buf = src.data();
        double[] out = new double[c * w * k];
        for (int b = 0; b < c; b++)
            for (int j = 0; j < w; j++) {
                long col = cols[b * w + j];
                for (int i = 0; i < k; i++) {
                    long row = rows[b * k + i];
                    if (row < 0 || row >= s[0] || col < 0 || col >= s[1])
                        throw new IllegalArgumentException("blocksT: entry (" + row + ", " + col + ") outside " + Shapes.str(s));
                    out[(b * w + j) * k + i] = buf.getDouble(row * s[1] + col);
                }
            }
        return fromDoubles(dtype(), out, c, w, k);
    }

    /** The adjoint of indexSelect: zeros of {@code size} along dim, with slice k added at {@code index[k]}. */
    public NdArray scatterAdd(int dim, long[] index, long size) {
        long[] s = shape();
        long outer = Shapes.numel(Shapes.prefix(s, dim)), inner = Shapes.numel(Shapes.suffix(s, dim + 1));
        long[] o = s.clone();
        o[dim] = size;
        INDArray src = packedCopy(a);
        INDArray z = Nd4j.zeros(a.dataType(), o);
        org.bytedeco.javacpp.indexer.Indexer si = src.data().indexer(), zi = z.data().indexer();
        long[] at = new long[1];
        for (long q = 0; q < outer; q++)
            for (int k = 0; k < index.length; k++) {
                long so = (q * index.length + k) * inner, zo = (q * size + index[k]) * inner;
                for (long c = 0; c < inner; c++) {
                    at[0] = zo + c;
                    zi.putDouble(at, zi.getDouble(zo + c) + si.getDouble(so + c));
                }
            }
        return new NdArray(z);
    }

    /** The array with its last two dims swapped (a view). */
    private static INDArray swapLastTwo(INDArray x) {
        int[] perm = Shapes.range(0, x.rank());
        perm[x.rank() - 2] = x.rank() - 1;
        perm[x.rank() - 1] = x.rank() - 2;
        return x.permute(perm);
    }

    /** A fresh array made here, registered so an Arena frees it (returned as is). */
    static INDArray tracked(INDArray fresh) {
        new NdArray(fresh);
        return fresh;
    }

    /**
     * {@link #contiguous}, with a copy tracked so an Arena frees it. Reshape only what this returns: ND4J's reshape of
     * a strided array copies into an array that counts as a view and is never closed.
     */
    static INDArray packedCopy(INDArray x) {
        INDArray c = contiguous(x);
        return c == x ? c : tracked(c);
    }

    /**
     * The transpose of a packed matrix (F-ordered, default strides, offset 0), possibly with leading dims of size 1:
     * gemm reads it as is, and adding or dropping leading ones keeps it a view (a batch level on a shared weight).
     */
    private static boolean isTransposedPacked(INDArray x) {
        if (x.ordering() != 'f' || x.offset() != 0 || x.rank() < 2) return false;
        long[] s = x.shape(), st = x.stride();
        for (int d = 0; d < s.length - 2; d++) if (s[d] != 1) return false;
        int r = s.length;
        return st[r - 2] == 1 && (st[r - 1] == s[r - 2] || s[r - 1] == 1);
    }

    /** Whether two shapes differ only in leading dims of size 1. */
    private static boolean sameUpToLeadingOnes(long[] a, long[] b) {
        int i = 0, j = 0;
        while (i < a.length - 2 && a[i] == 1) i++;
        while (j < b.length - 2 && b[j] == 1) j++;
        return a.length - i == 2 && b.length - j == 2 && a[i] == b[j] && a[i + 1] == b[j + 1];
    }

    /** A c-ordered array with its own buffer from offset 0 (the input itself when it already is one). */
    private static INDArray contiguous(INDArray x) { return isPacked(x) ? x : x.dup('c'); }

    /** C-ordered, default strides, starting at offset 0 of its buffer: safe to reshape or copy raw. */
    private static boolean isPacked(INDArray x) {
        return x.ordering() == 'c' && x.offset() == 0 && (x.rank() == 0 || org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x));
    }

    public static NdArray concat(int dim, NdArray... parts) {
        INDArray[] arr = new INDArray[parts.length];
        for (int i = 0; i < parts.length; i++) arr[i] = parts[i].a;
        return new NdArray(Nd4j.concat(dim, arr));
    }

    private static long[] diagIndex(long p) {
        long[] idx = new long[(int) p];
        for (int k = 0; k < p; k++) idx[k] = k * (p + 1);
        return idx;
    }

    /** The diagonal of the last two (square) dims: (..., p, p) → (..., p). */
    public NdArray diagonal() {
        long[] s = shape();
        long p = s[s.length - 1];
        NdArray flat = reshape(Shapes.concat(Shapes.prefix(s, s.length - 2), new long[]{p * p}));
        return flat.indexSelect(s.length - 2, diagIndex(p));
    }

    /** Square matrices from the last dim: (..., p) → (..., p, p) with it on the diagonal. */
    public NdArray diagEmbed() {
        long[] s = shape();
        long p = s[s.length - 1];
        if (traced != null) return shapeOnly(tracedType, Shapes.concat(s, new long[]{p}));
        INDArray packed = packedCopy(a);
        if (packed.length() > 0 && Strided.supported(packed, packed.length() * p)) return new NdArray(Strided.diagEmbed(packed, Shapes.concat(s, new long[]{p})));
        NdArray flat = scatterAdd(s.length - 1, diagIndex(p), p * p);
        return flat.reshape(Shapes.concat(s, new long[]{p}));
    }

    // ---------------------------------------------------------------- linear algebra

    /**
     * this·o + c, c broadcast to the product's shape: the sum is written into the product's own (fresh) buffer, so
     * no second array of the product's size is made (PyTorch's addmm).
     */
    public NdArray matmulAdd(NdArray o, NdArray c) {
        NdArray z = matmul(o);
        DType t = DType.promote(z.dtype(), c.dtype());
        if (t != z.dtype()) return z.cast(t).add(c);
        INDArray bias = c.cast(t).a;
        if (java.util.Arrays.equals(bias.shape(), z.shape())) z.a.addi(bias);
        else Nd4j.exec(new AddOp(new INDArray[]{z.a, bias}, new INDArray[]{z.a}));
        return z;
    }

    /**
     * Matrix product over the last two dims with broadcast leading dims (both operands rank ≥ 2).
     * A rank-2 right operand takes one BLAS gemm over all leading rows.
     */
    public NdArray matmul(NdArray o) {
        DType t = DType.promote(dtype(), o.dtype());
        INDArray p = cast(t).a, q = o.cast(t).a;
        long[] ps = p.shape(), qs = q.shape();
        int pr = ps.length, qr = qs.length;
        long i = ps[pr - 2], k = ps[pr - 1], j = qs[qr - 1];
        long[] pb = Shapes.prefix(ps, pr - 2), qb = Shapes.prefix(qs, qr - 2);
        long[] batch = Shapes.broadcast("matmul", pb, qb);
        if (k == 1) return borrow(p).mul(borrow(q));     // outer products: one broadcast multiply
        if (Shapes.numel(qb) == 1) {
            INDArray p2 = pr == 2 && !p.isView() ? p : packedCopy(p).reshape('c', Shapes.numel(pb) * i, k);
            INDArray q2 = qr == 2 && !q.isView() ? q : packedCopy(q).reshape('c', k, j);
            INDArray z = Pool.uninitialized(p.dataType(), p2.rows(), j);
            Nd4j.gemm(p2, q2, z, false, false, 1.0, 0.0);
            return new NdArray(z).reshape(Shapes.concat(pb, new long[]{i, j}));
        }
        long nb = Shapes.numel(batch);
        if (java.util.Arrays.equals(pb, batch) && java.util.Arrays.equals(qb, batch)) {
            // same batch on both sides: one batched matmul; operands that are transposed views go in with a flag
            boolean ta = !isPacked(p) && isPacked(swapLastTwo(p)), tb = !isPacked(q) && isPacked(swapLastTwo(q));
            INDArray p3 = (ta ? swapLastTwo(p) : packedCopy(p)).reshape('c', nb, ta ? k : i, ta ? i : k);
            INDArray q3 = (tb ? swapLastTwo(q) : packedCopy(q)).reshape('c', nb, tb ? j : k, tb ? k : j);
            INDArray z = Pool.uninitialized(p.dataType(), nb, i, j);
            Nd4j.matmul(p3, q3, z, ta, tb, false);
            return new NdArray(z).reshape(Shapes.concat(batch, new long[]{i, j}));
        }
        if (Shapes.numel(pb) == 1) {
            // one left matrix for every right batch: P @ [Q_1 … Q_B] as one gemm over (k, B·j), never broadcasting P
            INDArray p2 = pr == 2 ? p : isTransposedPacked(p) ? p.reshape('f', i, k) : packedCopy(p).reshape('c', i, k);
            if (p2.isView() && p2.ordering() != 'c' && p2.ordering() != 'f') p2 = tracked(p2.dup('c'));
            INDArray qkbj = tracked(packedCopy(q).reshape('c', nb, k, j).permute(1, 0, 2).dup('c')).reshape('c', k, nb * j);
            INDArray z = Pool.uninitialized(p.dataType(), i, nb * j);
            Nd4j.gemm(p2, qkbj, z, false, false, 1.0, 0.0);
            new NdArray(z);                                  // tracked, so an Arena frees it
            return new NdArray(z.reshape('c', i, nb, j).permute(1, 0, 2).dup('c')).reshape(Shapes.concat(batch, new long[]{i, j}));
        }
        INDArray p3 = tracked(borrow(p).broadcastTo(Shapes.concat(batch, new long[]{i, k})).a.dup('c')).reshape('c', nb, i, k);
        INDArray q3 = tracked(borrow(q).broadcastTo(Shapes.concat(batch, new long[]{k, j})).a.dup('c')).reshape('c', nb, k, j);
        INDArray z = Nd4j.matmul(p3, q3);
        return new NdArray(z).reshape(Shapes.concat(batch, new long[]{i, j}));
    }
}
