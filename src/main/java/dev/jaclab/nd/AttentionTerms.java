package dev.jaclab.nd;

import static dev.jaclab.nd.WideOps.*;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Attention's JVP and VJP for a batch of S seeds whose tangents (or cotangents) come in <em>factored</em> form over
 * all rows: a[s, r]·f[s] (a per-seed feature vector scaled per row) or a[s, r]·F[r] (one matrix F, its rows scaled
 * per seed). That is what a seed on one sample's row becomes after one attention layer (a softmax column or row times
 * a vector, and −a·y from the softmax's normalisation), and what linear maps applied to every row keep. The second
 * mixing layer of a stack receives these; writing them dense costs O(N·M·d) per seed in products with a contraction
 * of only d, while the factors let every part run either in O(N·d²) per seed or as ONE wide product of the softmax
 * rows P (N, M) with an (M, S·width) matrix — at the rate of a large gemm. With y = P·v, dS the score tangent and
 * E = P ⊙ dS, the output tangent is E·v − rowsum(E)·y + P·dv ([v, 1] gives both terms of E in one product), and:
 * <pre>
 *   dv = a·fᵀ        →  P·a ⊗ f                                  (factored: one product P·a for all seeds)
 *   dv = diag(a)·F   →  P·(a ⊙ F)                                (one (N, M)·(M, S·w) product)
 *   dk = a·fᵀ        →  E = diag(α)·P·diag(a), α = scale·q·f     →  α ⊙ [P·(a ⊙ [v, 1])]
 *   dk = diag(a)·F   →  E = (P ⊙ scale·q·Fᵀ)·diag(a)             →  (P ⊙ scale·q·Fᵀ)·(a ⊙ [v, 1])
 *   dq = a·fᵀ        →  E = diag(a)·P·diag(scale·k·f)            →  a ⊙ Σ_e f_e·Z_e,  Z_e = P·(k_e ⊙ [v, 1])  (O(N·d·w) per seed)
 *   dq = diag(a)·F   →  E = diag(a)·(P ⊙ scale·F·kᵀ)             →  a ⊗ [(P ⊙ scale·F·kᵀ)·[v, 1]]  (factored, seed-free)
 * </pre>
 * The VJP from output cotangents g is the transpose: with dS = P ⊙ (g·vᵀ) − rowdot(g, y)·P,
 * <pre>
 *   g = a·fᵀ       →  dv = Pᵀ·a ⊗ f;  dq = scale·a ⊙ (Σ_e f_e·W_e − (y·f)·P·k),  W_e = P·(v_e ⊙ k);
 *                     dk = scale·[(v·f) ⊙ Pᵀ·(a ⊙ q) − Pᵀ·(a ⊙ (y·f) ⊙ q)]
 *   g = diag(a)·F  →  dv = Pᵀ·(a ⊙ F);  dq = a ⊗ scale·(P ⊙ F·vᵀ − ρ·P)·k, ρ = rowdot(F, y);
 *                     dk = scale·[(P ⊙ F·vᵀ)ᵀ·(a ⊙ q) − Pᵀ·(a ⊙ ρ ⊙ q)]
 * </pre>
 * (the Pᵀ·(… ⊙ q) terms of all cotangent parts share one product). Seeds go in sub-batches and query rows in blocks,
 * so the wide matrices and the softmax block stay bounded.
 *
 * <pre>{@code
 * NdArray q = NdArray.random(DType.FLOAT64, 1, true, 6, 4), k = NdArray.random(DType.FLOAT64, 2, true, 6, 4),
 *         v = NdArray.random(DType.FLOAT64, 3, true, 6, 2);
 * NdArray y = FusedAttention.forward(q, k, v, 0.5, 6);
 * var dv = List.of(new AttentionTerms.Factor(NdArray.random(DType.FLOAT64, 4, true, 5, 6), y, true));  // five seeds
 * AttentionTerms.Part dy = AttentionTerms.jvp(q, k, v, y, List.of(), List.of(), dv, 0.5);            // dense (5, 6, 2)
 * }</pre>
 */
public final class AttentionTerms {
    /** Elements of the wide per-sub-batch matrices (seeds × rows × width) at a time. */
    static final long WIDE_ELEMENTS = 1L << 23;

    private AttentionTerms() {}

    /**
     * S seeds' values over all R rows of a 2-D tensor: a[s, r]·f[s, :] (per seed, f (S, w)) or, when {@code shared},
     * a[s, r]·f[r, :] (f (R, w)).
     */
    public record Factor(NdArray a, NdArray f, boolean shared) {}

    /** S seeds' values: a dense part (S, R, w) or null, plus factors over the same rows. */
    public record Part(NdArray dense, List<Factor> factors) {}

    /** The output tangents of S seeds from factored tangents of q, k and v (empty lists for none). */
    public static Part jvp(NdArray q, NdArray k, NdArray v, NdArray y, List<Factor> dq, List<Factor> dk, List<Factor> dv, double scale) {
        return jvp(q, k, v, y, dq, dk, dv, scale, AttentionBatch.BLOCK_ELEMENTS / 2, WIDE_ELEMENTS);
    }

    static Part jvp(NdArray q, NdArray k, NdArray v, NdArray y, List<Factor> dq, List<Factor> dk, List<Factor> dv, double scale,
                    long block, long wide) {
        AttentionLayer l = new AttentionLayer(q, k, v, y, scale, block);
        Terms tq = new Terms("jvp", "q", l, dq, l.n, l.d), tk = new Terms("jvp", "k", l, dk, l.m, l.d), tv = new Terms("jvp", "v", l, dv, l.m, l.w);
        long s = Terms.seeds("jvp", tq, tk, tv);
        List<Factor> factors = new ArrayList<>();
        INDArray dense = null;
        NdArray out = null;
        try (Arena arena = Arena.open()) {
            INDArray vAug = NdArray.tracked(l.valuesWithOnes());
            long rows = blockRows(l, block);
            l.keepWhole(rows);
            // seed-free parts: P·a for per-seed dv, the shared dq factors, and Z = P·(k ⊗ [v, 1]) for per-seed dq
            INDArray[] pa = new INDArray[tv.perSeed.size()];
            for (int t = 0; t < pa.length; t++) pa[t] = Nd4j.createUninitialized(l.dt, s, l.n);
            int[] fromKey = keyWithSameWeights(tv.perSeed, tk.perSeed);      // P·a is then the ones column of that key factor's product
            INDArray[] fq = new INDArray[tq.shared.size()];
            for (int t = 0; t < fq.length; t++) fq[t] = Nd4j.createUninitialized(l.dt, l.n, l.w);
            INDArray kv = tq.perSeed.isEmpty() ? null : NdArray.tracked(outer(l.k, vAug));                  // (M, d·(w+1))
            INDArray z = kv == null ? null : NdArray.tracked(Nd4j.createUninitialized(l.dt, l.n, l.d * (l.w + 1)));
            if (java.util.Arrays.stream(fromKey).anyMatch(i -> i < 0) || fq.length > 0 || z != null)
                for (long r0 = 0; r0 < l.n; r0 += rows) try (Arena rowBlock = Arena.open()) {               // frees the block's temporaries
                    long b = Math.min(rows, l.n - r0);
                    INDArray p = l.block(r0, b);
                    for (int t = 0; t < pa.length; t++) if (fromKey[t] < 0) cols(pa[t], r0, b).assign(mm(tv.perSeed.get(t).a, false, p, true));
                    for (int t = 0; t < fq.length; t++) {
                        INDArray ph = mm(AttentionLayer.rows(tq.shared.get(t).f, r0, b), false, l.k, true).muli(scale).muli(p);
                        AttentionLayer.rows(fq[t], r0, b).assign(normalised(mm(ph, false, vAug, false), l.outputRows(r0, b), l.w).reshape('c', b, l.w));
                    }
                    if (z != null) Nd4j.gemm(p, kv, AttentionLayer.rows(z, r0, b), false, false, 1.0, 0.0);
                    l.release(p);
                }
            for (int t = 0; t < pa.length; t++) factors.add(new Factor(new NdArray(pa[t]), tv.perSeed.get(t).features(), false));
            for (int t = 0; t < fq.length; t++) factors.add(new Factor(tq.shared.get(t).rowWeights(), new NdArray(fq[t]), true));
            // dense parts, a sub-batch of seeds at a time; every −rowsum(E)·y goes to one shared factor (ρ, y)
            long perSeedCols = (tk.perSeed.size() + tk.shared.size()) * (l.w + 1) + tv.shared.size() * l.w;
            boolean anyDense = perSeedCols > 0 || z != null, anyRowSums = !tk.perSeed.isEmpty() || !tk.shared.isEmpty() || z != null;
            if (anyDense) dense = Nd4j.createUninitialized(l.dt, s, l.n, l.w);
            INDArray rhoAll = anyRowSums ? Nd4j.createUninitialized(l.dt, s, l.n) : null;
            long cs = tk.align(Math.max(1, Math.min(s, wide / Math.max(1, Math.max(l.m, l.n) * Math.max(perSeedCols, l.w + 1)))));
            INDArray zT = z == null ? null : NdArray.tracked(z.reshape('c', l.n, l.d, l.w + 1).permute(0, 2, 1).dup('c').reshape('c', l.n * (l.w + 1), l.d));
            INDArray[] keyScores = new INDArray[rows >= l.n && anyDense ? tk.shared.size() : 0];                 // P ⊙ scale·q·Fᵀ, one block: once per call
            for (int t = 0; t < keyScores.length; t++) keyScores[t] = keyScores(l, l.block(0, l.n), 0, l.n, tk.shared.get(t).f);
            for (long c0 = 0; anyDense && c0 < s; c0 += cs) {
                long c = Math.min(cs, s - c0);
                try (Arena sub = Arena.open()) {
                    INDArray acc = Scratch.zeros("terms.jvp.acc", l.dt, l.n, c, l.w);                             // rows (r, seed)
                    INDArray rho = Scratch.zeros("terms.jvp.rho", l.dt, l.n, c);
                    List<INDArray[]> wideP = new ArrayList<>();                                                 // multiplied by P
                    for (Packed f : tk.perSeed) wideP.add(new INDArray[]{f.weightsT(c0, c), vAug});
                    for (Packed f : tv.shared) wideP.add(new INDArray[]{packedT(seedRows(f.a, c0, c)), f.f});
                    INDArray gP = wideP.isEmpty() ? null : wide("terms.jvp.wide", wideP);
                    INDArray hBuf = gP == null ? null : Scratch.work("terms.jvp.h", l.dt, Math.min(rows, l.n), gP.columns());
                    INDArray[] gShared = new INDArray[tk.shared.size()];                                        // multiplied by P ⊙ scale·q·Fᵀ
                    for (int t = 0; t < gShared.length; t++) gShared[t] = NdArray.tracked(outer(seedRows(tk.shared.get(t).a, c0, c).transpose(), vAug));
                    for (long r0 = 0; r0 < l.n; r0 += rows) try (Arena rowBlock = Arena.open()) {           // frees the block's temporaries
                        long b = Math.min(rows, l.n - r0);
                        INDArray p = l.block(r0, b);
                        INDArray accB = acc.get(NDArrayIndex.interval(r0, r0 + b), NDArrayIndex.all(), NDArrayIndex.all());
                        INDArray rhoB = AttentionLayer.rows(rho, r0, b);
                        if (gP != null) {
                            INDArray h = AttentionLayer.rows(hBuf, 0, b);                                      // (b, Σ widths)
                            Nd4j.gemm(p, gP, h, false, false, 1.0, 0.0);
                            long at = 0;
                            for (int t = 0; t < pa.length; t++) if (fromKey[t] >= 0) onesColumn(pa[t], h, tk.perSeed, fromKey[t], c0, c, r0, b, l.w);
                            for (Packed f : tk.perSeed) {                                                     // α ⊙ (P·(a ⊙ [v, 1]))
                                INDArray alpha = mm(l.queryRows(r0, b), false, seedRows(f.f, c0, c), true).muli(scale);
                                addScaled(accB, rhoB, block3(h, at, c / f.group, l.w + 1), alpha, l.w, f.group);
                                at += c / f.group * (l.w + 1);
                            }
                            for (int t = 0; t < tv.shared.size(); t++, at += c * l.w) accB.addi(block3(h, at, c, l.w));
                        }
                        for (int t = 0; t < gShared.length; t++) {                                            // (P ⊙ scale·q·Fᵀ)·(a ⊙ [v, 1])
                            INDArray pt = keyScores.length > 0 ? keyScores[t] : keyScores(l, p, r0, b, tk.shared.get(t).f);
                            addScaled(accB, rhoB, mm(pt, false, gShared[t], false).reshape('c', b, c, l.w + 1), null, l.w, 1);
                        }
                        l.release(p);
                    }
                    for (Packed f : tq.perSeed) {                                                             // a ⊙ Σ_e f_e·Z_e
                        INDArray u = mm(zT, false, seedRows(f.f, c0, c), true).muli(scale);   // (N·(w+1), c)
                        addScaled(acc, rho, u.reshape('c', l.n, l.w + 1, c).permute(0, 2, 1), packedT(seedRows(f.a, c0, c)), l.w, 1);
                    }
                    dense.get(NDArrayIndex.interval(c0, c0 + c), NDArrayIndex.all(), NDArrayIndex.all()).assign(acc.permute(1, 0, 2));
                    if (rhoAll != null) AttentionLayer.rows(rhoAll, c0, c).assign(rho.transpose());
                }
            }
            if (rhoAll != null) factors.add(new Factor(new NdArray(rhoAll), NdArray.borrow(l.y), true));
            for (Factor f : factors) arena.keep(f.a, f.f);
            if (dense != null) {
                out = new NdArray(dense);
                arena.keep(out);
            }
        }
        return new Part(out, factors);
    }

    /**
     * For each per-seed value factor, the per-seed key factor with the very same row weights (the q, k, v tangents of a
     * seed come from one tangent through three linear maps, so they share row weights), or −1: its P·a is the ones
     * column of that key factor's wide product P·(a ⊙ [v, 1]), no separate product needed.
     */
    private static int[] keyWithSameWeights(List<Packed> values, List<Packed> keys) {
        int[] out = new int[values.size()];
        for (int t = 0; t < out.length; t++) {
            out[t] = -1;
            for (int u = 0; u < keys.size() && out[t] < 0; u++) if (values.get(t).src.a() == keys.get(u).src.a()) out[t] = u;
        }
        return out;
    }

    /**
     * pa (S, N) for seeds c0..c0+c and rows r0..r0+b ← the ones column of key factor {@code key}'s block of h (b, ·): one
     * value per group of seeds sharing row weights, written to each seed of the group.
     */
    private static void onesColumn(INDArray pa, INDArray h, List<Packed> keys, int key, long c0, long c, long r0, long b, long w) {
        long at = 0;
        for (int u = 0; u < key; u++) at += c / keys.get(u).group * (w + 1);
        long g = keys.get(key).group;
        INDArray ones = block3(h, at, c / g, w + 1).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(w));   // (b, c / g)
        long n = pa.size(1);                                                               // pa is packed (S, N)
        for (long j = 0; j < g; j++) view(pa, (c0 + j) * n + r0, new long[]{c / g, b}, new long[]{g * n, 1}).assign(ones.transpose());
    }

    /**
     * How many times a call of {@link #jvp} or {@link #vjp} over N query rows and M keys forms its softmax rows: once
     * when one block holds them all (kept for the call), else about three passes of blocks (for the cost model).
     */
    public static int softmaxPasses(long n, long m) { return n * m <= AttentionBatch.BLOCK_ELEMENTS / 2 ? 1 : 3; }

    /** P ⊙ scale·q·Fᵀ for query rows r0..r0+b (p: their softmax rows), fresh. */
    private static INDArray keyScores(AttentionLayer l, INDArray p, long r0, long b, INDArray f) {
        return mm(l.queryRows(r0, b), false, f, true).muli(l.scale).muli(p);
    }

    /** The cotangents of q, k and v (null where not wanted) of S seeds from factored output cotangents. */
    public static Part[] vjp(NdArray q, NdArray k, NdArray v, NdArray y, List<Factor> g, double scale, boolean wantQ, boolean wantK, boolean wantV) {
        return vjp(q, k, v, y, g, scale, wantQ, wantK, wantV, AttentionBatch.BLOCK_ELEMENTS / 2, WIDE_ELEMENTS);
    }

    static Part[] vjp(NdArray q, NdArray k, NdArray v, NdArray y, List<Factor> g, double scale, boolean wantQ, boolean wantK, boolean wantV,
                      long block, long wide) {
        AttentionLayer l = new AttentionLayer(q, k, v, y, scale, block);
        Terms tg = new Terms("vjp", "output", l, g, l.n, l.w);
        long s = Terms.seeds("vjp", tg);
        List<Factor> qFactors = new ArrayList<>(), vFactors = new ArrayList<>();
        INDArray dq = null, dk = null, dv = null;
        NdArray[] out = new NdArray[3];
        try (Arena arena = Arena.open()) {
            long rows = blockRows(l, block);
            l.keepWhole(rows);
            INDArray vAug = NdArray.tracked(l.valuesWithOnes());
            // seed-free parts: a·P for per-seed dv, the shared dq factors, W = P·([v, 1] ⊗ k) for per-seed dq
            INDArray[] ap = new INDArray[wantV ? tg.perSeed.size() : 0];
            for (int t = 0; t < ap.length; t++) ap[t] = Nd4j.zeros(l.dt, s, l.m);
            // with the key cotangent wanted, every per-seed factor's Pᵀ·(a ⊙ q) is formed anyway: as Pᵀ·(a ⊙ [q, 1]) its
            // ones column is a·P, no separate product
            boolean apFromKeys = ap.length > 0 && wantK;
            INDArray qAug = apFromKeys ? NdArray.tracked(AttentionLayer.withOnes(l.q)) : l.q;
            long perSeedWidth = qAug.columns();
            INDArray[] fq = new INDArray[wantQ ? tg.shared.size() : 0];
            for (int t = 0; t < fq.length; t++) fq[t] = Nd4j.createUninitialized(l.dt, l.n, l.d);
            INDArray[] rho = new INDArray[tg.shared.size()];
            for (int t = 0; t < rho.length; t++) rho[t] = NdArray.tracked(NdArray.tracked(tg.shared.get(t).f.mul(l.y)).sum(true, 1).reshape('c', l.n, 1));
            INDArray vk = wantQ && !tg.perSeed.isEmpty() ? NdArray.tracked(outer(vAug, l.k)) : null;        // (M, (w+1)·d)
            INDArray w = vk == null ? null : NdArray.tracked(Nd4j.createUninitialized(l.dt, l.n, (l.w + 1) * l.d));
            if ((ap.length > 0 && !apFromKeys) || fq.length > 0 || w != null)
                for (long r0 = 0; r0 < l.n; r0 += rows) try (Arena rowBlock = Arena.open()) {               // frees the block's temporaries
                    long b = Math.min(rows, l.n - r0);
                    INDArray p = l.block(r0, b);
                    for (int t = 0; t < ap.length && !apFromKeys; t++) Nd4j.gemm(NdArray.tracked(cols(tg.perSeed.get(t).a, r0, b).dup('c')), p, ap[t], false, false, 1.0, 1.0);
                    for (int t = 0; t < fq.length; t++) {                                                  // scale·(P ⊙ F·vᵀ − ρ·P)·k
                        INDArray ds = NdArray.tracked(scores(p, AttentionLayer.rows(tg.shared.get(t).f, r0, b), l.v, AttentionLayer.rows(rho[t], r0, b)));
                        AttentionLayer.rows(fq[t], r0, b).assign(mm(ds, false, l.k, false).muli(scale));
                    }
                    if (w != null) Nd4j.gemm(p, vk, AttentionLayer.rows(w, r0, b), false, false, 1.0, 0.0);
                    l.release(p);
                }
            for (int t = 0; t < ap.length; t++) vFactors.add(new Factor(new NdArray(ap[t]), tg.perSeed.get(t).features(), false));
            for (int t = 0; t < fq.length; t++) qFactors.add(new Factor(tg.shared.get(t).rowWeights(), new NdArray(fq[t]), true));
            boolean denseQ = w != null, denseK = wantK, denseV = wantV && !tg.shared.isEmpty();
            if (denseQ) dq = Nd4j.createUninitialized(l.dt, s, l.n, l.d);
            if (denseK) dk = Nd4j.createUninitialized(l.dt, s, l.m, l.d);
            if (denseV) dv = Nd4j.createUninitialized(l.dt, s, l.m, l.w);
            INDArray wT = null;                                                                        // (N·d, w): W_e − y_e·(P·k), per row
            if (w != null) {
                INDArray w3 = w.reshape('c', l.n, l.w + 1, l.d);
                INDArray pk = NdArray.tracked(w3.get(NDArrayIndex.all(), NDArrayIndex.point(l.w), NDArrayIndex.all()).dup('c'));
                INDArray corr = NdArray.tracked(Nd4j.createUninitialized(l.dt, l.n, l.w, l.d));
                Nd4j.exec(new MulOp(new INDArray[]{l.y.reshape('c', l.n, l.w, 1), pk.reshape('c', l.n, 1, l.d)}, new INDArray[]{corr}));
                corr.rsubi(w3.get(NDArrayIndex.all(), NDArrayIndex.interval(0, l.w), NDArrayIndex.all()));
                wT = NdArray.tracked(corr.permute(0, 2, 1).dup('c')).reshape('c', l.n * l.d, l.w);
            }
            long perSeedCols = tg.perSeed.size() * perSeedWidth + (1 + tg.shared.size()) * l.d + tg.shared.size() * l.w;
            long cs = tg.align(Math.max(1, Math.min(s, wide / Math.max(1, Math.max(l.m, l.n) * perSeedCols))));
            for (long c0 = 0; (denseQ || denseK || denseV) && c0 < s; c0 += cs) {
                long c = Math.min(cs, s - c0);
                try (Arena sub = Arena.open()) {
                    INDArray[] phi = new INDArray[tg.perSeed.size()], aT = new INDArray[tg.perSeed.size()];
                    INDArray phiAll = NdArray.tracked(Nd4j.zeros(l.dt, l.n, c));                              // Σ a ⊙ (y·f), Σ a ⊙ ρ
                    for (int t = 0; t < phi.length; t++) {
                        Packed f = tg.perSeed.get(t);
                        phi[t] = mm(l.y, false, seedRows(f.f, c0, c), true);                  // (N, c)
                        aT[t] = packedT(seedRows(f.a, c0, c));
                        phiAll.addi(NdArray.tracked(aT[t].mul(phi[t])));
                    }
                    INDArray[] aS = new INDArray[tg.shared.size()];
                    for (int t = 0; t < aS.length; t++) {
                        aS[t] = packedT(seedRows(tg.shared.get(t).a, c0, c));
                        phiAll.addi(NdArray.tracked(aS[t].mulColumnVector(rho[t])));
                    }
                    if (denseK || denseV) {
                        List<INDArray[]> wide1 = new ArrayList<>();                                           // multiplied by Pᵀ
                        if (denseK) {
                            for (Packed f : tg.perSeed) wide1.add(new INDArray[]{f.weightsT(c0, c), qAug});
                            wide1.add(new INDArray[]{phiAll, l.q});
                        }
                        if (denseV) for (int t = 0; t < aS.length; t++) wide1.add(new INDArray[]{aS[t], tg.shared.get(t).f});
                        INDArray x = wide("terms.vjp.wide", wide1);                                                             // (N, widths)
                        INDArray h = Scratch.zeros("terms.vjp.h", l.dt, l.m, x.columns());
                        INDArray[] hs = new INDArray[denseK ? aS.length : 0];
                        for (int t = 0; t < hs.length; t++) hs[t] = NdArray.tracked(Nd4j.zeros(l.dt, l.m, c * l.d));
                        INDArray[] xs = new INDArray[hs.length];
                        for (int t = 0; t < xs.length; t++) xs[t] = NdArray.tracked(outer(aS[t], l.q));
                        for (long r0 = 0; r0 < l.n; r0 += rows) try (Arena rowBlock = Arena.open()) {       // frees the block's temporaries
                            long b = Math.min(rows, l.n - r0);
                            INDArray p = l.block(r0, b);
                            Nd4j.gemm(p, AttentionLayer.rows(x, r0, b), h, true, false, 1.0, 1.0);
                            for (int t = 0; t < hs.length; t++) {                                              // (P ⊙ F·vᵀ)ᵀ·(a ⊙ q)
                                INDArray pf = NdArray.tracked(scores(p, AttentionLayer.rows(tg.shared.get(t).f, r0, b), l.v, null));
                                Nd4j.gemm(pf, AttentionLayer.rows(xs[t], r0, b), hs[t], true, false, 1.0, 1.0);
                            }
                            l.release(p);
                        }
                        long at = 0;
                        if (denseK) {
                            INDArray acc = Scratch.zeros("terms.vjp.dk", l.dt, l.m, c, l.d);
                            for (int t = 0; t < tg.perSeed.size(); t++) {                                   // (v·f) ⊙ Pᵀ·(a ⊙ q)
                                Packed f = tg.perSeed.get(t);
                                INDArray psi = mm(l.v, false, seedRows(f.f, c0, c), true);   // (M, c)
                                long groups = c / f.group;
                                INDArray pq = view(h, at, new long[]{l.m, groups, l.d}, new long[]{h.stride(0), perSeedWidth, 1});
                                addExpanded(acc, pq, psi, f.group);
                                if (apFromKeys) {                                                          // the ones column: a·P
                                    INDArray ones = view(h, at + l.d, new long[]{l.m, groups}, new long[]{h.stride(0), perSeedWidth});
                                    for (long j = 0; j < f.group; j++)
                                        view(ap[t], (c0 + j) * l.m, new long[]{groups, l.m}, new long[]{f.group * l.m, 1}).assign(ones.transpose());
                                }
                                at += groups * perSeedWidth;
                            }
                            acc.subi(block3(h, at, c, l.d));
                            at += c * l.d;
                            for (INDArray hsT : hs) acc.addi(hsT.reshape('c', l.m, c, l.d));
                            acc.muli(scale);
                            dk.get(NDArrayIndex.interval(c0, c0 + c), NDArrayIndex.all(), NDArrayIndex.all()).assign(acc.permute(1, 0, 2));
                        }
                        if (denseV) {
                            INDArray acc = Scratch.zeros("terms.vjp.dv", l.dt, l.m, c, l.w);
                            for (int t = 0; t < aS.length; t++, at += c * l.w) acc.addi(block3(h, at, c, l.w));
                            dv.get(NDArrayIndex.interval(c0, c0 + c), NDArrayIndex.all(), NDArrayIndex.all()).assign(acc.permute(1, 0, 2));
                        }
                    }
                    if (denseQ) {                                                                            // a ⊙ Σ_e f_e·(W_e − y_e·P·k)
                        INDArray acc = Scratch.zeros("terms.vjp.dq", l.dt, l.n, c, l.d);
                        for (int t = 0; t < aT.length; t++) {
                            INDArray u = mm(wT, false, seedRows(tg.perSeed.get(t).f, c0, c), true);   // (N·d, c)
                            acc.addi(times(u.reshape('c', l.n, l.d, c).permute(0, 2, 1), aT[t]));
                        }
                        acc.muli(scale);
                        dq.get(NDArrayIndex.interval(c0, c0 + c), NDArrayIndex.all(), NDArrayIndex.all()).assign(acc.permute(1, 0, 2));
                    }
                }
            }
            for (Factor f : qFactors) arena.keep(f.a, f.f);
            for (Factor f : vFactors) arena.keep(f.a, f.f);
            for (int i = 0; i < 3; i++) {
                INDArray a = i == 0 ? dq : i == 1 ? dk : dv;
                if (a == null) continue;
                out[i] = new NdArray(a);
                arena.keep(out[i]);
            }
        }
        return new Part[]{wantQ ? new Part(out[0], qFactors) : null, wantK ? new Part(out[1], List.of()) : null, wantV ? new Part(out[2], vFactors) : null};
    }

    /**
     * Elements the JVP and VJP hold at once for S seeds over N query rows and M keys (features d, values w): each
     * side's wide operand and its product with the softmax rows (at most {@link #WIDE_ELEMENTS} each), and about a
     * dozen (S, rows, width) arrays — the accumulators and the dense parts handed back. An estimate for the cost model,
     * checked against measured peaks by the cost-model benchmark.
     */
    public static long workingElements(long n, long m, long d, long w, long seeds) {
        long width = Math.max(d, w), wide = Math.min(WIDE_ELEMENTS, Math.max(n, m) * seeds * 4 * (width + 1));
        return 4 * wide + 12 * seeds * Math.max(n, m) * width;
    }

    /**
     * What {@link #jvp} returns, with shapes only (a traced sweep: nothing computed): the same dense part and factors,
     * in the same order, after the same checks.
     */
    public static Part jvpShapes(NdArray q, NdArray k, NdArray v, List<Factor> dq, List<Factor> dk, List<Factor> dv) {
        long n = q.shape()[0], m = k.shape()[0], d = q.shape()[1], w = v.shape()[1];
        long s = seedsOf("jvp", new String[]{"q", "k", "v"}, new List[]{dq, dk, dv}, new long[]{n, m, m}, new long[]{d, d, w});
        DType t = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        List<Factor> factors = new ArrayList<>();
        for (Factor f : dv) if (!f.shared()) factors.add(new Factor(NdArray.shapeOnly(t, s, n), f.f(), false));
        for (Factor f : dq) if (f.shared()) factors.add(new Factor(f.a(), NdArray.shapeOnly(t, n, w), true));
        boolean perSeedQ = dq.stream().anyMatch(f -> !f.shared()), sharedV = dv.stream().anyMatch(Factor::shared);
        if (!dk.isEmpty() || perSeedQ) factors.add(new Factor(NdArray.shapeOnly(t, s, n), NdArray.shapeOnly(t, n, w), true));   // (ρ, y)
        return new Part(!dk.isEmpty() || sharedV || perSeedQ ? NdArray.shapeOnly(t, s, n, w) : null, factors);
    }

    /** What {@link #vjp} returns, with shapes only (a traced sweep), as {@link #jvpShapes}. */
    public static Part[] vjpShapes(NdArray q, NdArray k, NdArray v, List<Factor> g, boolean wantQ, boolean wantK, boolean wantV) {
        long n = q.shape()[0], m = k.shape()[0], d = q.shape()[1], w = v.shape()[1];
        long s = seedsOf("vjp", new String[]{"output"}, new List[]{g}, new long[]{n}, new long[]{w});
        DType t = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        boolean perSeed = g.stream().anyMatch(f -> !f.shared()), shared = g.stream().anyMatch(Factor::shared);
        List<Factor> qf = new ArrayList<>(), vf = new ArrayList<>();
        for (Factor f : g) if (f.shared() && wantQ) qf.add(new Factor(f.a(), NdArray.shapeOnly(t, n, d), true));
        for (Factor f : g) if (!f.shared() && wantV) vf.add(new Factor(NdArray.shapeOnly(t, s, m), f.f(), false));
        return new Part[]{wantQ ? new Part(perSeed ? NdArray.shapeOnly(t, s, n, d) : null, qf) : null,
                wantK ? new Part(NdArray.shapeOnly(t, s, m, d), List.of()) : null,
                wantV ? new Part(shared ? NdArray.shapeOnly(t, s, m, w) : null, vf) : null};
    }

    private static long seedsOf(String op, String[] inputs, List<Factor>[] fs, long[] rows, long[] widths) {
        long[] seen = new long[fs.length];
        for (int i = 0; i < fs.length; i++) {
            seen[i] = -1;
            for (Factor f : fs[i]) seen[i] = Terms.check(op, inputs[i], f, rows[i], widths[i], seen[i]);
        }
        return Terms.common(op, seen);
    }

    /** One input's factors, packed in the layer's dtype and checked against its rows and width. */
    private static final class Terms {
        final List<Packed> perSeed = new ArrayList<>(), shared = new ArrayList<>();
        long seeds = -1;

        Terms(String op, String input, AttentionLayer l, List<Factor> fs, long rows, long width) {
            for (Factor f : fs) {
                seeds = check(op, input, f, rows, width, seeds);
                DType t = l.dt == DataType.DOUBLE ? DType.FLOAT64 : DType.FLOAT32;
                INDArray pa = AttentionLayer.packed(f.a(), t);
                Packed p = new Packed(pa, AttentionLayer.packed(f.f(), t), f, f.shared() ? 1 : group(pa));
                (f.shared() ? shared : perSeed).add(p);
            }
        }

        /** The factor's seed count, after checking it against the input's rows and width and the seeds seen so far (−1: none). */
        static long check(String op, String input, Factor f, long rows, long width, long seeds) {
            long[] a = f.a().shape(), w = f.f().shape();
            boolean ok = a.length == 2 && w.length == 2 && a[1] == rows && w[1] == width && (f.shared() ? w[0] == rows : w[0] == a[0]);
            if (!ok || (seeds >= 0 && a[0] != seeds))
                throw new IllegalArgumentException("attention " + op + " (factored): " + input + " factor a " + Shapes.str(a) + ", f " + Shapes.str(w)
                        + (f.shared() ? " (shared)" : " (per seed)") + " does not match " + rows + " rows of width " + width
                        + (seeds >= 0 ? " and " + seeds + " seeds" : ""));
            return a[0];
        }

        /** The seeds per sub-batch: a multiple of every group of seeds sharing row weights (at least one group). */
        long align(long cs) {
            long k = 1;
            for (Packed p : perSeed) k = k / gcd(k, p.group) * p.group;
            return Math.max(k, cs / k * k);
        }

        static long seeds(String op, Terms... ts) { return common(op, java.util.Arrays.stream(ts).mapToLong(t -> t.seeds).toArray()); }

        /** The seed count all inputs that carry factors agree on (−1: an input without factors). */
        static long common(String op, long... seeds) {
            long s = -1;
            for (long k : seeds) {
                if (k < 0) continue;
                if (s >= 0 && s != k) throw new IllegalArgumentException("attention " + op + " (factored): inputs carry " + s + " and " + k + " seeds");
                s = k;
            }
            if (s < 0) throw new IllegalArgumentException("attention " + op + " (factored): no factors");
            return s;
        }
    }

    /**
     * A factor's parts packed in the layer's dtype, with the caller's factor: parts handed back unchanged are the
     * caller's arrays (borrowed, so no arena of this class frees them).
     */
    private record Packed(INDArray a, INDArray f, Factor src, long group) {
        /** Row weights of seeds c0..c0+c, one row per group of seeds that share them, transposed: (R, c / group). */
        INDArray weightsT(long c0, long c) {
            if (group == 1) return packedT(seedRows(a, c0, c));
            return packedT(a.get(NDArrayIndex.interval(c0, group, c0 + c), NDArrayIndex.all()));
        }

        NdArray rowWeights() { return NdArray.borrow(a); }

        NdArray features() { return NdArray.borrow(f); }
    }

    /**
     * The largest k such that the rows of a (S, R) are equal within each run of k consecutive seeds (the seeds of one
     * sample often share a softmax row or column): 1 when the first two rows differ.
     */
    static long group(INDArray a) {
        long s = a.rows(), k = 1;
        INDArray first = a.getRow(0);
        while (k < s && exactlyEqual(a.getRow(k), first)) k++;
        if (k == 1 || s % k != 0) return 1;
        INDArray runs = a.reshape('c', s / k, k, a.columns());
        INDArray heads = NdArray.tracked(runs.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c'));
        INDArray diff = NdArray.tracked(Nd4j.createUninitialized(a.dataType(), s / k, k, a.columns()));
        Nd4j.exec(new SubOp(new INDArray[]{runs, heads.reshape('c', s / k, 1, a.columns())}, new INDArray[]{diff}));
        return diff.amaxNumber().doubleValue() == 0 ? k : 1;
    }

    private static boolean exactlyEqual(INDArray x, INDArray y) { return NdArray.tracked(x.sub(y)).amaxNumber().doubleValue() == 0; }

    private static long gcd(long a, long b) { return b == 0 ? a : gcd(b, a % b); }
}
