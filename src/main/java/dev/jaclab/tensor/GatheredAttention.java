package dev.jaclab.tensor;

import dev.jaclab.nd.AttentionTangents;
import dev.jaclab.nd.FusedAttention;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;

/**
 * Fused attention recorded on the tape with its primal already known: the output rows (and optionally the softmax
 * row statistics) were computed elsewhere — by ranges of query rows on other machines, say — and gathered. The node
 * is the one {@link Tensor#attention} records, so every sweep and strategy treats it alike, but recording it costs
 * O(N·d) instead of the O(N²·d) forward. Known row statistics are handed to the runs that need them
 * ({@link NodeCache}), so they are not recomputed either.
 *
 * <p>A few rows (first, middle, last) are recomputed from q, k, v and compared with the given ones: a state that does
 * not belong to these inputs is refused, never silently used.
 *
 * <pre>{@code
 * Tensor a = GatheredAttention.of(q, k, v, 0.25, attended, rowLogSumExp);   // q, k, v (N, d) on the tape; attended (N, d)
 * }</pre>
 */
public final class GatheredAttention {
    private GatheredAttention() {}

    /**
     * attention(q, k, v, scale) with the output {@code attended} (N, dv) given, and {@code rowLogSumExp} (N) — log Σ_l
     * exp(scale·q_j·k_l) per query row — given or null. q (N, d), k (M, d), v (M, dv), plain matrices of one dtype.
     */
    public static Tensor of(Tensor q, Tensor k, Tensor v, double scale, Tensor attended, Tensor rowLogSumExp) {
        Attention.Fused p = new Attention.Fused(scale);
        for (Tensor t : new Tensor[]{q, k, v, attended})
            if (t.rank() != 2 || t.levels().length != 0)
                throw new IllegalArgumentException("gathered attention: q, k, v and the output must be plain matrices, got q " + Shapes.str(q.shape())
                        + ", k " + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape()) + ", output " + Shapes.str(attended.shape()));
        long[] want = p.shape(new long[][]{q.shape(), k.shape(), v.shape()});
        if (!java.util.Arrays.equals(want, attended.shape()))
            throw new IllegalArgumentException("gathered attention: the output is " + Shapes.str(attended.shape()) + ", attention(q " + Shapes.str(q.shape())
                    + ", k " + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape()) + ") is " + Shapes.str(want));
        if (rowLogSumExp != null && !java.util.Arrays.equals(rowLogSumExp.shape(), new long[]{q.size(0)}))
            throw new IllegalArgumentException("gathered attention: the row statistics are " + Shapes.str(rowLogSumExp.shape()) + ", expected (" + q.size(0) + ")");
        if (attended.dtype() != q.dtype() || (rowLogSumExp != null && rowLogSumExp.dtype() != q.dtype()))
            throw new IllegalArgumentException("gathered attention: the state is " + attended.dtype() + ", q is " + q.dtype());
        check(q.data(), k.data(), v.data(), scale, attended.data(), rowLogSumExp == null ? null : rowLogSumExp.data());
        Tensor y = Tensor.wrap(attended.data());
        Binder.record(p, new Tensor[]{q, k, v}, y);
        if (rowLogSumExp != null && y.node() != null) NodeCache.known(y.node(), rowLogSumExp.data());
        return y;
    }

    /** Recomputes rows 0, N/2 and N−1 and compares (relative 1e-4 in float32, 1e-9 in float64). */
    private static void check(NdArray q, NdArray k, NdArray v, double scale, NdArray out, NdArray lse) {
        long n = q.shape()[0];
        double tol = q.dtype() == dev.jaclab.nd.DType.FLOAT64 ? 1e-9 : 1e-4;
        for (long r : java.util.stream.LongStream.of(0, n / 2, n - 1).distinct().toArray()) {
            NdArray qr = q.narrow(0, r, 1);
            double[] got = out.narrow(0, r, 1).toDoubleArray(), exact = FusedAttention.forward(qr, k, v, scale, 1).toDoubleArray();
            double diff = 0, size = 1;
            for (int i = 0; i < got.length; i++) {
                diff = Math.max(diff, Math.abs(got[i] - exact[i]));
                size = Math.max(size, Math.abs(exact[i]));
            }
            if (!(diff <= tol * size))
                throw new IllegalArgumentException("gathered attention: row " + r + " of the given output differs from attention(q, k, v) on that row by "
                        + String.format("%.3g", diff) + ": the gathered state does not belong to these inputs (are the model's other parts per-sample?)");
            if (lse != null) {
                double g = lse.narrow(0, r, 1).toDoubleArray()[0], e = AttentionTangents.rowLogSumExp(qr, k, scale, 1).toDoubleArray()[0];
                if (!(Math.abs(g - e) <= tol * Math.max(1, Math.abs(e))))
                    throw new IllegalArgumentException("gathered attention: the row statistic of row " + r + " is " + g + ", recomputed " + e);
            }
        }
    }
}
