package dev.jaclab.tensor;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Reverse sweep for a chunk of C one-hot seeds at sample rows r_1..r_C, with <em>row-sparse</em> cotangents.
 *
 * <p>A cotangent batch is either row-sparse — slice c holds only row r_c, stored as a batch level of C over a
 * single row (1, ...) — or dense — a batch level of C over the whole tensor. A node with at least one per-sample slot
 * (the primitive's own flag) computes row r_c of its output from row r_c of its per-sample inputs and the whole of
 * its other inputs, so its ordinary VJP rule runs on a copy of the node restricted to the seed rows: per-sample
 * slots get row-sparse cotangents, the other slots exact dense ones (for a matmul's right operand that is an outer
 * product, O(width) per seed instead of a dense product). No rule is written twice. Nodes without a per-sample slot
 * densify and run the ordinary batched rule. When a dense cotangent reaches a row-local tensor (its row j depends
 * only on row j of x) it is cut back to row r_c, since only row r_c of x's cotangent is wanted: below the last
 * mixing op the work is O(C·width), not O(C·N·width).
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

    /** A cotangent batch over the chunk's level: one row per seed (sparse) or the whole tensor (dense). */
    private record Ct(Tensor values, boolean sparse) {}

    /** The chunk: seed rows, the batch level that carries the C seeds, and flat row indices c·N + r_c. */
    private record Chunk(long[] rows, int level, long count, long samples, long[] flat) {}

    /**
     * Row r_c of x's cotangent for each seed c (shape (C, x.shape[1:])). {@code seeds} (C, y.shape[1:]) are the
     * nonzero rows of y's cotangents; {@code rowLocal} marks tensors whose row j depends only on x's row j;
     * {@code onPath} marks tensors that depend on x.
     */
    public static Tensor run(Tensor y, Tensor x, long[] rows, Tensor seeds, Predicate<Tensor> rowLocal, Predicate<Tensor> onPath) {
        try (dev.jaclab.nd.Arena arena = dev.jaclab.nd.Arena.open()) {       // frees the chunk's temporaries on exit
            Tensor out = sweep(y, x, rows, seeds, rowLocal, onPath);
            arena.keep(out.data());
            return out;
        }
    }

    private static Tensor sweep(Tensor y, Tensor x, long[] rows, Tensor seeds, Predicate<Tensor> rowLocal, Predicate<Tensor> onPath) {
        long c = rows.length, samples = x.size(0);
        long[] flat = new long[rows.length];
        for (int k = 0; k < rows.length; k++) flat[k] = k * samples + rows[k];
        Chunk ch = new Chunk(rows, Tensor.newLevel(), c, samples, flat);
        Map<Tensor, Ct> ct = new IdentityHashMap<>();
        try (var mode = GradMode.set(false)) {
            ct.put(y, new Ct(oneRow(seeds, ch), true));
            List<Tensor> order = Backprop.topologicalOrder(y);
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Ct g = ct.remove(t);
                if (g == null) continue;
                if (!g.sparse() && rowLocal.test(t)) g = prune(g.values(), ch);
                if (t == x) return g.values().toLogical(ch.level(), c).reshape(dev.jaclab.nd.Shapes.concat(new long[]{c}, dev.jaclab.nd.Shapes.suffix(x.shape(), 1)));
                Node n = t.node();
                if (n == null) continue;
                propagate(n, g, ch, ct, onPath, rowLocal);
            }
        }
        return Tensor.zeros(x.dtype(), dev.jaclab.nd.Shapes.concat(new long[]{c}, dev.jaclab.nd.Shapes.suffix(x.shape(), 1)));
    }

    private static void propagate(Node n, Ct g, Chunk ch, Map<Tensor, Ct> ct, Predicate<Tensor> onPath, Predicate<Tensor> rowLocal) {
        Tensor[] in = n.inputs();
        Primitive p = n.primitive();
        boolean rowWise = false;
        for (int i = 0; i < in.length; i++) rowWise |= p.perSample(n, i) && in[i].rank() > 0;
        if (g.sparse() && rowWise) {
            Node r = restricted(n, ch, onPath);
            boolean[] own = new boolean[in.length];
            for (int i = 0; i < in.length; i++) own[i] = wanted(p, i, in, onPath) && !p.perSample(n, i) && rowLocal.test(in[i]);
            Tensor[] gi = p.hasOwnRowsVjp() ? p.vjpOwnRows(g.values(), r, own, ch.rows()) : null;
            if (gi == null) {
                gi = p.vjp(g.values(), r);
                own = new boolean[in.length];
            }
            SPARSE_ROWS.addAndGet(ch.count());
            for (int i = 0; i < in.length; i++)
                if (wanted(p, i, in, onPath) && gi[i] != null)
                    add(ct, in[i], new Ct(gi[i], own[i] || (p.perSample(n, i) && in[i].rank() > 0)), ch);
            return;
        }
        Tensor dense = g.sparse() ? densify(g.values(), ch) : g.values();
        Tensor[] gi = p.vjp(dense, onlyWanted(n, onPath));
        DENSE_ROWS.addAndGet(ch.count() * (n.output().rank() > 0 ? n.output().size(0) : 1));
        for (int i = 0; i < in.length; i++)
            if (wanted(p, i, in, onPath) && gi[i] != null) add(ct, in[i], new Ct(gi[i], false), ch);
    }

    private static boolean wanted(Primitive p, int i, Tensor[] in, Predicate<Tensor> onPath) { return p.differentiable(i) && onPath.test(in[i]); }

    /** A copy of the node where inputs off the path are constants, so rules skip their cotangents. */
    private static Node onlyWanted(Node n, Predicate<Tensor> onPath) {
        Tensor[] in = n.inputs(), sub = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) sub[i] = onPath.test(in[i]) ? in[i] : in[i].detach();
        Node r = new Node(n.primitive(), sub);
        r.setOutput(n.output());
        return r;
    }

    /** The node restricted to the seed rows: per-sample inputs and the output become one row per seed (batch level). */
    private static Node restricted(Node n, Chunk ch, Predicate<Tensor> onPath) {
        Tensor[] in = n.inputs(), sub = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            Tensor base = onPath.test(in[i]) ? in[i] : in[i].detach();
            if (n.primitive().perSample(n, i) && in[i].rank() > 0) {
                sub[i] = oneRow(base.detach().indexSelect(0, ch.rows()), ch);
                if (onPath.test(in[i])) sub[i] = sub[i].detach().requiresGrad(true);
            } else sub[i] = base;
        }
        Node r = new Node(n.primitive(), sub);
        r.setOutput(oneRow(n.output().detach().indexSelect(0, ch.rows()), ch));
        return r;
    }

    /** (C, ...) → batch level C over a single row (1, ...). */
    private static Tensor oneRow(Tensor rowsPerSeed, Chunk ch) { return rowsPerSeed.unsqueeze(1).toBatch(ch.level()); }

    private static Tensor densify(Tensor oneRow, Chunk ch) {
        Tensor v = oneRow.toLogical(ch.level(), ch.count()).squeeze(1);                    // (C, ...)
        long[] rest = dev.jaclab.nd.Shapes.suffix(v.shape(), 1);
        Tensor d = v.scatterAdd(0, ch.flat(), ch.count() * ch.samples()).reshape(dev.jaclab.nd.Shapes.concat(new long[]{ch.count(), ch.samples()}, rest));
        return d.toBatch(ch.level());
    }

    private static Ct prune(Tensor dense, Chunk ch) {
        Tensor d = dense.toLogical(ch.level(), ch.count());                                // (C, N, ...)
        long[] rest = dev.jaclab.nd.Shapes.suffix(d.shape(), 2);
        Tensor rowsOnly = d.reshape(dev.jaclab.nd.Shapes.concat(new long[]{ch.count() * d.size(1)}, rest)).indexSelect(0, ch.flat());
        return new Ct(oneRow(rowsOnly, ch), true);
    }

    private static void add(Map<Tensor, Ct> ct, Tensor t, Ct g, Chunk ch) {
        Ct prev = ct.get(t);
        if (prev == null) { ct.put(t, g); return; }
        if (prev.sparse() && g.sparse()) { ct.put(t, new Ct(prev.values().add(g.values()), true)); return; }
        Tensor a = prev.sparse() ? densify(prev.values(), ch) : prev.values();
        Tensor b = g.sparse() ? densify(g.values(), ch) : g.values();
        ct.put(t, new Ct(a.add(b), false));
    }
}
