package dev.jaclab.tensor;

import java.util.List;

/**
 * A batch of S tangents or cotangents over ALL rows of a 2-D tensor (N, w), in factored form: seed s's value at row
 * l is {@code a[s, l]·f[s]} (per-seed features, f (S, w)) or, when {@code shared}, {@code a[s, l]·f[l]} (one matrix
 * f (N, w), its rows scaled per seed). Attention across the batch produces these when a seed sits on one row: the
 * key/value cotangents of one query row are a softmax row times one feature vector, the output tangent of one
 * key/value row is a softmax column times one. Linear maps applied to every row alike (x·W, sums, negation) keep the
 * form by mapping f alone (O(S·w) instead of O(S·N·w)), and two factored batches contract over (N, w) in O(S·N).
 *
 * <pre>{@code
 * RowTerm t = new RowTerm(a, f, false);   // a (S, N), f (S, w)
 * t.materialize();                         // (S, N, w): a[s, l]·f[s, e]
 * }</pre>
 *
 * @param a      (S, N) row weights per seed
 * @param f      (S, w) per-seed features, or (N, w) shared rows
 * @param shared whether f is one row per tensor row (N, w) rather than one per seed
 */
public record RowTerm(Tensor a, Tensor f, boolean shared) {
    public RowTerm {
        if (a.rank() != 2 || f.rank() != 2 || (shared ? f.size(0) != a.size(1) : f.size(0) != a.size(0)))
            throw new IllegalArgumentException("row term: a " + dev.jaclab.nd.Shapes.str(a.shape()) + " and f "
                    + dev.jaclab.nd.Shapes.str(f.shape()) + (shared ? " (shared)" : " (per seed)") + " do not match");
    }

    long seeds() { return a.size(0); }

    /**
     * The factored terms a one-row rule hands back for a batch of seeds, for the cost model: per-seed and shared
     * terms, and the elements per seed its row weights hold (distinct (S, rows) arrays, several terms may share one).
     *
     * <pre>{@code
     * RowTerm.Counts c = new RowTerm.Counts(2, 1, 3 * 4096);   // attention's one-row tangent over 4,096 rows
     * }</pre>
     */
    public record Counts(int perSeed, int shared, long weightElements) {
        public static final Counts NONE = new Counts(0, 0, 0);

        public Counts plus(Counts o) { return new Counts(perSeed + o.perSeed, shared + o.shared, weightElements + o.weightElements); }
    }

    /**
     * Elements {@link #contractAll} makes for C samples with m cotangent and n tangent seeds each over {@code rows}
     * rows (all held until the chunk ends): the stacked row weights of the per-seed terms on both sides; for each
     * shared term, each per-seed term of the other side weighted by it — its product f·Mᵀ, the weighted rows and
     * their stack, three (S, rows) arrays; one weighted copy per pair of shared terms.
     */
    public static long contractionElements(Counts cot, Counts tan, long c, long m, long n, long rows) {
        long perSeedPairs = cot.perSeed() > 0 && tan.perSeed() > 0 ? (long) cot.perSeed() * m + (long) tan.perSeed() * n : 0;
        long weighted = 3L * tan.shared() * cot.perSeed() * m + 3L * cot.shared() * tan.perSeed() * n + (long) cot.shared() * tan.shared() * m;
        return c * rows * (perSeedPairs + weighted);
    }

    /** The dense values (S, N, w). */
    public Tensor materialize() {
        long s = a.size(0), n = a.size(1), w = f.size(1);
        return a.reshape(s, n, 1).mul(shared ? f.reshape(1, n, w) : f.reshape(s, 1, w));
    }

    /** Row rows[s] of seed s, (S, w). */
    Tensor atRows(long[] rows) {
        long n = a.size(1);
        long[] flat = new long[rows.length];
        for (int s = 0; s < rows.length; s++) flat[s] = s * n + rows[s];
        Tensor weight = a.reshape(a.numel()).indexSelect(0, flat).reshape(rows.length, 1);
        return weight.mul(shared ? f.indexSelect(0, rows) : f);
    }

    /** The term with f replaced. */
    RowTerm withF(Tensor g) { return new RowTerm(a, g, shared); }

    /** Σ over the terms' materialized values, (S, N, w); null for none. */
    static Tensor sum(List<RowTerm> terms) {
        Tensor out = null;
        for (RowTerm t : terms) out = out == null ? t.materialize() : out.add(t.materialize());
        return out;
    }

    /**
     * Σ over every pair (cotangent term, tangent term) of ⟨t1[s1], t2[s2]⟩ over (N, w) for the seeds of each of C samples,
     * (C, m, n). Per-seed terms go in stacks, so all per-seed pairs cost two batched products.
     */
    static Tensor contractAll(List<RowTerm> cot, List<RowTerm> tan, int c) {
        List<RowTerm> cp = cot.stream().filter(t -> !t.shared).toList(), cs = cot.stream().filter(t -> t.shared).toList();
        List<RowTerm> tp = tan.stream().filter(t -> !t.shared).toList(), ts = tan.stream().filter(t -> t.shared).toList();
        Tensor out = null;
        if (!cp.isEmpty() && !tp.isEmpty()) {
            Tensor rows = stack(cp, c, false).matmul(stack(tp, c, false).mT());                  // (C, |cp|·m, |tp|·n)
            out = blockSum(rows.mul(stack(cp, c, true).matmul(stack(tp, c, true).mT())), c, cp.size(), tp.size());
        }
        for (RowTerm m : ts) if (!cp.isEmpty()) {                                                 // a1[a, l]·(f1[a]·M[l]), all cp at once
            Tensor weighted = Tensor.concat(1, cp.stream().map(t -> t.a.mul(t.f.matmul(m.f.mT())).reshape(c, -1, t.a.size(1))).toArray(Tensor[]::new));
            out = add(out, blockSum(weighted.matmul(m.a.reshape(c, -1, m.a.size(1)).mT()), c, cp.size(), 1));
        }
        for (RowTerm m : cs) if (!tp.isEmpty()) {
            Tensor weighted = Tensor.concat(1, tp.stream().map(t -> t.a.mul(t.f.matmul(m.f.mT())).reshape(c, -1, t.a.size(1))).toArray(Tensor[]::new));
            out = add(out, blockSum(m.a.reshape(c, -1, m.a.size(1)).matmul(weighted.mT()), c, 1, tp.size()));
        }
        for (RowTerm a : cs) for (RowTerm b : ts) out = add(out, contract(a, b, c));
        return out;
    }

    private static Tensor add(Tensor acc, Tensor part) { return acc == null ? part : acc.add(part); }

    /** The terms' row weights (or features) per sample, stacked: (C, terms·seedsPerSample, N or w). */
    private static Tensor stack(List<RowTerm> terms, int c, boolean features) {
        Tensor[] parts = terms.stream().map(t -> features ? t.f.reshape(c, -1, t.f.size(1)) : t.a.reshape(c, -1, t.a.size(1))).toArray(Tensor[]::new);
        return parts.length == 1 ? parts[0] : Tensor.concat(1, parts);
    }

    /** (C, p·m, q·n) → Σ over the p × q blocks, (C, m, n). */
    private static Tensor blockSum(Tensor x, int c, int p, int q) {
        if (p == 1 && q == 1) return x;
        long m = x.size(1) / p, n = x.size(2) / q;
        return x.reshape(c, p, m, q, n).sum(new int[]{1, 3}, false);
    }

    /** ⟨t1[s1], t2[s2]⟩ over (N, w) for the seeds of each of C samples: (C, S1/C, S2/C). */
    static Tensor contract(RowTerm t1, RowTerm t2, int c) {
        long n = t1.a.size(1);
        Tensor a1 = t1.a, a2 = t2.a;
        if (!t1.shared && !t2.shared) {
            Tensor rows = a1.reshape(c, -1, n).matmul(a2.reshape(c, -1, n).mT());
            long w = t1.f.size(1);
            return rows.mul(t1.f.reshape(c, -1, w).matmul(t2.f.reshape(c, -1, w).mT()));
        }
        if (t1.shared && t2.shared) a1 = a1.mul(t1.f.mul(t2.f).sum(new int[]{1}, false).reshape(1, n));
        else if (t2.shared) a1 = a1.mul(t1.f.matmul(t2.f.mT()));                 // (S1, N): f1[s]·M2[l]
        else a2 = a2.mul(t2.f.matmul(t1.f.mT()));                                 // (S2, N): f2[s]·M1[l]
        return a1.reshape(c, -1, n).matmul(a2.reshape(c, -1, n).mT());
    }
}
