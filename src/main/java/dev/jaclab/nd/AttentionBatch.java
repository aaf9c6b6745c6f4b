package dev.jaclab.nd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The JVP and VJP of attention y = softmax(q·kᵀ·scale)·v for a batch of C <em>dense</em> tangents or cotangents, one
 * per seed, that share the layer's primal q (N, d), k (M, d), v (M, w). This is the middle of a stack of mixing
 * layers ({@code Strategies.meetInMiddle}, {@code chunked}): every seed's tangent covers all rows, so the work is
 * O(C·N·M·d) whatever the order; what matters is doing it as a few large gemms that share the softmax rows.
 *
 * <p>Seeds go in sub-batches of cs and query rows in blocks of B (B·cs·M scores at a time, bounded). Per block the
 * softmax rows P_b (B, M) are recomputed once and shared by the sub-batch; the (B·cs, M) score tangents are laid out
 * row-major over (query row, seed), so each term is one gemm:
 * <pre>
 *   JVP: dS = scale·(dq·kᵀ + q·dkᵀ);  E = P ⊙ dS;  dy = E·v − rowsum(E)·y + P·dv        ([v, 1] gives E·v and rowsum(E) in one gemm)
 *   VJP: dP = g·vᵀ − g·y (= dP − rowsum(P ⊙ dP));  dS = P ⊙ dP;  dq = scale·dS·k;  dk = scale·dSᵀ·q;  dv = Pᵀ·g
 * </pre>
 * No per-seed allocation; the score buffer is reused across blocks.
 *
 * <pre>{@code
 * NdArray q = NdArray.random(DType.FLOAT64, 1, true, 6, 4), k = NdArray.random(DType.FLOAT64, 2, true, 6, 4),
 *         v = NdArray.random(DType.FLOAT64, 3, true, 6, 2);
 * NdArray y = FusedAttention.forward(q, k, v, 0.5, 6);
 * NdArray dv = NdArray.random(DType.FLOAT64, 4, true, 5, 6, 2);             // five seeds' tangents of v
 * NdArray dy = AttentionBatch.jvp(q, k, v, y, null, null, dv, 0.5);           // (5, 6, 2)
 * NdArray[] g = AttentionBatch.vjp(q, k, v, y, dy, 0.5, true, true, true);    // dq (5, 6, 4), dk (5, 6, 4), dv (5, 6, 2)
 * }</pre>
 */
public final class AttentionBatch {
    /** Scores per block: rows × seeds × keys. */
    static final long BLOCK_ELEMENTS = 1L << 23;

    private AttentionBatch() {}

    /**
     * The output tangents (C, N, w) from tangents of q (C, N, d), k (C, M, d) and v (C, M, w), any of them null.
     *
     * @param y the layer's output (N, w)
     */
    public static NdArray jvp(NdArray q, NdArray k, NdArray v, NdArray y, NdArray dq, NdArray dk, NdArray dv, double scale) {
        return jvp(q, k, v, y, dq, dk, dv, scale, BLOCK_ELEMENTS);
    }

    static NdArray jvp(NdArray q, NdArray k, NdArray v, NdArray y, NdArray dq, NdArray dk, NdArray dv, double scale, long block) {
        AttentionLayer l = new AttentionLayer(q, k, v, y, scale, block);
        long c = seeds("jvp", l, dq, l.d, l.n, dk, l.d, l.m, dv, l.w, l.m);
        INDArray out = Nd4j.createUninitialized(l.dt, c, l.n, l.w);
        INDArray vAug = dq != null || dk != null ? l.valuesWithOnes() : null;
        long[] shape = subBatch(l, c);
        for (long c0 = 0; c0 < c; c0 += shape[0]) {
            long cs = Math.min(shape[0], c - c0);
            try (Arena arena = Arena.open()) {                            // frees the sub-batch's copies
                INDArray dQ = dq == null ? null : rowMajor(dq, c0, cs);                   // (N·cs, d), rows (r, c)
                INDArray dK = dk == null ? null : seedMajor(dk, c0, cs);                  // (cs·M, d)
                INDArray dV = dv == null ? null : rowMajor(dv, c0, cs).reshape('c', l.m, cs * l.w);
                INDArray o = NdArray.tracked(Nd4j.createUninitialized(l.dt, l.n * cs, l.w));
                INDArray scores = NdArray.tracked(Nd4j.createUninitialized(l.dt, shape[1] * cs, l.m));
                INDArray z = vAug == null ? null : NdArray.tracked(Nd4j.createUninitialized(l.dt, shape[1] * cs, l.w + 1));
                for (long s = 0; s < l.n; s += shape[1]) {
                    long b = Math.min(shape[1], l.n - s);
                    INDArray p = l.probs(s, b);
                    INDArray ob = o.get(NDArrayIndex.interval(s * cs, (s + b) * cs), NDArrayIndex.all());
                    double beta = 0;
                    if (vAug != null) {
                        INDArray e = b == shape[1] ? scores : scores.get(NDArrayIndex.interval(0, b * cs), NDArrayIndex.all());
                        if (dQ != null) Nd4j.gemm(dQ.get(NDArrayIndex.interval(s * cs, (s + b) * cs), NDArrayIndex.all()), l.k, e, false, true, scale, 0.0);
                        if (dK != null) Nd4j.gemm(l.queryRows(s, b), dK, e.reshape('c', b, cs * l.m), false, true, scale, dQ == null ? 0.0 : 1.0);
                        timesRows(e, p, b, cs);                                  // E = P ⊙ dS
                        INDArray zb = b == shape[1] ? z : z.get(NDArrayIndex.interval(0, b * cs), NDArrayIndex.all());
                        Nd4j.gemm(e, vAug, zb, false, false, 1.0, 0.0);
                        minusRowSumTimesY(zb, l.outputRows(s, b), ob, b, cs, l.w);   // E·v − rowsum(E)·y
                        beta = 1;
                    }
                    if (dV != null) Nd4j.gemm(p, dV, ob.reshape('c', b, cs * l.w), false, false, 1.0, beta);
                    p.close();
                }
                out.get(NDArrayIndex.interval(c0, c0 + cs), NDArrayIndex.all(), NDArrayIndex.all())
                        .assign(o.reshape('c', l.n, cs, l.w).permute(1, 0, 2));
            }
        }
        if (vAug != null) vAug.close();
        return new NdArray(out);
    }

    /**
     * The cotangents {dq (C, N, d), dk (C, M, d), dv (C, M, w)} (null where not wanted) from output cotangents g (C, N, w).
     *
     * @param y the layer's output (N, w)
     */
    public static NdArray[] vjp(NdArray q, NdArray k, NdArray v, NdArray y, NdArray g, double scale, boolean wantQ, boolean wantK, boolean wantV) {
        return vjp(q, k, v, y, g, scale, wantQ, wantK, wantV, BLOCK_ELEMENTS);
    }

    static NdArray[] vjp(NdArray q, NdArray k, NdArray v, NdArray y, NdArray g, double scale, boolean wantQ, boolean wantK, boolean wantV, long block) {
        AttentionLayer l = new AttentionLayer(q, k, v, y, scale, block);
        long c = seeds("vjp", l, g, l.w, l.n, null, 0, 0, null, 0, 0);
        INDArray dq = wantQ ? Nd4j.createUninitialized(l.dt, c, l.n, l.d) : null;
        INDArray dk = wantK ? Nd4j.createUninitialized(l.dt, c, l.m, l.d) : null;
        INDArray dv = wantV ? Nd4j.createUninitialized(l.dt, c, l.m, l.w) : null;
        INDArray vAug = wantQ || wantK ? l.valuesWithOnes() : null;
        long[] shape = subBatch(l, c);
        for (long c0 = 0; c0 < c; c0 += shape[0]) {
            long cs = Math.min(shape[0], c - c0);
            try (Arena arena = Arena.open()) {
                INDArray gr = rowMajor(g, c0, cs);                                         // (N·cs, w), rows (r, c)
                INDArray dQ = wantQ ? NdArray.tracked(Nd4j.createUninitialized(l.dt, l.n * cs, l.d)) : null;
                INDArray dK = wantK ? NdArray.tracked(Nd4j.createUninitialized(l.dt, cs * l.m, l.d)) : null;
                INDArray dV = wantV ? NdArray.tracked(Nd4j.createUninitialized(l.dt, l.m, cs * l.w)) : null;
                INDArray scores = NdArray.tracked(Nd4j.createUninitialized(l.dt, shape[1] * cs, l.m));
                INDArray gAug = vAug == null ? null : NdArray.tracked(Nd4j.createUninitialized(l.dt, shape[1] * cs, l.w + 1));
                for (long s = 0; s < l.n; s += shape[1]) {
                    long b = Math.min(shape[1], l.n - s);
                    double beta = s == 0 ? 0 : 1;
                    INDArray p = l.probs(s, b);
                    INDArray gb = gr.get(NDArrayIndex.interval(s * cs, (s + b) * cs), NDArrayIndex.all());
                    if (dV != null) Nd4j.gemm(p, gb.reshape('c', b, cs * l.w), dV, true, false, 1.0, beta);
                    if (vAug != null) {
                        INDArray e = b == shape[1] ? scores : scores.get(NDArrayIndex.interval(0, b * cs), NDArrayIndex.all());
                        INDArray ga = b == shape[1] ? gAug : gAug.get(NDArrayIndex.interval(0, b * cs), NDArrayIndex.all());
                        withMinusDotY(gb, l.outputRows(s, b), ga, b, cs, l.w);        // [g, −g·y]
                        Nd4j.gemm(ga, vAug, e, false, true, 1.0, 0.0);                 // dP − rowsum(P ⊙ dP)
                        timesRows(e, p, b, cs);                                         // dS / scale
                        if (dQ != null) Nd4j.gemm(e, l.k, dQ.get(NDArrayIndex.interval(s * cs, (s + b) * cs), NDArrayIndex.all()), false, false, scale, 0.0);
                        if (dK != null) Nd4j.gemm(e.reshape('c', b, cs * l.m), l.queryRows(s, b), dK, true, false, scale, beta);
                    }
                    p.close();
                }
                if (dq != null) slab(dq, c0, cs).assign(dQ.reshape('c', l.n, cs, l.d).permute(1, 0, 2));
                if (dk != null) slab(dk, c0, cs).assign(dK.reshape('c', cs, l.m, l.d));
                if (dv != null) slab(dv, c0, cs).assign(dV.reshape('c', l.m, cs, l.w).permute(1, 0, 2));
            }
        }
        if (vAug != null) vAug.close();
        return new NdArray[]{dq == null ? null : new NdArray(dq), dk == null ? null : new NdArray(dk), dv == null ? null : new NdArray(dv)};
    }

    /** {seeds per sub-batch, query rows per block}: about square, B·cs·M ≤ the block budget. */
    private static long[] subBatch(AttentionLayer l, long c) {
        long side = Math.max(1, (long) Math.sqrt((double) l.block / l.m));
        long cs = Math.min(c, side);
        return new long[]{cs, Math.min(l.n, Math.max(1, l.block / (cs * l.m)))};
    }

    /** Checks the seed batches against the layer: each (C, rows, width) with one C; returns C. */
    private static long seeds(String op, AttentionLayer l, NdArray a, long aw, long ar, NdArray b, long bw, long br, NdArray c, long cw, long cr) {
        long count = -1;
        NdArray[] in = {a, b, c};
        long[][] want = {{ar, aw}, {br, bw}, {cr, cw}};
        for (int i = 0; i < 3; i++) {
            if (in[i] == null) continue;
            long[] s = in[i].shape();
            if (s.length != 3 || s[1] != want[i][0] || s[2] != want[i][1] || (count >= 0 && s[0] != count))
                throw new IllegalArgumentException("attention " + op + " (batched): seed batch " + Shapes.str(s) + " does not match (C, "
                        + want[i][0] + ", " + want[i][1] + ") of q (" + l.n + ", " + l.d + "), k (" + l.m + ", " + l.d + "), v (" + l.m + ", " + l.w + ")");
            count = s[0];
        }
        if (count < 0) throw new IllegalArgumentException("attention " + op + " (batched): no seed batch");
        return count;
    }

    /** Seeds c0..c0+cs of a (C, R, width) batch as a packed (R·cs, width) matrix, rows ordered (row, seed). */
    private static INDArray rowMajor(NdArray a, long c0, long cs) {
        long[] s = a.shape();
        INDArray part = a.a.get(NDArrayIndex.interval(c0, c0 + cs), NDArrayIndex.all(), NDArrayIndex.all());
        return NdArray.tracked(part.permute(1, 0, 2).dup('c')).reshape('c', s[1] * cs, s[2]);
    }

    /** Seeds c0..c0+cs of a (C, R, width) batch as a packed (cs·R, width) matrix. */
    private static INDArray seedMajor(NdArray a, long c0, long cs) {
        long[] s = a.shape();
        INDArray part = a.a.get(NDArrayIndex.interval(c0, c0 + cs), NDArrayIndex.all(), NDArrayIndex.all());
        return NdArray.packedCopy(part).reshape('c', cs * s[1], s[2]);
    }

    private static INDArray slab(INDArray a, long c0, long cs) {
        return a.get(NDArrayIndex.interval(c0, c0 + cs), NDArrayIndex.all(), NDArrayIndex.all());
    }

    /** e (b·cs, M), rows (r, c), times P's row r for every seed, in place. */
    private static void timesRows(INDArray e, INDArray p, long b, long cs) {
        INDArray e3 = e.reshape('c', b, cs, e.columns()), p3 = p.reshape('c', b, 1, p.columns());
        Nd4j.exec(new MulOp(new INDArray[]{e3, p3}, new INDArray[]{e3}));
    }

    /** out (b·cs, w) = z[:, :w] − z[:, w] · y_r, rows (r, c). */
    private static void minusRowSumTimesY(INDArray z, INDArray yb, INDArray out, long b, long cs, long w) {
        INDArray z3 = z.reshape('c', b, cs, w + 1);
        INDArray sum = z3.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(w, w + 1)).dup('c');
        INDArray t = Nd4j.createUninitialized(z.dataType(), b, cs, w);
        Nd4j.exec(new MulOp(new INDArray[]{sum, yb.reshape('c', b, 1, w)}, new INDArray[]{t}));
        INDArray ev = z3.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, w)).dup('c');
        Nd4j.exec(new SubOp(new INDArray[]{ev, t}, new INDArray[]{out.reshape('c', b, cs, w)}));
        sum.close();
        t.close();
        ev.close();
    }

    /** ga (b·cs, w + 1) = [g, −g·y_r], rows (r, c). */
    private static void withMinusDotY(INDArray gb, INDArray yb, INDArray ga, long b, long cs, long w) {
        INDArray g3 = gb.reshape('c', b, cs, w);
        INDArray gy = Nd4j.createUninitialized(gb.dataType(), b, cs, w);
        Nd4j.exec(new MulOp(new INDArray[]{g3, yb.reshape('c', b, 1, w)}, new INDArray[]{gy}));
        INDArray dot = gy.sum(2).reshape('c', b * cs, 1);
        ga.get(NDArrayIndex.all(), NDArrayIndex.interval(0, w)).assign(gb);
        ga.get(NDArrayIndex.all(), NDArrayIndex.interval(w, w + 1)).assign(dot.negi());
        gy.close();
        dot.close();
    }

}
