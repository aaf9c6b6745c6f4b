package dev.jaclab.nd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One self-attention layer's primal y = softmax(q·kᵀ·scale)·v on plain matrices q (N, d), k (M, d), v (M, w) and its
 * output y (N, w), packed row-major in one dtype: what the batched rules ({@link AttentionBatch}, {@link AttentionTerms})
 * share. The softmax rows P are recomputed a block of query rows at a time, stored whole only when one block holds them.
 */
final class AttentionLayer {
    final DataType dt;
    final INDArray q, k, v, y;
    final long n, m, d, w;
    final double scale;
    /** Score elements per block of query rows. */
    final long block;

    AttentionLayer(NdArray q, NdArray k, NdArray v, NdArray y, double scale, long block) {
        this.scale = scale;
        this.block = block;
        DType t = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        this.q = packed(q, t);
        this.k = packed(k, t);
        this.v = packed(v, t);
        this.y = packed(y, t);
        dt = this.q.dataType();
        n = this.q.rows();
        m = this.k.rows();
        d = this.q.columns();
        w = this.v.columns();
        if (q.rank() != 2 || k.rank() != 2 || v.rank() != 2 || this.k.columns() != d || this.v.rows() != m
                || this.y.rows() != n || this.y.columns() != w)
            throw new IllegalArgumentException("attention (batched): q " + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape())
                    + ", v " + Shapes.str(v.shape()) + ", y " + Shapes.str(y.shape()) + " do not match");
    }

    /** All softmax rows, kept for the rest of a call when one block holds them ({@link #keepWhole}); else null. */
    private INDArray whole;

    /**
     * Keeps the softmax rows whole, in the current arena, when one block of {@code rowsPerBlock} rows holds all N: the
     * passes of a call (seed-free parts, each sub-batch of seeds) then share one softmax instead of recomputing it.
     */
    void keepWhole(long rowsPerBlock) {
        if (rowsPerBlock >= n && whole == null) whole = NdArray.tracked(probs(0, n));
    }

    /** Softmax rows s..s+b: a view of the kept rows, or fresh and tracked; hand it to {@link #release} when done. */
    INDArray block(long s, long b) { return whole != null ? rows(whole, s, b) : NdArray.tracked(probs(s, b)); }

    /** Frees a block of {@link #block} unless it is the kept softmax. */
    void release(INDArray p) {
        if (whole == null) p.close();
    }

    /** Softmax rows s..s+b, (b, M), fresh (the caller closes it). */
    INDArray probs(long s, long b) {
        INDArray p = Nd4j.createUninitialized(dt, b, m);
        Nd4j.gemm(queryRows(s, b), k, p, false, true, scale, 0.0);
        Nd4j.exec(new SoftMax(p, p, 1));
        return p;
    }

    INDArray queryRows(long s, long b) { return rows(q, s, b); }

    INDArray outputRows(long s, long b) { return rows(y, s, b); }

    static INDArray rows(INDArray a, long s, long b) {
        return s == 0 && b == a.rows() ? a : a.get(NDArrayIndex.interval(s, s + b), NDArrayIndex.all());
    }

    /** [v, 1], (M, w + 1). */
    INDArray valuesWithOnes() { return withOnes(v); }

    /** [x, 1], (R, c + 1), fresh. */
    static INDArray withOnes(INDArray x) {
        INDArray a = Nd4j.createUninitialized(x.dataType(), x.rows(), x.columns() + 1);
        a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, x.columns())).assign(x);
        a.getColumn(x.columns()).assign(1);
        return a;
    }

    /** The array as a packed row-major matrix of the dtype. */
    static INDArray packed(NdArray x, DType t) {
        INDArray a = NdArray.packedCopy(x.cast(t).a);
        return a.reshape('c', a.length() / a.size(-1), a.size(-1));
    }
}
