package dev.jaclab.tensor;

import dev.jaclab.nd.Arena;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Reverse sweep for a chunk of C one-hot seeds at sample rows r_1..r_C, with <em>row-sparse</em> cotangents.
 *
 * <p>A cotangent batch is either row-sparse — seed c holds only K rows of the tensor (its row set; rows that repeat
 * add up), stored as a batch level of C over (K, ...) — or dense — a batch level of C over the whole tensor. A seed
 * starts as one row, r_c of y. A node with at least one per-sample slot (the primitive's own flag) computes its
 * output rows from the same rows of its per-sample inputs and the whole of its other inputs, so its ordinary VJP rule
 * runs on a copy of the node restricted to the seeds' rows: per-sample slots get row-sparse cotangents, the other
 * slots exact dense ones (for a matmul's right operand that is an outer product, O(width) per seed instead of a dense
 * product). No rule is written twice. A reshape that splits or merges whole rows maps a row set onto the rows it
 * covers (y = (W·x.reshape(3N, 1)).reshape(N, 3): seed row r becomes rows 3r..3r+2, and W's VJP gathers three rows of
 * W instead of multiplying by all of Wᵀ). Every other node densifies and runs the ordinary batched rule. When a
 * cotangent reaches a row-local tensor (its row j depends only on row j of x) it is cut back to row r_c, since only
 * row r_c of x's cotangent is wanted: below the last mixing op the work is O(C·width), not O(C·N·width).
 *
 * <pre>{@code
 * // used by Strategies.sparseRows(C); seeds: (C, m) values at rows r_c of y (N, m)
 * Tensor rowsOfGrad = RowSparseSweep.run(y, x, rows, seeds, rowLocal, onPath);   // (C, n)
 * }</pre>
 */
public final class RowSparseSweep {
    private static final AtomicLong SPARSE_ROWS = new AtomicLong(), DENSE_ROWS = new AtomicLong();

    private RowSparseSweep() {}

    /** Rows of cotangent processed so far: through row-restricted rules, and through dense (batched) rules. */
    public record Work(long sparseRows, long denseRows) {}

    public static Work work() { return new Work(SPARSE_ROWS.get(), DENSE_ROWS.get()); }

    public static void resetWork() { SPARSE_ROWS.set(0); DENSE_ROWS.set(0); }

    /**
     * Whether a row-sparse cotangent of the node's output stays row-sparse on input {@code input}: the slot is
     * per-sample, or the node is a reshape that splits or merges whole rows. (Row-local inputs of primitives with
     * {@link RowSparseVjp} also stay row-sparse.) The cost model plans with this same rule.
     */
    public static boolean keepsRowsSparse(Node n, int input) {
        return (n.primitive().perSample(n, input) && n.inputs()[input].rank() > 0) || rowAligned(n) != 0;
    }

    /**
     * Row r_c of x's cotangent for each seed c (shape (C, x.shape[1:])). {@code seeds} (C, y.shape[1:]) are the
     * nonzero rows of y's cotangents; {@code rowLocal} marks tensors whose row j depends only on x's row j;
     * {@code onPath} marks tensors that depend on x.
     */
    public static Tensor run(Tensor y, Tensor x, long[] rows, Tensor seeds, Predicate<Tensor> rowLocal, Predicate<Tensor> onPath) {
        try (Arena arena = Arena.open()) {       // frees the chunk's temporaries on exit
            SeedBatch.Chunk ch = new SeedBatch.Chunk(rows.clone(), Tensor.newLevel());
            long[] gradShape = Shapes.concat(new long[]{rows.length}, Shapes.suffix(x.shape(), 1));
            SeedBatch g = sweep(y, seeds, rowLocal, onPath, t -> t == x, ch).get(x);
            Tensor out = g == null ? Tensor.zeros(x.dtype(), gradShape) : g.logical(ch).reshape(gradShape);
            arena.keep(out.data());
            return out;
        }
    }

    /**
     * The reverse sweep from y's seeds (one row each, at the chunk's rows) down to the {@code frontier} tensors, where
     * it stops: their cotangent batches, complete since every consumer above them has run. Row-local tensors are cut
     * back to their own rows. The caller owns the arena.
     */
    static Map<Tensor, SeedBatch> sweep(Tensor y, Tensor seeds, Predicate<Tensor> rowLocal, Predicate<Tensor> onPath,
                                        Predicate<Tensor> frontier, SeedBatch.Chunk ch) {
        Map<Tensor, SeedBatch> ct = new IdentityHashMap<>(), reached = new IdentityHashMap<>();
        try (var mode = GradMode.set(false)) {
            ct.put(y, new SeedBatch(SeedBatch.perSeed(seeds, ch, 1), ch.rows()));
            List<Tensor> order = Backprop.topologicalOrder(y);
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                SeedBatch g = ct.remove(t);
                if (g == null) continue;
                if (rowLocal.test(t)) g = g.ownRows(ch);
                if (frontier.test(t)) { reached.put(t, g); continue; }
                Node n = t.node();
                if (n != null) propagate(n, g, ch, ct, onPath, rowLocal);
            }
        }
        return reached;
    }

    private static void propagate(Node n, SeedBatch g, SeedBatch.Chunk ch, Map<Tensor, SeedBatch> ct, Predicate<Tensor> onPath, Predicate<Tensor> rowLocal) {
        Tensor[] in = n.inputs();
        Primitive p = n.primitive();
        if (g.hasTerms()) {                                        // factored parts: through row-uniform linear maps
            if (TermRules.passes(n, i -> wanted(p, i, in, onPath))) {
                for (int i = 0; i < in.length; i++)
                    if (wanted(p, i, in, onPath)) SeedBatch.add(ct, in[i], SeedBatch.ofTerms(TermRules.vjp(n, i, g.terms())), ch);
                g = g.plain();
                if (g == null) return;
            } else if (p instanceof RowSparseVjp rs && factored(rs, n, g, ch, ct, onPath)) {
                g = g.plain();
                if (g == null) return;
            } else g = g.termsDensified(ch, n.output());
        }
        boolean rowWise = false;
        for (int i = 0; i < in.length; i++) rowWise |= p.perSample(n, i) && in[i].rank() > 0;
        if (g.sparse() && rowWise && rowBlock(n, g, ch, ct, onPath, rowLocal)) return;
        if (g.sparse() && rowWise) {
            Node r = restricted(n, g, ch, onPath);
            RowSparseVjp.Own[] own = new RowSparseVjp.Own[in.length];
            for (int i = 0; i < in.length; i++) {
                boolean mixingSlot = wanted(p, i, in, onPath) && !p.perSample(n, i);
                own[i] = mixingSlot && rowLocal.test(in[i]) ? RowSparseVjp.Own.ROW
                        : mixingSlot && transposedRowLocal(in[i], rowLocal) != null ? RowSparseVjp.Own.COLUMN
                        : mixingSlot && in[i].rank() == 2 ? RowSparseVjp.Own.TERMS : RowSparseVjp.Own.ALL;
            }
            @SuppressWarnings("unchecked") List<RowTerm>[] terms = new List[in.length];
            Tensor[] gi = p instanceof RowSparseVjp rs ? rs.vjpOwnRows(g.values(), r, own, ch.rows(), terms) : null;
            if (gi == null) {
                gi = p.vjp(g.values(), r);
                java.util.Arrays.fill(own, RowSparseVjp.Own.ALL);
            }
            SPARSE_ROWS.addAndGet(g.rows().length);
            for (int i = 0; i < in.length; i++) {
                if (!wanted(p, i, in, onPath)) continue;
                if (terms[i] != null) { SeedBatch.add(ct, in[i], SeedBatch.ofTerms(terms[i]), ch); continue; }
                if (gi[i] == null) continue;
                if (own[i] == RowSparseVjp.Own.COLUMN) SeedBatch.add(ct, transposedRowLocal(in[i], rowLocal), new SeedBatch(gi[i], ch.rows()), ch);
                else if (own[i] == RowSparseVjp.Own.ROW) SeedBatch.add(ct, in[i], new SeedBatch(gi[i], ch.rows()), ch);
                else SeedBatch.add(ct, in[i], p.perSample(n, i) && in[i].rank() > 0 ? new SeedBatch(gi[i], g.rows()) : SeedBatch.dense(gi[i]), ch);
            }
            return;
        }
        if (g.sparse() && rowAligned(n) != 0) {
            SPARSE_ROWS.addAndGet(g.rows().length);
            if (wanted(p, 0, in, onPath)) SeedBatch.add(ct, in[0], throughReshape(n, g, ch), ch);
            return;
        }
        if (!rowWise && p instanceof RowSparseVjp rs && ownRowsOfReduction(rs, n, g, ch, ct, onPath, rowLocal)) return;
        Tensor dense = g.sparse() ? g.densify(ch, n.output()) : g.values();
        Tensor[] gi = p.vjp(dense, onlyWanted(n, onPath));
        DENSE_ROWS.addAndGet(ch.count() * (n.output().rank() > 0 ? n.output().size(0) : 1));
        for (int i = 0; i < in.length; i++)
            if (wanted(p, i, in, onPath) && gi[i] != null) SeedBatch.add(ct, in[i], SeedBatch.dense(gi[i]), ch);
    }

    /**
     * A mixing op's VJP on the factored parts of a cotangent ({@link RowSparseVjp#vjpTerms}): dense and factored
     * cotangents for its inputs. False when the op does not cover them.
     */
    private static boolean factored(RowSparseVjp rs, Node n, SeedBatch g, SeedBatch.Chunk ch, Map<Tensor, SeedBatch> ct, Predicate<Tensor> onPath) {
        Tensor[] in = n.inputs();
        boolean[] want = new boolean[in.length];
        for (int i = 0; i < in.length; i++) want[i] = wanted(n.primitive(), i, in, onPath);
        RowSparseJvp.Factored[] parts = rs.vjpTerms(g.terms(), n, want, ch.level());
        if (parts == null) return false;
        DENSE_ROWS.addAndGet(ch.count() * (n.output().rank() > 0 ? n.output().size(0) : 1));
        for (int i = 0; i < in.length; i++) {
            if (!want[i] || parts[i] == null || (parts[i].dense() == null && parts[i].terms().isEmpty())) continue;
            SeedBatch.add(ct, in[i], new SeedBatch(parts[i].dense(), null, parts[i].terms()), ch);
        }
        return true;
    }

    /**
     * s > 1 when t = u.reshape(s·N, ...) splits each row of a row-local u into s rows (row j of u becomes rows
     * j·s .. j·s+s−1 of t), else 0. Only those s rows of t's cotangent reach a seed's own row of x.
     */
    public static long splitOfRowLocal(Tensor t, Predicate<Tensor> rowLocal) {
        Node n = t.node();
        if (n == null || t.rank() < 1 || rowAligned(n) >= 0 || !rowLocal.test(n.inputs()[0])) return 0;
        return -rowAligned(n);
    }

    /** Each seed's row r as the s rows r·s .. r·s+s−1. */
    private static long[] splitRows(long[] rows, long s) {
        long[] out = new long[(int) (rows.length * s)];
        for (int i = 0; i < out.length; i++) out[i] = rows[(int) (i / s)] * s + i % s;
        return out;
    }

    /**
     * One wanted input, a reshape that splits the samples' rows s ways (x.reshape(s·N, ...)), contracted by the node:
     * only the s rows of each seed's sample are wanted, and {@link RowSparseVjp#vjpRowBlock} hands back just those (the
     * forum's dense layer: 3×3 entries of W per seed instead of a 3N-long row). False when it does not apply.
     */
    private static boolean rowBlock(Node n, SeedBatch g, SeedBatch.Chunk ch, Map<Tensor, SeedBatch> ct, Predicate<Tensor> onPath,
                                    Predicate<Tensor> rowLocal) {
        Tensor[] in = n.inputs();
        Primitive p = n.primitive();
        int only = -1;
        for (int i = 0; i < in.length; i++) {
            if (!wanted(p, i, in, onPath)) continue;
            if (only >= 0 || p.perSample(n, i)) return false;
            only = i;
        }
        long s = only < 0 ? 0 : splitOfRowLocal(in[only], rowLocal);
        if (s < 1) return false;
        long[] asked = splitRows(ch.rows(), s);
        Tensor gi = p instanceof RowSparseVjp rs ? rs.vjpRowBlock(g.values(), n, only, g.rows(), asked) : null;
        if (gi == null) return false;
        SPARSE_ROWS.addAndGet(g.rows().length);
        SeedBatch.add(ct, in[only], new SeedBatch(gi, asked), ch);
        return true;
    }

    /**
     * A node without per-sample slots (a reduction over the samples) whose row-local inputs want only their own rows:
     * its {@link RowSparseVjp#vjpOwnRows} hands those rows over directly. False when it does not apply.
     */
    private static boolean ownRowsOfReduction(RowSparseVjp rs, Node n, SeedBatch g, SeedBatch.Chunk ch, Map<Tensor, SeedBatch> ct, Predicate<Tensor> onPath,
                                              Predicate<Tensor> rowLocal) {
        Tensor[] in = n.inputs();
        Primitive p = n.primitive();
        RowSparseVjp.Own[] own = new RowSparseVjp.Own[in.length];
        boolean anyRow = false;
        for (int i = 0; i < in.length; i++) {
            own[i] = wanted(p, i, in, onPath) && rowLocal.test(in[i]) && in[i].rank() > 0 ? RowSparseVjp.Own.ROW : RowSparseVjp.Own.ALL;
            anyRow |= own[i] == RowSparseVjp.Own.ROW;
        }
        if (!anyRow) return false;
        Tensor[] gi = rs.vjpOwnRows(g.densify(ch, n.output()), onlyWanted(n, onPath), own, ch.rows());
        if (gi == null) return false;
        SPARSE_ROWS.addAndGet(ch.count());
        for (int i = 0; i < in.length; i++)
            if (wanted(p, i, in, onPath) && gi[i] != null)
                SeedBatch.add(ct, in[i], own[i] == RowSparseVjp.Own.ROW ? new SeedBatch(gi[i], ch.rows()) : SeedBatch.dense(gi[i]), ch);
        return true;
    }

    /**
     * The row-local tensor t is the 2-D transpose of, or null. A cotangent's column r_c for t is row r_c of that
     * tensor's, so a rule may hand it there directly ({@link RowSparseVjp.Own#COLUMN}), skipping the transpose.
     */
    public static Tensor transposedRowLocal(Tensor t, Predicate<Tensor> rowLocal) {
        Node n = t.node();
        if (n == null || t.rank() != 2 || !(n.primitive() instanceof RowMap map) || !map.transposes(n)) return null;
        return rowLocal.test(n.inputs()[0]) ? n.inputs()[0] : null;
    }

    static boolean wanted(Primitive p, int i, Tensor[] in, Predicate<Tensor> onPath) { return p.differentiable(i) && onPath.test(in[i]); }

    /** A copy of the node where inputs off the path are constants, so rules skip their cotangents. */
    static Node onlyWanted(Node n, Predicate<Tensor> onPath) {
        Tensor[] in = n.inputs(), sub = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) sub[i] = onPath.test(in[i]) ? in[i] : in[i].detach();
        Node r = new Node(n.primitive(), sub);
        r.setOutput(n.output());
        return r;
    }

    /** The node restricted to the cotangent's rows: per-sample inputs and the output become K rows per seed (batch level). */
    static Node restricted(Node n, SeedBatch g, SeedBatch.Chunk ch, Predicate<Tensor> onPath) {
        Tensor[] in = n.inputs(), sub = new Tensor[in.length];
        int k = g.perSeed(ch);
        for (int i = 0; i < in.length; i++) {
            Tensor base = onPath.test(in[i]) ? in[i] : in[i].detach();
            if (n.primitive().perSample(n, i) && in[i].rank() > 0) {
                sub[i] = SeedBatch.perSeed(base.detach().indexSelect(0, g.rows()), ch, k);
                if (onPath.test(in[i])) sub[i] = sub[i].detach().requiresGrad(true);
            } else sub[i] = base;
        }
        Node r = new Node(n.primitive(), sub);
        r.setOutput(SeedBatch.perSeed(n.output().detach().indexSelect(0, g.rows()), ch, k));
        return r;
    }

    /**
     * For a reshape whose output rows are whole runs of input rows or vice versa: s > 0 when each output row covers
     * s input rows, −s when s output rows share one input row, 0 when rows do not align (the op's {@link RowMap}).
     */
    static long rowAligned(Node n) { return n.primitive() instanceof RowMap map ? map.rowsPerRow(n) : 0; }

    /** A row-sparse cotangent of a row-aligned reshape's output as a row-sparse cotangent of its input. */
    private static SeedBatch throughReshape(Node n, SeedBatch g, SeedBatch.Chunk ch) {
        long s = rowAligned(n);
        long[] inRest = Shapes.suffix(n.inputs()[0].shape(), 1);
        long[] rows = g.rows();
        int k = g.perSeed(ch);
        Tensor v = g.logical(ch);                                                          // (C, K, out row)
        if (s > 0) {                                                                        // out row i = in rows i·s .. i·s+s−1
            long[] mapped = new long[(int) (rows.length * s)];
            for (int i = 0; i < rows.length; i++) for (int j = 0; j < s; j++) mapped[(int) (i * s + j)] = rows[i] * s + j;
            Tensor values = v.reshape(Shapes.concat(new long[]{ch.count(), k * s}, inRest));
            return new SeedBatch(values.toBatch(ch.level()), mapped);
        }
        long share = -s;                                                                    // out row i = part i mod s of in row i / s
        long[] mapped = new long[rows.length], slot = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            mapped[i] = rows[i] / share;
            slot[i] = i * share + rows[i] % share;
        }
        long wOut = v.numel() / rows.length;
        Tensor placed = v.reshape(rows.length, wOut).scatterAdd(0, slot, rows.length * share);   // zeros around each part
        return new SeedBatch(placed.reshape(Shapes.concat(new long[]{ch.count(), k}, inRest)).toBatch(ch.level()), mapped);
    }
}
