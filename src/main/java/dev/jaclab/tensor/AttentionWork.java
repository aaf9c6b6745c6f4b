package dev.jaclab.tensor;

/**
 * The work of fused attention's direct kernels — those that call ND4J themselves rather than bind primitives, so
 * they state their work to the {@link WorkMeter} (the same figure computed and traced): the batched seed rules of
 * {@code AttentionBatch}, the factored rules of {@code AttentionTerms}, the one-row tangent of
 * {@code AttentionTangents} and the softmax row statistics it reads. Query rows N, keys M, features d, values dv.
 *
 * <pre>{@code
 * Work w = AttentionWork.oneRow(node, 96, 32, false, true, true);   // 96 seeds on 32 rows, key and value tangents
 * }</pre>
 */
final class AttentionWork {
    private AttentionWork() {}

    /**
     * {@code AttentionBatch} for C seeds: the softmax rows once (2·N·M·d flops, N·M exps, a few passes), then per seed
     * about two N·M·width products per part it carries (q, k, v) and a few passes over its N·M scores.
     */
    static Work seedBatch(Node n, long seeds, int q, int k, int v) {
        Tensor qt = n.inputs()[0], kt = n.inputs()[1], vt = n.inputs()[2];
        double N = qt.size(0), M = kt.size(0), d = qt.size(1), dv = vt.size(1), scores = N * M, c = seeds;
        double gemm = 2 * scores * d + c * 2 * scores * (dv + (q + k) * d + v * dv);
        return new Work(gemm, 4 * scores + 3 * c * scores, scores, 0, 8 * (scores + c * N * Math.max(d, dv)), 4 + 6 * c / Math.max(1, c));
    }

    /**
     * {@code AttentionTerms} for S seeds: the softmax rows once per call when one block holds them, else once per pass
     * ({@link dev.jaclab.nd.AttentionTerms#softmaxPasses}: 2·N·M·d flops and N·M exps each), and per seed one N×M
     * product of width about w + 1 for each wide part (key factors and shared value factors in the JVP; the Pᵀ·(… ⊙ q)
     * parts and shared value factors in the VJP), plus O(N·d·w) per seed for the rest.
     */
    static Work terms(Node n, long seeds, int wideParts, int valueParts) {
        Tensor qt = n.inputs()[0], kt = n.inputs()[1], vt = n.inputs()[2];
        double N = qt.size(0), M = kt.size(0), d = qt.size(1), dv = vt.size(1), scores = N * M, s = seeds;
        double passes = dev.jaclab.nd.AttentionTerms.softmaxPasses(qt.size(0), kt.size(0));
        double gemm = 2 * scores * d * passes + 2 * scores * s * ((wideParts * (Math.max(d, dv) + 1)) + valueParts * dv) + 2 * s * N * d * (dv + 1) * 2;
        return new Work(gemm, passes * scores + 4 * s * N * Math.max(d, dv) * (wideParts + 1), passes * scores, 0, 8 * s * N * Math.max(d, dv), 10 + 6.0 * (wideParts + 1));
    }

    /**
     * {@code AttentionTangents.oneRow} for S seeds on U distinct rows: the softmax column of each row (2·U·N·d, U·N
     * exps), the key part's scores per seed (2·S·N·d), the query part's softmax row and its products (2·U·N·d +
     * 2·S·N·(d + dv), U·N exps), and the packed copies of q, k, v and y.
     */
    static Work oneRow(Node n, long seeds, long rows, boolean dq, boolean dk, boolean dv) {
        Tensor qt = n.inputs()[0], vt = n.inputs()[2];
        double N = qt.size(0), d = qt.size(1), w = vt.size(1), s = seeds, u = rows;
        double gemm = 2 * u * N * d + (dk ? 2 * s * N * d : 0) + (dq ? 2 * u * N * d + 2 * s * N * (d + w) : 0);
        double elems = 2 * N * (d + w) + 2 * u * N + (u != s ? s * N : 0) + (dk ? s * N + s * w : 0) + (dq ? 2 * u * N + 3 * s * N + 2 * s * w : 0);
        double exps = u * N + (dq ? u * N : 0);
        return new Work(gemm, elems, exps, 0, 8 * s * N, 8 + (dk ? 3 : 0) + (dq ? 9 : 0));
    }

    /** {@code AttentionTangents.rowLogSumExp}: the scores once (2·N·M·d), their max, exp and sum (about four passes). */
    static Work rowLogSumExp(Node n) {
        double N = n.inputs()[0].size(0), M = n.inputs()[1].size(0), d = n.inputs()[0].size(1), scores = N * M;
        return new Work(2 * scores * d, 4 * scores, scores + N, 0, 8 * N, 7);
    }
}
