package dev.jaclab.nd;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
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
 * NdArray dy = AttentionTangents.oneRow(q, k, v, y, lse, rows, dq, dk, dv, 0.25);         // (S, N, dv)
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
     * Output tangents (S, N, dv) for S seeds whose input tangents are row r_s of q, k, v: {@code dq}, {@code dk} (S, d),
     * {@code dv} (S, dv), each null when zero. {@code y} (N, dv) is the forward's output, {@code lse} its
     * {@link #rowLogSumExp}. Seeds with equal rows share their softmax column and row.
     */
    public static NdArray oneRow(NdArray q, NdArray k, NdArray v, NdArray y, NdArray lse, long[] rows,
                                 NdArray dq, NdArray dk, NdArray dv, double scale) {
        DType t = q.dtype();
        INDArray Q = pack(q, t), K = pack(k, t), V = pack(v, t), O = pack(y, t), L = pack(lse, t).reshape(-1, 1);
        int n = (int) Q.rows(), w = (int) V.columns(), S = rows.length;
        if (K.rows() != n || V.rows() != n || O.rows() != n)
            throw new IllegalArgumentException("attention tangents: q " + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + ", v "
                    + Shapes.str(v.shape()) + " need one row per sample");
        DataType dt = Q.dataType();
        long[] sorted = java.util.Arrays.stream(rows).distinct().sorted().toArray();
        int[] slot = new int[S];
        for (int s = 0; s < S; s++) slot[s] = java.util.Arrays.binarySearch(sorted, rows[s]);
        INDArray Kr = rowsOf(K, sorted), Qr = rowsOf(Q, sorted);
        // P[:, r]ᵀ for the distinct rows: exp(scale·K_r·Qᵀ − lseᵀ), (U, N), row-major so each seed reads one row
        INDArray pCol = Nd4j.createUninitialized(dt, sorted.length, n);
        Nd4j.gemm(Kr, Q, pCol, false, true, scale, 0.0);
        pCol.subiRowVector(L.reshape(1, n));
        Transforms.exp(pCol, false);
        double[] pc = NdArray.values(pCol), sigma = null;
        if (dk != null) {                                                     // scale·Δk_s·q_j, (S, N)
            INDArray sg = Nd4j.createUninitialized(dt, S, n);
            Nd4j.gemm(pack(dk, t), Q, sg, false, true, scale, 0.0);
            sigma = NdArray.values(sg);
            sg.close();
        }
        double[] corr = dq == null ? null : queryTerm(Qr, K, V, O, L, sorted, slot, rows, pack(dq, t), scale);
        double[] vv = NdArray.values(V), ov = NdArray.values(O), dvv = dv == null ? null : NdArray.values(pack(dv, t));
        INDArray out = Nd4j.createUninitialized(dt, S, n, w);
        boolean f64 = dt == DataType.DOUBLE;
        double[] block = f64 ? new double[n * w] : null;
        float[] fblock = f64 ? null : new float[n * w];
        double[] vr = new double[w], dvs = new double[w];
        for (int s = 0; s < S; s++) {
            int r = (int) rows[s], pRow = slot[s] * n, sRow = s * n;
            System.arraycopy(vv, r * w, vr, 0, w);
            if (dvv != null) System.arraycopy(dvv, s * w, dvs, 0, w);
            for (int j = 0; j < n; j++) {
                double p = pc[pRow + j], wj = sigma == null ? 0 : p * sigma[sRow + j];
                int o = j * w;
                if (f64) for (int e = 0; e < w; e++) block[o + e] = wj * (vr[e] - ov[o + e]) + p * dvs[e];
                else for (int e = 0; e < w; e++) fblock[o + e] = (float) (wj * (vr[e] - ov[o + e]) + p * dvs[e]);
            }
            if (corr != null)
                for (int e = 0; e < w; e++) {
                    if (f64) block[r * w + e] += corr[s * w + e];
                    else fblock[r * w + e] += (float) corr[s * w + e];
                }
            long at = (long) s * n * w;
            if (f64) new DoublePointer(out.data().addressPointer()).position(at).put(block, 0, block.length);
            else new FloatPointer(out.data().addressPointer()).position(at).put(fblock, 0, fblock.length);
        }
        for (INDArray a : new INDArray[]{Kr, Qr, pCol}) a.close();
        return new NdArray(out);
    }

    /** The query tangent's part of output row r_s: Σ_l P_rl a_l v_l − (Σ_l P_rl a_l)·y_r, a_l = scale·Δq·k_l; (S, dv). */
    private static double[] queryTerm(INDArray Qr, INDArray K, INDArray V, INDArray O, INDArray L, long[] sorted, int[] slot,
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
        long[] slots = java.util.Arrays.stream(slot).asLongStream().toArray();
        INDArray pr = rowsOf(pRow, slots);
        b.muli(pr);
        INDArray bv = Nd4j.createUninitialized(dt, S, w);
        Nd4j.gemm(b, V, bv, false, false, 1.0, 0.0);
        INDArray bs = b.sum(1);
        double[] corr = NdArray.values(bv), sums = NdArray.values(bs), ov = NdArray.values(O);
        for (int s = 0; s < S; s++) for (int e = 0; e < w; e++) corr[s * w + e] -= sums[s] * ov[(int) rows[s] * w + e];
        for (INDArray a : new INDArray[]{pRow, lr, b, pr, bv, bs}) a.close();
        return corr;
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
