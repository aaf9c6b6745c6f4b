package dev.jaclab.tensor;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Reverse sweep for a chunk of C one-hot seeds at sample rows r_1..r_C, with <em>row-sparse</em> cotangents.
 *
 * <p>A cotangent batch is either row-sparse — slice c holds only row r_c, stored as (C, ...) — or dense — a batch
 * level of C over the whole tensor. Through a per-sample slot (the primitive's own flag) a row-sparse cotangent stays
 * row-sparse: the op's ordinary VJP rule runs on a copy of the node restricted to the seed rows, so no rule is
 * written twice. At a slot that mixes samples the cotangent is densified and the ordinary batched rule runs. When a
 * dense cotangent reaches a row-local tensor (its row j depends only on row j of x) it is cut back to row r_c, since
 * only row r_c of x's cotangent is wanted: below the last mixing op the work is O(C·width), not O(C·N·width).
 *
 * <pre>{@code
 * // used by Strategies.sparseRows(C); seeds: (C, m) values at rows r_c of y (N, m)
 * Tensor rowsOfGrad = RowSparseSweep.run(y, x, rows, seeds, rowLocal, onPath);   // (C, n)
 * }</pre>
 */
public final class RowSparseSweep {
    private static final AtomicLong SPARSE_ROWS = new AtomicLong(), DENSE_ROWS = new AtomicLong();

    private RowSparseSweep() {}

    /** Rows of cotangent processed so far: through row-sparse rules, and through dense (batched) rules. */
    public record Work(long sparseRows, long denseRows) {}

    public static Work work() { return new Work(SPARSE_ROWS.get(), DENSE_ROWS.get()); }

    public static void resetWork() { SPARSE_ROWS.set(0); DENSE_ROWS.set(0); }

    /** A cotangent batch: row-sparse values (C, ...) or a dense tensor carrying the chunk's batch level. */
    private record Ct(Tensor values, boolean sparse) {}

    /**
     * Row r_c of x's cotangent for each seed c (shape (C, x.shape[1:])). {@code seeds} (C, y.shape[1:]) are the
     * nonzero rows of y's cotangents; {@code rowLocal} marks tensors whose row j depends only on x's row j;
     * {@code onPath} marks tensors that depend on x.
     */
    public static Tensor run(Tensor y, Tensor x, long[] rows, Tensor seeds, Predicate<Tensor> rowLocal, Predicate<Tensor> onPath) {
        int level = Tensor.newLevel();
        long c = rows.length, samples = x.size(0);
        long[] flat = new long[rows.length];
        for (int k = 0; k < rows.length; k++) flat[k] = k * samples + rows[k];
        Map<Tensor, Ct> ct = new IdentityHashMap<>();
        ct.put(y, new Ct(seeds, true));
        try (var mode = GradMode.set(false)) {
            List<Tensor> order = Backprop.topologicalOrder(y);
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Ct g = ct.remove(t);
                if (g == null) continue;
                if (!g.sparse() && rowLocal.test(t)) g = prune(g, level, c, flat);
                if (t == x) return g.sparse() ? g.values() : prune(g, level, c, flat).values();
                Node n = t.node();
                if (n == null) continue;
                propagate(n, g, rows, level, c, samples, flat, ct, onPath);
            }
        }
        return Tensor.zeros(x.dtype(), dev.jaclab.nd.Shapes.concat(new long[]{c}, dev.jaclab.nd.Shapes.suffix(x.shape(), 1)));
    }

    private static void propagate(Node n, Ct g, long[] rows, int level, long c, long samples, long[] flat,
                                  Map<Tensor, Ct> ct, Predicate<Tensor> onPath) {
        Tensor[] in = n.inputs();
        Primitive p = n.primitive();
        boolean needDense = false, needSparse = false;
        for (int i = 0; i < in.length; i++) {
            if (!p.differentiable(i) || !onPath.test(in[i])) continue;
            if (g.sparse() && p.perSample(n, i)) needSparse = true;
            else needDense = true;
        }
        if (needSparse) {
            Tensor[] gi = p.vjp(g.values(), restricted(n, rows));
            SPARSE_ROWS.addAndGet(c);
            for (int i = 0; i < in.length; i++)
                if (p.differentiable(i) && onPath.test(in[i]) && p.perSample(n, i) && gi[i] != null) add(ct, in[i], new Ct(gi[i], true), level, c, samples, flat);
        }
        if (needDense) {
            Tensor dense = g.sparse() ? densify(g.values(), level, c, samples, flat) : g.values();
            Tensor[] gi = p.vjp(dense, n);
            DENSE_ROWS.addAndGet(c * Math.max(1, n.output().rank() > 0 ? n.output().size(0) : 1));
            for (int i = 0; i < in.length; i++)
                if (p.differentiable(i) && onPath.test(in[i]) && !(g.sparse() && p.perSample(n, i)) && gi[i] != null)
                    add(ct, in[i], new Ct(gi[i], false), level, c, samples, flat);
        }
    }

    /** A copy of the node whose per-sample inputs and output are restricted to the seed rows. */
    private static Node restricted(Node n, long[] rows) {
        Tensor[] in = n.inputs(), sub = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            if (n.primitive().perSample(n, i) && in[i].rank() > 0) {
                sub[i] = in[i].detach().indexSelect(0, rows);
                if (in[i].isRequiresGrad()) sub[i].requiresGrad(true);
            } else sub[i] = in[i];
        }
        Node r = new Node(n.primitive(), sub);
        r.setOutput(n.output().indexSelect(0, rows));
        return r;
    }

    private static Tensor densify(Tensor values, int level, long c, long samples, long[] flat) {
        long[] rest = dev.jaclab.nd.Shapes.suffix(values.shape(), 1);
        Tensor d = values.scatterAdd(0, flat, c * samples).reshape(dev.jaclab.nd.Shapes.concat(new long[]{c, samples}, rest));
        return d.toBatch(level);
    }

    private static Ct prune(Ct g, int level, long c, long[] flat) {
        if (g.sparse()) return g;
        Tensor d = g.values().toLogical(level, c);                       // (C, N, ...)
        long[] rest = dev.jaclab.nd.Shapes.suffix(d.shape(), 2);
        Tensor rowsOnly = d.reshape(dev.jaclab.nd.Shapes.concat(new long[]{c * d.size(1)}, rest)).indexSelect(0, flat);
        return new Ct(rowsOnly, true);
    }

    private static void add(Map<Tensor, Ct> ct, Tensor t, Ct g, int level, long c, long samples, long[] flat) {
        Ct prev = ct.get(t);
        if (prev == null) { ct.put(t, g); return; }
        if (prev.sparse() && g.sparse()) { ct.put(t, new Ct(prev.values().add(g.values()), true)); return; }
        Tensor a = prev.sparse() ? densify(prev.values(), level, c, samples, flat) : prev.values();
        Tensor b = g.sparse() ? densify(g.values(), level, c, samples, flat) : g.values();
        ct.put(t, new Ct(a.add(b), false));
    }
}
