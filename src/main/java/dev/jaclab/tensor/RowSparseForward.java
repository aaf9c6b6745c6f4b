package dev.jaclab.tensor;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Forward sweep for a chunk of S one-hot tangents seeded at sample rows r_s of x, with <em>row-sparse</em> tangents:
 * the forward twin of {@link RowSparseSweep}. A tangent seeded at row r stays on row r through per-sample ops: a node
 * whose tangent-carrying inputs all sit in per-sample slots on the same rows runs its ordinary JVP rule on a copy
 * restricted to those rows (O(width) per seed). Where a one-row tangent reaches a mixing op that declares
 * {@link RowSparseJvp} (attention), that op gives the dense output tangent at O(N·width) per seed; anywhere else the
 * tangents are densified and the ordinary batched JVP runs.
 *
 * <pre>{@code
 * // used by MixedModeSweep: tangents of the tensors below the meeting point, for seeds e_k at rows r_s
 * Map<Tensor, SeedBatch> tangents = RowSparseForward.sweep(x, seeds, targets, lower, onPath, chunk, cache);
 * }</pre>
 */
final class RowSparseForward {
    private RowSparseForward() {}

    /**
     * Tangent batches of every tensor that {@code lower} accepts on the way from x to {@code targets} (x's own batch
     * included). {@code seeds} (S, x.shape[1:]) are row r_s of each seed's tangent. The caller owns the arena.
     */
    static Map<Tensor, SeedBatch> sweep(Tensor x, Tensor seeds, List<Tensor> targets, Predicate<Tensor> lower, Predicate<Tensor> onPath,
                                        SeedBatch.Chunk ch, NodeCache cache) {
        Map<Tensor, SeedBatch> tan = new IdentityHashMap<>();
        tan.put(x, new SeedBatch(SeedBatch.perSeed(seeds, ch, 1), ch.rows()));
        try (var mode = GradMode.set(false)) {
            for (Tensor t : Backprop.topologicalOrder(targets.toArray(new Tensor[0]))) {
                Node n = t.node();
                if (t == x || n == null || !lower.test(t)) continue;
                Tensor[] in = n.inputs();
                SeedBatch[] ti = new SeedBatch[in.length];
                boolean any = false;
                for (int i = 0; i < in.length; i++) {
                    if (!n.primitive().differentiable(i) || !onPath.test(in[i])) continue;
                    ti[i] = tan.get(in[i]);
                    any |= ti[i] != null;
                }
                if (any) tan.put(t, jvp(n, ti, ch, onPath, cache));
            }
        }
        return tan;
    }

    /**
     * A mixing op's JVP on the factored parts of its input tangents ({@link RowSparseJvp#jvpTerms}), plus the plain
     * parts through the usual route; null when the op does not cover the terms.
     */
    private static SeedBatch factored(RowSparseJvp rs, Node n, SeedBatch[] ti, SeedBatch.Chunk ch, Predicate<Tensor> onPath, NodeCache cache) {
        Tensor[] in = n.inputs();
        @SuppressWarnings("unchecked") List<RowTerm>[] terms = new List[in.length];
        SeedBatch[] plain = new SeedBatch[in.length];
        boolean anyPlain = false;
        for (int i = 0; i < in.length; i++) {
            terms[i] = ti[i] == null ? List.of() : ti[i].terms();
            plain[i] = ti[i] == null ? null : ti[i].plain();
            anyPlain |= plain[i] != null;
        }
        RowSparseJvp.Factored f = rs.jvpTerms(terms, n, ch.level());
        if (f == null) return null;
        SeedBatch out = new SeedBatch(f.dense(), null, f.terms());
        if (!anyPlain) return out;
        Map<Tensor, SeedBatch> acc = new IdentityHashMap<>();
        acc.put(n.output(), out);
        SeedBatch.add(acc, n.output(), jvp(n, plain, ch, onPath, cache), ch);
        return acc.get(n.output());
    }

    private static SeedBatch jvp(Node n, SeedBatch[] ti, SeedBatch.Chunk ch, Predicate<Tensor> onPath, NodeCache cache) {
        Primitive p = n.primitive();
        Tensor[] in = n.inputs();
        boolean terms = false;
        for (SeedBatch b : ti) terms |= b != null && b.hasTerms();
        if (terms) {                                                       // factored parts: through row-uniform linear maps
            if (TermRules.passes(n, i -> ti[i] != null)) {
                List<RowTerm> out = new java.util.ArrayList<>();
                SeedBatch[] plain = new SeedBatch[in.length];
                boolean anyPlain = false;
                for (int i = 0; i < in.length; i++) {
                    if (ti[i] == null) continue;
                    out.addAll(TermRules.jvp(n, i, ti[i].terms()));
                    plain[i] = ti[i].plain();
                    anyPlain |= plain[i] != null;
                }
                if (!anyPlain) return SeedBatch.ofTerms(out);
                SeedBatch rest = jvp(n, plain, ch, onPath, cache);
                out.addAll(rest.terms());
                return new SeedBatch(rest.values(), rest.rows(), out);
            }
            SeedBatch factored = p instanceof RowSparseJvp rs ? factored(rs, n, ti, ch, onPath, cache) : null;
            if (factored != null) return factored;
            for (int i = 0; i < in.length; i++) if (ti[i] != null) ti[i] = ti[i].termsDensified(ch, in[i]);
        }
        SeedBatch rowsOf = null;
        boolean sparse = true, perSampleSlots = true;
        for (int i = 0; i < in.length; i++) {
            if (ti[i] == null) continue;
            if (!ti[i].sparse() || (rowsOf != null && !java.util.Arrays.equals(rowsOf.rows(), ti[i].rows()))) sparse = false;
            else rowsOf = ti[i];
            perSampleSlots &= p.perSample(n, i) && in[i].rank() > 0;
        }
        Tensor[] values = new Tensor[in.length];
        if (sparse && perSampleSlots) {                                    // stays on the same rows
            for (int i = 0; i < in.length; i++) values[i] = ti[i] == null ? null : ti[i].values();
            return new SeedBatch(p.jvp(values, RowSparseSweep.restricted(n, rowsOf, ch, onPath)), rowsOf.rows());
        }
        if (sparse && p instanceof RowSparseJvp fused && rowsOf.ownRowsOnly(ch)) {
            for (int i = 0; i < in.length; i++) values[i] = ti[i] == null ? null : ti[i].values();
            RowSparseJvp.Tangent out = fused.jvpOneRow(values, n, ch.rows(), cache);
            if (out != null) return new SeedBatch(out.ownRow(), out.ownRow() == null ? null : ch.rows(), out.terms());
        }
        for (int i = 0; i < in.length; i++) values[i] = ti[i] == null ? null : ti[i].densify(ch, in[i]);
        return SeedBatch.dense(p.jvp(values, n));
    }
}
