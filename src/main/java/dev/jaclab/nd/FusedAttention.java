package dev.jaclab.nd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;

/**
 * Fused kernels for attention y = softmax(q·kᵀ·scale)·v on plain matrices q (N, d), k (M, d), v (M, dv): gemms into
 * reused buffers and ND4J's in-place softmax, no other temporaries.
 *
 * <p>{@link #forward} streams blocks of query rows, so the N×M scores are never stored. {@link #vjp} is the VJP
 * restricted to C query rows, one per seed — the inner loop of the row-sparse sweep ({@code Strategies.sparseRows})
 * for attention across the batch, where seed c sits at sample row r_c: query row c is q[r_c], and for keys/values
 * whose row j depends only on sample j, only row r_c of their cotangent is wanted ("own row"). With P the softmax rows
 * (C, M), dP = g·vᵀ and dS = P ⊙ (dP − rowsum(dP ⊙ P)): dq = scale·dS·k; dv = Pᵀ·g; dk = scale·dSᵀ·q, per seed. The
 * row sum uses rowsum(dP ⊙ P) = g·(P·v) = g·y, so the output rows y (already computed by the forward) replace a pass
 * over (C, M).
 *
 * <pre>{@code
 * Tensor Q = Tensor.randn(1, 5, 4), K = Tensor.randn(2, 5, 4), V = Tensor.randn(3, 5, 3);
 * NdArray y = FusedAttention.forward(Q.data(), K.data(), V.data(), 0.5, 2);   // (5, 3), two query rows at a time
 * long[] rows = {1, 3};
 * NdArray g = Tensor.randn(4, 2, 3).data();                                     // cotangents of output rows 1 and 3
 * FusedAttention.Grads d = FusedAttention.vjp(Q.indexSelect(0, rows).data(), K.data(), V.data(), g,
 *         Tensor.wrap(y).indexSelect(0, rows).data(), rows, 0.5, true, FusedAttention.Part.OWN_ROW, FusedAttention.Part.OWN_ROW);
 * d.dq();   // (2, 4); d.dk(), d.dv(): row r_c of each seed's key/value cotangent, (2, 4) and (2, 3)
 * }</pre>
 */
public final class FusedAttention {
    private FusedAttention() {}

    /**
     * Which part of a key/value cotangent is wanted: none, row r_c only (as (C, width)), all rows ((C, N, width)), or
     * all rows factored as a (C, N) row weight times a (C, width) feature vector per seed (dk = dS ⊗ scale·q,
     * dv = P ⊗ g: O(N) per seed instead of O(N·width)).
     */
    public enum Part { NONE, OWN_ROW, ALL_ROWS, FACTORED }

    /** A cotangent over all rows as rowWeight[c, j]·features[c, :]. */
    public record Factors(NdArray rowWeight, NdArray features) {}

    /** The cotangents; null where not requested (dk/dv, or their factors for {@link Part#FACTORED}). */
    public record Grads(NdArray dq, NdArray dk, NdArray dv, Factors dkFactors, Factors dvFactors) {
        public Grads(NdArray dq, NdArray dk, NdArray dv) { this(dq, dk, dv, null, null); }
    }

    /** softmax(q·kᵀ·scale)·v for q (N, d), k (M, d), v (M, dv), computed {@code blockRows} query rows at a time. */
    public static NdArray forward(NdArray q, NdArray k, NdArray v, double scale, long blockRows) {
        DType t = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        INDArray Q = packed(q, t), K = packed(k, t), V = packed(v, t);
        long n = Q.rows(), m = K.rows(), block = Math.max(1, Math.min(blockRows, n));
        if (K.columns() != Q.columns() || V.rows() != m)
            throw new IllegalArgumentException("attention: q " + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape()) + " do not match");
        INDArray y = Nd4j.createUninitialized(Q.dataType(), n, V.columns());
        INDArray scores = Nd4j.createUninitialized(Q.dataType(), block, m);
        try {
            for (long s = 0; s < n; s += block) {
                long len = Math.min(block, n - s);
                INDArray p = len == block ? scores : Nd4j.createUninitialized(Q.dataType(), len, m);
                INDArray qb = rowsOf(Q, s, len), yb = Nd4j.createUninitialized(Q.dataType(), len, V.columns());
                Nd4j.gemm(qb, K, p, false, true, scale, 0.0);
                softmaxRowsInPlace(p);
                Nd4j.gemm(p, V, yb, false, false, 1.0, 0.0);
                y.get(NDArrayIndex.interval(s, s + len), NDArrayIndex.all()).assign(yb);
                yb.close();
                if (p != scores) p.close();
                if (qb != Q) qb.close();
            }
        } finally {
            scores.close();
        }
        return new NdArray(y);
    }

    /** Rows s..s+len of a packed matrix as a packed matrix (the matrix itself when it is all of it). */
    private static INDArray rowsOf(INDArray m, long s, long len) {
        return s == 0 && len == m.rows() ? m : m.get(NDArrayIndex.interval(s, s + len), NDArrayIndex.all()).dup('c');
    }

    /**
     * @param q     (C, d) the seeds' query rows
     * @param k     (N, d) keys
     * @param v     (N, dv) values
     * @param g     (C, dv) the cotangent of each seed's output row
     * @param y     (C, dv) the seeds' output rows (from the forward)
     * @param rows  r_c for each seed (used for the OWN_ROW parts)
     */
    public static Grads vjp(NdArray q, NdArray k, NdArray v, NdArray g, NdArray y, long[] rows, double scale,
                            boolean wantQ, Part wantK, Part wantV) {
        DType t = q.dtype();
        INDArray Q = packed(q, t), K = packed(k, t), V = packed(v, t), G = packed(g, t);
        long c = Q.rows(), n = K.rows();
        if (rows.length != c || G.rows() != c || V.rows() != n)
            throw new IllegalArgumentException("attention rows: q " + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + ", v "
                    + Shapes.str(v.shape()) + ", g " + Shapes.str(g.shape()) + " and " + rows.length + " rows do not match");
        DataType dt = Q.dataType();
        int d = (int) Q.columns(), w = (int) V.columns();
        double[] qv = NdArray.values(Q), gv = NdArray.values(G), yv = NdArray.values(packed(y, t));
        INDArray p = softmaxRows(Q, qv, K, scale);
        INDArray ds = null;
        try {
            NdArray dq = null, dk = null, dv = null;
            Factors dkf = null, dvf = null;
            if (wantV == Part.OWN_ROW) dv = scaledRows(at(p, rows), gv, w, 1, dt);
            else if (wantV == Part.ALL_ROWS) dv = outer(p, G);
            else if (wantV == Part.FACTORED) dvf = new Factors(new NdArray(p.dup('c')), new NdArray(G.dup('c')));
            if (wantQ || wantK != Part.NONE) {
                // dP − rowsum(dP ⊙ P) as one gemm: [g, −g·y] · [v, 1]ᵀ (a broadcast subtract costs as much as exp)
                double[] gAug = new double[(int) c * (w + 1)];
                for (int i = 0; i < c; i++) {
                    double dot = 0;
                    for (int j = 0; j < w; j++) dot += (gAug[i * (w + 1) + j] = gv[i * w + j]) * yv[i * w + j];
                    gAug[i * (w + 1) + w] = -dot;
                }
                INDArray vAug = Scratch.derived("attention.vAug", v, dt, new long[]{n, w + 1}, b -> {
                    b.get(NDArrayIndex.all(), NDArrayIndex.interval(0, w)).assign(V);
                    b.getColumn(w).assign(1);
                });
                ds = Scratch.buffer("attention.dS", dt, c, n);
                Nd4j.gemm(matrix(gAug, dt, c, w + 1), vAug, ds, false, true, 1.0, 0.0);
                Scratch.release(vAug);
                ds.muli(p);                                                 // dS (scale applied below)
                if (wantQ) {
                    INDArray z = Nd4j.createUninitialized(dt, c, d);
                    Nd4j.gemm(ds, K, z, false, false, scale, 0.0);
                    dq = new NdArray(z);
                }
                if (wantK == Part.OWN_ROW) dk = scaledRows(at(ds, rows), qv, d, scale, dt);
                else if (wantK == Part.ALL_ROWS) dk = outer(ds, NdArray.tracked(Q.mul(scale)));
                else if (wantK == Part.FACTORED) dkf = new Factors(new NdArray(ds.dup('c')), new NdArray(Q.mul(scale)));
            }
            return new Grads(dq, dk, dv, dkf, dvf);
        } finally {
            Scratch.release(p);
            Scratch.release(ds);
        }
    }

    /**
     * softmax(q·kᵀ·scale) rows for the C seeds, (C, M). Seeds with equal query rows (the m outputs of one sample)
     * share one row: scores and softmax run on the distinct rows only, then rows are copied out per seed.
     */
    private static INDArray softmaxRows(INDArray Q, double[] qv, INDArray K, double scale) {
        int c = (int) Q.rows(), d = (int) Q.columns();
        long n = K.rows();
        long[] share = new long[c];
        int distinct = 0;
        for (int i = 0; i < c; i++) share[i] = i > 0 && java.util.Arrays.equals(qv, i * d, i * d + d, qv, (i - 1) * d, i * d) ? share[i - 1] : distinct++;
        INDArray p = Scratch.buffer("attention.p", Q.dataType(), c, n);
        if (distinct == c) {
            Nd4j.gemm(Q, K, p, false, true, scale, 0.0);
            softmaxRowsInPlace(p);
            return p;
        }
        double[] qd = new double[distinct * d];
        for (int i = 0; i < c; i++) System.arraycopy(qv, i * d, qd, (int) share[i] * d, d);
        INDArray sBuf = Scratch.buffer("attention.s", Q.dataType(), c, n);
        INDArray s = sBuf.get(NDArrayIndex.interval(0, distinct), NDArrayIndex.all());    // packed: the first rows
        Nd4j.gemm(matrix(qd, Q.dataType(), distinct, d), K, s, false, true, scale, 0.0);
        softmaxRowsInPlace(s);
        NdArray.copyRows(sBuf, 1, c, n, share, p);
        Scratch.release(sBuf);
        return p;
    }

    /** Softmax over each row, in place: ND4J's fused op is 2.5× faster than max/sub/exp/sum/div passes. */
    private static void softmaxRowsInPlace(INDArray p) { Nd4j.exec(new SoftMax(p, p, 1)); }

    /** The entries m[c, rows[c]] of a packed matrix. */
    private static double[] at(INDArray m, long[] rows) {
        double[] vals = new double[rows.length];
        var buf = m.data();
        for (int i = 0; i < rows.length; i++) vals[i] = buf.getDouble(i * m.columns() + rows[i]);
        return vals;
    }

    /** (C, w): row c of {@code rowsData} times {@code factor[c]·scale}. */
    private static NdArray scaledRows(double[] factor, double[] rowsData, int w, double scale, DataType dt) {
        double[] out = new double[rowsData.length];
        for (int i = 0; i < out.length; i++) out[i] = rowsData[i] * factor[i / w] * scale;
        return new NdArray(matrix(out, dt, factor.length, w));
    }

    /** A (rows, cols) matrix of the dtype from row-major values (tracked, so an Arena frees it). */
    private static INDArray matrix(double[] v, DataType dt, long rows, long cols) {
        return NdArray.fromDoubles(dt == DataType.DOUBLE ? DType.FLOAT64 : DType.FLOAT32, v, rows, cols).a;
    }

    /** (C, N) and (C, w) → (C, N, w) with [c, j, :] = m[c, j]·r[c, :]: one broadcast multiply. */
    private static NdArray outer(INDArray m, INDArray r) {
        return NdArray.borrow(m.reshape('c', m.rows(), m.columns(), 1)).mul(NdArray.borrow(r.reshape('c', r.rows(), 1, r.columns())));
    }

    /** The array as a packed row-major matrix of the wanted dtype (the last dim kept, leading dims merged). */
    private static INDArray packed(NdArray x, DType t) {
        INDArray a = x.cast(t).a;
        long[] s = a.shape();
        long cols = s[s.length - 1];
        INDArray m = NdArray.packedCopy(a);
        return m.reshape('c', m.length() / cols, cols);
    }
}
