package dev.jaclab.nd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Forward-mode kernels for self-attention y = softmax(q·kᵀ·scale)·v across the batch, q (N, d), k (N, d), v (N, dv),
 * when each seed's input tangent sits on ONE row r_s of q, k and v (a one-hot tangent at sample r_s carried through
 * per-sample ops). Then every output row j changes, but cheaply: with P the softmax rows and lse_j their log-sum-exp,
 *
 * <pre>
 *   dy_j = W_js·(v_r − y_j) + P_jr·Δv        W_js = P_jr · scale·(q_j·Δk)       (key and value of row r)
 *   dy_r += Σ_l P_rl a_l v_l − (Σ_l P_rl a_l)·y_r     a_l = scale·(Δq·k_l)      (the query of row r)
 * </pre>
 *
 * so a seed needs column r of P (from the saved lse) and row r of P: O(N·d) work, against O(N²·d) for a dense
 * tangent through the ordinary JVP.
 *
 * <pre>{@code
 * NdArray lse = AttentionTangents.rowLogSumExp(q, k, 0.25, 1024);                       // once per layer
 * AttentionTangents.Factors dy = AttentionTangents.oneRow(q, k, v, y, lse, rows, dq, dk, dv, 0.25);
 * }</pre>
 */
public final class AttentionTangents {
    private AttentionTangents() {}

    /** log Σ_l exp(scale·q_j·k_l) for every query row j, as (N): blocks of {@code blockRows} query rows at a time. */
    public static NdArray rowLogSumExp(NdArray q, NdArray k, double scale, long blockRows) {
        DType t = DType.promote(q.dtype(), k.dtype());
        INDArray Q = NdArray.packedCopy(q.cast(t).a), K = NdArray.packedCopy(k.cast(t).a);
        long n = Q.rows(), m = K.rows(), block = Math.max(1, Math.min(blockRows, n));
        INDArray out = Nd4j.createUninitialized(Q.dataType(), n);
        for (long s = 0; s < n; s += block) {
            long len = Math.min(block, n - s);
            INDArray qb = s == 0 && len == n ? Q : Q.get(NDArrayIndex.interval(s, s + len), NDArrayIndex.all()).dup('c');
            INDArray p = Nd4j.createUninitialized(Q.dataType(), len, m);
            Nd4j.gemm(qb, K, p, false, true, scale, 0.0);
            INDArray max = p.max(1);
            p.subiColumnVector(max.reshape(len, 1));
            Transforms.exp(p, false);
            INDArray lse = Transforms.log(p.sum(1), false).addi(max);
            out.get(NDArrayIndex.interval(s, s + len)).assign(lse);
            for (INDArray a : new INDArray[]{p, max, lse}) a.close();
            if (qb != Q) qb.close();
        }
        return new NdArray(out);
    }

    /**
     * The output tangent of S seeds whose input tangents are row r_s of q, k, v ({@code dq}, {@code dk} (S, d),
     * {@code dv} (S, dv), each null when zero), in factored form: dy[s, j] = w[s, j]·(v_r − y_j) + pc[s, j]·Δv_s, plus
     * {@code corr[s]} on row r_s. {@code y} (N, dv) is the forward's output, {@code lse} its {@link #rowLogSumExp}.
     * Seeds with equal rows share their softmax column and row.
     */
    public static Factors oneRow(NdArray q, NdArray k, NdArray v, NdArray y, NdArray lse, long[] rows,
                                 NdArray dq, NdArray dk, NdArray dv, double scale) {
        DType t = q.dtype();
        INDArray Q = pack(q, t), K = pack(k, t), V = pack(v, t), O = pack(y, t), L = pack(lse, t).reshape(-1, 1);
        int n = (int) Q.rows(), S = rows.length;
        if (K.rows() != n || V.rows() != n || O.rows() != n)
            throw new IllegalArgumentException("attention tangents: q " + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + ", v "
                    + Shapes.str(v.shape()) + " need one row per sample");
        DataType dt = Q.dataType();
        long[] sorted = java.util.Arrays.stream(rows).distinct().sorted().toArray();
        long[] slot = new long[S];
        for (int s = 0; s < S; s++) slot[s] = java.util.Arrays.binarySearch(sorted, rows[s]);
        INDArray Kr = rowsOf(K, sorted), Qr = rowsOf(Q, sorted);
        // P[:, r]ᵀ for the distinct rows: exp(scale·K_r·Qᵀ − lseᵀ), (U, N); then one row per seed, (S, N)
        INDArray pCol = Nd4j.createUninitialized(dt, sorted.length, n);
        Nd4j.gemm(Kr, Q, pCol, false, true, scale, 0.0);
        pCol.subiRowVector(L.reshape(1, n));
        Transforms.exp(pCol, false);
        INDArray pc = sorted.length == S ? pCol : rowsOf(pCol, slot);
        NdArray w = null, vr = null;
        if (dk != null) {                                                     // W = P[:, r]·scale·(q_j·Δk_s), (S, N)
            INDArray sg = Nd4j.createUninitialized(dt, S, n);
            Nd4j.gemm(pack(dk, t), Q, sg, false, true, scale, 0.0);
            w = new NdArray(sg.muli(pc));
            vr = new NdArray(rowsOf(V, rows));
        }
        NdArray corr = dq == null ? null : new NdArray(queryTerm(Qr, K, V, O, L, sorted, slot, rows, pack(dq, t), scale));
        NdArray pcs = new NdArray(pc);
        if (pc != pCol) pCol.close();
        Kr.close();
        Qr.close();
        return new Factors(w, vr, dv == null ? null : pcs, corr);
    }

    /** What {@link #oneRow} returns for S seeds, with shapes only (a traced sweep: nothing computed). */
    public static Factors oneRowShapes(NdArray q, NdArray v, long seeds, boolean dq, boolean dk, boolean dv) {
        DType t = q.dtype();
        long n = q.shape()[0], w = v.shape()[1];
        return new Factors(dk ? NdArray.shapeOnly(t, seeds, n) : null, dk ? NdArray.shapeOnly(t, seeds, w) : null,
                dv ? NdArray.shapeOnly(t, seeds, n) : null, dq ? NdArray.shapeOnly(t, seeds, w) : null);
    }

    /**
     * The factors of a one-row output tangent: {@code w} (S, N) and {@code vr} (S, dv) (the key/value row's own
     * value), {@code pc} (S, N) the softmax column that carries Δv, {@code corr} (S, dv) the query part on row r_s;
     * null where the matching input tangent is zero.
     */
    public record Factors(NdArray w, NdArray vr, NdArray pc, NdArray corr) {}

    /** The query tangent's part of output row r_s: Σ_l P_rl a_l v_l − (Σ_l P_rl a_l)·y_r, a_l = scale·Δq·k_l; (S, dv). */
    private static INDArray queryTerm(INDArray Qr, INDArray K, INDArray V, INDArray O, INDArray L, long[] sorted, long[] slot,
                                      long[] rows, INDArray dQ, double scale) {
        int S = slot.length, n = (int) K.rows(), w = (int) V.columns();
        DataType dt = K.dataType();
        INDArray pRow = Nd4j.createUninitialized(dt, sorted.length, n);       // P[r, :] for the distinct rows
        Nd4j.gemm(Qr, K, pRow, false, true, scale, 0.0);
        INDArray lr = rowsOf(L, sorted);
        pRow.subiColumnVector(lr);
        Transforms.exp(pRow, false);
        INDArray b = Nd4j.createUninitialized(dt, S, n);                        // a ⊙ P[r_s, :]
        Nd4j.gemm(dQ, K, b, false, true, scale, 0.0);
        INDArray pr = rowsOf(pRow, slot);
        b.muli(pr);
        INDArray bv = Nd4j.createUninitialized(dt, S, w);
        Nd4j.gemm(b, V, bv, false, false, 1.0, 0.0);
        INDArray or = rowsOf(O, rows);
        INDArray sums = b.sum(1);
        bv.subi(or.muliColumnVector(sums.reshape(S, 1)));
        for (INDArray a : new INDArray[]{pRow, lr, b, pr, or, sums}) a.close();
        return bv;
    }

    /** Rows {@code index} of a packed matrix, as a packed (index.length, cols) matrix. */
    private static INDArray rowsOf(INDArray m, long[] index) {
        INDArray z = Nd4j.createUninitialized(m.dataType(), index.length, m.columns());
        NdArray.copyRows(m, 1, m.rows(), m.columns(), index, z);
        return z;
    }

    private static INDArray pack(NdArray x, DType t) {
        INDArray a = NdArray.packedCopy(x.cast(t).a);
        long[] s = a.shape();
        long cols = s.length == 0 ? 1 : s[s.length - 1];
        return a.reshape('c', a.length() / cols, cols);
    }
}
