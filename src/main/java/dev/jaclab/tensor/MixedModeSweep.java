package dev.jaclab.tensor;

import dev.jaclab.nd.Arena;
import dev.jaclab.nd.BlockDots;
import dev.jaclab.nd.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Exact per-sample blocks "meeting in the middle": for a chunk of C samples, tangents seeded at x's rows go up
 * ({@link RowSparseForward}) and cotangents seeded at y's rows come down ({@link RowSparseSweep}), both row-sparse
 * wherever they can be, and they meet at the <em>frontier</em> — the tensors below the cut that feed nodes above it:
 *
 * <pre>
 *   J_c[a, k] = Σ_{u in frontier} ⟨ cotangent_u(c, a), tangent_u(c, k) ⟩
 * </pre>
 *
 * Exact by the chain rule: every path from x to y crosses the cut exactly once, on an edge from a frontier tensor
 * into a node above. Through stacked mixing layers neither side then crosses more than its share of them: with two
 * attention layers the tangents cross the first (one softmax column per seed) and the cotangents the last (one
 * softmax row per seed), so no seed pays a dense pass through a whole layer.
 *
 * <pre>{@code
 * Tensor blocks = MixedModeSweep.blocks(y, x, rows, frontier, lower, rowLocal, onPath, cache);   // (C, m, n)
 * }</pre>
 */
public final class MixedModeSweep {
    private MixedModeSweep() {}

    /**
     * The blocks (C, m, n) of the samples {@code rows}.
     *
     * @param frontier tensors below the cut that feed a node above it (where the two sweeps meet)
     * @param lower    tensors below the cut (the forward sweep's domain; the reverse sweep never enters it)
     * @param rowLocal tensors whose row j depends only on x's row j
     * @param onPath   tensors that depend on x
     * @param cache    per-run values shared by the chunks
     */
    public static Tensor blocks(Tensor y, Tensor x, long[] rows, Predicate<Tensor> frontier, Predicate<Tensor> lower,
                                Predicate<Tensor> rowLocal, Predicate<Tensor> onPath, NodeCache cache) {
        int c = rows.length;
        long m = y.numel() / y.size(0), n = x.numel() / x.size(0);
        try (Arena arena = Arena.open()) {                                     // frees the chunk's temporaries
            SeedBatch.Chunk down = new SeedBatch.Chunk(repeat(rows, m), Tensor.newLevel());
            SeedBatch.Chunk up = new SeedBatch.Chunk(repeat(rows, n), Tensor.newLevel());
            Map<Tensor, SeedBatch> cot = RowSparseSweep.sweep(y, oneHots(c, m, y), rowLocal, onPath, frontier, down);
            List<Tensor> met = new ArrayList<>(cot.keySet());
            Map<Tensor, SeedBatch> tan = RowSparseForward.sweep(x, oneHots(c, n, x), met, lower, onPath, up, cache);
            Tensor out = null;
            for (Tensor u : met) {
                SeedBatch t = tan.get(u);
                if (t == null) continue;                                       // zero tangent: no path from x's row
                Tensor part = contract(cot.get(u), down, t, up, u, c);
                out = out == null ? part : out.add(part);
            }
            if (out == null) out = Tensor.zeros(y.dtype(), c, m, n);
            arena.keep(out.data());
            return out;
        }
    }

    /**
     * Σ over u's rows of ⟨cotangent(c, a), tangent(c, k)⟩, (C, m, n): plain parts and factored terms pairwise. A plain
     * part on the seeds' own rows meets only those rows of the other side; a dense one meets factored terms without
     * writing them out ({@link BlockDots}).
     */
    private static Tensor contract(SeedBatch cot, SeedBatch.Chunk down, SeedBatch tan, SeedBatch.Chunk up, Tensor u, int c) {
        SeedBatch cp = cot.plain(), tp = tan.plain();
        boolean cpOwn = cp != null && cp.ownRowsOnly(down), tpOwn = tp != null && tp.ownRowsOnly(up);
        Tensor cd = cp == null || cpOwn ? null : dense(cp, down, u, c), td = tp == null || tpOwn ? null : dense(tp, up, u, c);
        Tensor out = null;
        if (cd != null || td != null) {                                      // one side dense: every part meets through the sums
            List<RowTerm> ct = withOwnRows(cot.terms(), cpOwn ? cp : null, down, u), tt = withOwnRows(tan.terms(), tpOwn ? tp : null, up, u);
            if ((cd != null || !ct.isEmpty()) && (td != null || !tt.isEmpty())) return sums(cd, ct, td, tt, u, c);
        }
        if (cp != null && tp != null) out = cd != null && td != null ? blockDots(cd, td) : plain(cp, down, tp, up, u, c);
        for (RowTerm t : tan.terms()) if (cp != null) out = add(out, cpOwn ? plainWithTerm(cp, down, t, up.rows(), u, c, false) : withTerm(cd, t, false));
        for (RowTerm t : cot.terms()) if (tp != null) out = add(out, tpOwn ? plainWithTerm(tp, up, t, down.rows(), u, c, true) : withTerm(td, t, true));
        if (cot.hasTerms() && tan.hasTerms()) out = add(out, RowTerm.contractAll(cot.terms(), tan.terms(), c));
        return out;
    }

    /**
     * Two dense sides (C, p, X) and (C, q, X) → (C, p, q) ({@link BlockDots#of}). The kernel reads its operands itself,
     * so it states its work: a packed copy of each and C·p·q dots of length X.
     */
    private static Tensor blockDots(Tensor a, Tensor b) {
        long c = a.size(0), p = a.size(1), q = b.size(1), x = a.size(2);
        WorkMeter.add(new Work(0, (double) c * (p + q) * x + (double) c * p * q * x, 0, 0, 0, 3));
        return ShapeTrace.active() ? Tensor.zeros(a.dtype(), c, p, q) : Tensor.wrap(BlockDots.of(a.data(), b.data()));
    }

    /**
     * Two dense sides (C, m, numel(u)) and (C, n, numel(u)), each with its factored terms: every term is added into its
     * side one sample at a time and the sums meet once ({@link BlockDots#ofSums}) — one pass per term rather than one
     * per pair of terms, (C, m, n). The kernel reads its operands itself, so it states its work: each side's dense part
     * and row weights read, one multiply-add per term value, and the C·m·n dots.
     */
    private static Tensor sums(Tensor cd, List<RowTerm> ct, Tensor td, List<RowTerm> tt, Tensor u, long c) {
        long m = cd != null ? cd.size(1) : ct.get(0).a().size(0) / c, n = td != null ? td.size(1) : tt.get(0).a().size(0) / c;
        long x = u.numel(), rows = u.size(0), width = x / rows;
        double elements = (double) c * (m + n) * x + (double) c * m * n * x;
        for (RowTerm t : ct) elements += t.a().numel() * (width + 1) + t.f().numel();
        for (RowTerm t : tt) elements += t.a().numel() * (width + 1) + t.f().numel();
        WorkMeter.add(new Work(0, elements, 0, 0, 0, 3 + ct.size() + tt.size()));
        if (ShapeTrace.active()) return Tensor.zeros(u.dtype(), c, m, n);
        return Tensor.wrap(BlockDots.ofSums(cd == null ? null : cd.data(), terms(ct), td == null ? null : td.data(), terms(tt), c, new long[]{m, n}, rows, width));
    }

    /** The terms plus, when given, a plain part on the seeds' own rows as one more term (one-hot row weights). */
    private static List<RowTerm> withOwnRows(List<RowTerm> terms, SeedBatch own, SeedBatch.Chunk ch, Tensor u) {
        if (own == null) return terms;
        long rows = u.size(0);
        Tensor f = own.logical(ch).reshape(-1, u.numel() / rows);
        long[] at = ch.rows();
        double[] hot = new double[Math.toIntExact(at.length * rows)];
        for (int s = 0; s < at.length; s++) hot[(int) (s * rows + at[s])] = 1;
        List<RowTerm> out = new ArrayList<>(terms);
        out.add(new RowTerm(Tensor.fromArray(hot, at.length, rows).cast(f.dtype()), f, false));
        return out;
    }

    private static List<BlockDots.Term> terms(List<RowTerm> ts) {
        return ts.stream().map(t -> new BlockDots.Term(t.a().data(), t.f().data(), t.shared())).toList();
    }

    /** A dense side (C, seeds per sample, numel(u)) against a factored term of the other side, (C, m, n). */
    private static Tensor withTerm(Tensor dense, RowTerm t, boolean termIsCotangent) {
        long c = dense.size(0), p = dense.size(1), x = dense.size(2), q = t.a().size(0) / Math.max(1, c), rows = t.a().size(1);
        WorkMeter.add(new Work(0, (double) c * p * x + t.a().numel() + t.f().numel() + (double) c * p * q * (x + rows), 0, 0, 0, 4));
        Tensor blocks = ShapeTrace.active() ? Tensor.zeros(dense.dtype(), c, p, q)      // (C, dense seeds, term seeds)
                : Tensor.wrap(BlockDots.withFactor(dense.data(), t.a().data(), t.f().data(), t.shared()));
        return termIsCotangent ? blocks.mT() : blocks;
    }

    private static Tensor add(Tensor acc, Tensor part) { return acc == null ? part : acc.add(part); }

    /** Two plain parts, one of them on the own rows: one row per sample, only row r_c counts. */
    private static Tensor plain(SeedBatch cot, SeedBatch.Chunk down, SeedBatch tan, SeedBatch.Chunk up, Tensor u, int c) {
        long width = u.numel() / u.size(0);
        Tensor a = cot.ownRows(down).logical(down).reshape(c, -1, width), b = tan.ownRows(up).logical(up).reshape(c, -1, width);
        return a.matmul(b.mT());
    }

    /**
     * A plain part on the own rows against a factored term of the other side, (C, m, n) (the term's side first when
     * {@code termIsCotangent}): only the term's own rows meet it.
     */
    private static Tensor plainWithTerm(SeedBatch plain, SeedBatch.Chunk ch, RowTerm term, long[] termRows, Tensor u, int c, boolean termIsCotangent) {
        long width = u.numel() / u.size(0);
        Tensor p = plain.logical(ch).reshape(c, -1, width), t = term.atRows(termRows).reshape(c, -1, width);
        return termIsCotangent ? t.matmul(p.mT()) : p.matmul(t.mT());
    }

    /** A batch over all of u, (C, seeds per sample, numel(u)). */
    private static Tensor dense(SeedBatch g, SeedBatch.Chunk ch, Tensor u, int c) {
        return g.densify(ch, u).toLogical(ch.level(), ch.count()).reshape(c, -1, u.numel());
    }

    /** Each row repeated {@code times} times: the seeds of one sample are consecutive. */
    private static long[] repeat(long[] rows, long times) {
        long[] out = new long[(int) (rows.length * times)];
        for (int i = 0; i < out.length; i++) out[i] = rows[(int) (i / times)];
        return out;
    }

    /** (C·w, t.shape[1:]): seed c·w + k is e_k in the row shape of t. */
    private static Tensor oneHots(int c, long w, Tensor t) {
        double[] v = new double[(int) (c * w * w)];
        for (int s = 0; s < c * w; s++) v[(int) (s * w + s % w)] = 1;
        return Tensor.fromArray(v, Shapes.concat(new long[]{c * w}, Shapes.suffix(t.shape(), 1))).cast(t.dtype());
    }
}
