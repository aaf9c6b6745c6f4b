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
     * {@link Primitive#hasOwnRowsVjp} also stay row-sparse.) The cost model plans with this same rule.
     */
    public static boolean keepsRowsSparse(Node n, int input) {
        return (n.primitive().perSample(n, input) && n.inputs()[input].rank() > 0) || rowAligned(n) != 0;
    }

    /**
     * A cotangent batch over the chunk's level. Row-sparse: seed c holds rows {@code rows[c·K .. c·K+K−1]} of the
     * tensor, values a batch level of C over (K, ...). Dense: {@code rows} is null, values cover the whole tensor.
     */
    private record Ct(Tensor values, long[] rows) {
        boolean sparse() { return rows != null; }
        int perSeed(Chunk ch) { return rows.length / ch.count(); }
        static Ct dense(Tensor values) { return new Ct(values, null); }
    }

    /** The chunk: seed rows r_c and the batch level that carries the C seeds. */
    private record Chunk(long[] rows, int level) {
        int count() { return rows.length; }
    }

    /**
     * Row r_c of x's cotangent for each seed c (shape (C, x.shape[1:])). {@code seeds} (C, y.shape[1:]) are the
     * nonzero rows of y's cotangents; {@code rowLocal} marks tensors whose row j depends only on x's row j;
     * {@code onPath} marks tensors that depend on x.
     */
    public static Tensor run(Tensor y, Tensor x, long[] rows, Tensor seeds, Predicate<Tensor> rowLocal, Predicate<Tensor> onPath) {
        try (Arena arena = Arena.open()) {       // frees the chunk's temporaries on exit
            Tensor out = sweep(y, x, rows, seeds, rowLocal, onPath);
            arena.keep(out.data());
            return out;
        }
    }

    private static Tensor sweep(Tensor y, Tensor x, long[] rows, Tensor seeds, Predicate<Tensor> rowLocal, Predicate<Tensor> onPath) {
        Chunk ch = new Chunk(rows.clone(), Tensor.newLevel());
        long[] gradShape = Shapes.concat(new long[]{rows.length}, Shapes.suffix(x.shape(), 1));
        Map<Tensor, Ct> ct = new IdentityHashMap<>();
        try (var mode = GradMode.set(false)) {
            ct.put(y, new Ct(perSeed(seeds, ch, 1), ch.rows()));
            List<Tensor> order = Backprop.topologicalOrder(y);
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Ct g = ct.remove(t);
                if (g == null) continue;
                if (rowLocal.test(t)) g = ownRows(g, ch);
                if (t == x) return g.values().toLogical(ch.level(), ch.count()).reshape(gradShape);
                Node n = t.node();
                if (n != null) propagate(n, g, ch, ct, onPath, rowLocal);
            }
        }
        return Tensor.zeros(x.dtype(), gradShape);
    }

    private static void propagate(Node n, Ct g, Chunk ch, Map<Tensor, Ct> ct, Predicate<Tensor> onPath, Predicate<Tensor> rowLocal) {
        Tensor[] in = n.inputs();
        Primitive p = n.primitive();
        boolean rowWise = false;
        for (int i = 0; i < in.length; i++) rowWise |= p.perSample(n, i) && in[i].rank() > 0;
        if (g.sparse() && rowWise) {
            Node r = restricted(n, g, ch, onPath);
            Primitive.Own[] own = new Primitive.Own[in.length];
            for (int i = 0; i < in.length; i++) {
                boolean mixingSlot = wanted(p, i, in, onPath) && !p.perSample(n, i);
                own[i] = mixingSlot && rowLocal.test(in[i]) ? Primitive.Own.ROW
                        : mixingSlot && transposedRowLocal(in[i], rowLocal) != null ? Primitive.Own.COLUMN : Primitive.Own.ALL;
            }
            Tensor[] gi = p.hasOwnRowsVjp() ? p.vjpOwnRows(g.values(), r, own, ch.rows()) : null;
            if (gi == null) {
                gi = p.vjp(g.values(), r);
                java.util.Arrays.fill(own, Primitive.Own.ALL);
            }
            SPARSE_ROWS.addAndGet(g.rows().length);
            for (int i = 0; i < in.length; i++) {
                if (!wanted(p, i, in, onPath) || gi[i] == null) continue;
                if (own[i] == Primitive.Own.COLUMN) add(ct, transposedRowLocal(in[i], rowLocal), new Ct(gi[i], ch.rows()), ch);
                else if (own[i] == Primitive.Own.ROW) add(ct, in[i], new Ct(gi[i], ch.rows()), ch);
                else add(ct, in[i], p.perSample(n, i) && in[i].rank() > 0 ? new Ct(gi[i], g.rows()) : Ct.dense(gi[i]), ch);
            }
            return;
        }
        if (g.sparse() && rowAligned(n) != 0) {
            SPARSE_ROWS.addAndGet(g.rows().length);
            if (wanted(p, 0, in, onPath)) add(ct, in[0], throughReshape(n, g, ch), ch);
            return;
        }
        Tensor dense = g.sparse() ? densify(g, ch, n.output()) : g.values();
        Tensor[] gi = p.vjp(dense, onlyWanted(n, onPath));
        DENSE_ROWS.addAndGet(ch.count() * (n.output().rank() > 0 ? n.output().size(0) : 1));
        for (int i = 0; i < in.length; i++)
            if (wanted(p, i, in, onPath) && gi[i] != null) add(ct, in[i], Ct.dense(gi[i]), ch);
    }

    /**
     * The row-local tensor t is the 2-D transpose of, or null. A cotangent's column r_c for t is row r_c of that
     * tensor's, so a rule may hand it there directly ({@link Primitive.Own#COLUMN}), skipping the transpose.
     */
    public static Tensor transposedRowLocal(Tensor t, Predicate<Tensor> rowLocal) {
        Node n = t.node();
        if (n == null || t.rank() != 2 || !(n.primitive() instanceof ShapeOps.Permute pm) || pm.perm[0] != 1) return null;
        return rowLocal.test(n.inputs()[0]) ? n.inputs()[0] : null;
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

    /** The node restricted to the cotangent's rows: per-sample inputs and the output become K rows per seed (batch level). */
    private static Node restricted(Node n, Ct g, Chunk ch, Predicate<Tensor> onPath) {
        Tensor[] in = n.inputs(), sub = new Tensor[in.length];
        int k = g.perSeed(ch);
        for (int i = 0; i < in.length; i++) {
            Tensor base = onPath.test(in[i]) ? in[i] : in[i].detach();
            if (n.primitive().perSample(n, i) && in[i].rank() > 0) {
                sub[i] = perSeed(base.detach().indexSelect(0, g.rows()), ch, k);
                if (onPath.test(in[i])) sub[i] = sub[i].detach().requiresGrad(true);
            } else sub[i] = base;
        }
        Node r = new Node(n.primitive(), sub);
        r.setOutput(perSeed(n.output().detach().indexSelect(0, g.rows()), ch, k));
        return r;
    }

    /** (C·K, ...) rows → batch level C over (K, ...). */
    private static Tensor perSeed(Tensor rows, Chunk ch, int k) {
        return rows.reshape(Shapes.concat(new long[]{ch.count(), k}, Shapes.suffix(rows.shape(), 1))).toBatch(ch.level());
    }

    /** The seeds' (C, K, ...) values. */
    private static Tensor logical(Ct g, Chunk ch) { return g.values().toLogical(ch.level(), ch.count()); }

    /** A row-sparse cotangent of {@code t} as a dense one. */
    private static Tensor densify(Ct g, Chunk ch, Tensor t) {
        Tensor v = logical(g, ch);                                                          // (C, K, ...)
        long rowsOfT = t.size(0), k = g.perSeed(ch);
        long[] rest = Shapes.suffix(v.shape(), 2);
        long[] flat = new long[g.rows().length];
        for (int i = 0; i < flat.length; i++) flat[i] = (i / k) * rowsOfT + g.rows()[i];
        Tensor d = v.reshape(Shapes.concat(new long[]{flat.length}, rest)).scatterAdd(0, flat, ch.count() * rowsOfT);
        return d.reshape(Shapes.concat(new long[]{ch.count(), rowsOfT}, rest)).toBatch(ch.level());
    }

    /** Only row r_c of seed c's cotangent, as one row per seed (for row-local tensors, whose other rows x never sees). */
    private static Ct ownRows(Ct g, Chunk ch) {
        if (g.sparse() && Arrays.equals(g.rows(), ch.rows())) return g;
        if (!g.sparse()) {
            Tensor d = g.values().toLogical(ch.level(), ch.count());                           // (C, N, ...)
            long n = d.size(1);
            long[] flat = new long[ch.count()];
            for (int c = 0; c < flat.length; c++) flat[c] = c * n + ch.rows()[c];
            Tensor rowsOnly = d.reshape(Shapes.concat(new long[]{ch.count() * n}, Shapes.suffix(d.shape(), 2))).indexSelect(0, flat);
            return new Ct(perSeed(rowsOnly, ch, 1), ch.rows());
        }
        int k = g.perSeed(ch);                                                                // sum the rows equal to r_c
        Tensor v = logical(g, ch);
        double[] mask = new double[g.rows().length];
        for (int i = 0; i < mask.length; i++) mask[i] = g.rows()[i] == ch.rows()[i / k] ? 1 : 0;
        long[] maskShape = Shapes.padLeft(new long[0], v.rank());
        maskShape[0] = ch.count();
        maskShape[1] = k;
        Tensor own = v.mul(Tensor.fromArray(mask, maskShape).cast(v.dtype())).sum(new int[]{1}, true);
        return new Ct(own.toBatch(ch.level()), ch.rows());
    }

    /**
     * For a reshape whose output rows are whole runs of input rows or vice versa: s > 0 when each output row covers
     * s input rows, −s when s output rows share one input row, 0 when rows do not align (or the node is no reshape).
     */
    private static long rowAligned(Node n) {
        if (!(n.primitive() instanceof ShapeOps.Reshape)) return 0;
        long[] in = n.inputs()[0].shape(), out = n.output().shape();
        if (in.length == 0 || out.length == 0 || in[0] == 0 || out[0] == 0 || in[0] == out[0]) return 0;
        long total = Shapes.numel(in), wIn = total / in[0], wOut = total / out[0];
        if (wOut % wIn == 0) return wOut / wIn;
        if (wIn % wOut == 0) return -(wIn / wOut);
        return 0;
    }

    /** A row-sparse cotangent of a row-aligned reshape's output as a row-sparse cotangent of its input. */
    private static Ct throughReshape(Node n, Ct g, Chunk ch) {
        long s = rowAligned(n);
        long[] inRest = Shapes.suffix(n.inputs()[0].shape(), 1);
        long[] rows = g.rows();
        int k = g.perSeed(ch);
        Tensor v = logical(g, ch);                                                          // (C, K, out row)
        if (s > 0) {                                                                        // out row i = in rows i·s .. i·s+s−1
            long[] mapped = new long[(int) (rows.length * s)];
            for (int i = 0; i < rows.length; i++) for (int j = 0; j < s; j++) mapped[(int) (i * s + j)] = rows[i] * s + j;
            Tensor values = v.reshape(Shapes.concat(new long[]{ch.count(), k * s}, inRest));
            return new Ct(values.toBatch(ch.level()), mapped);
        }
        long share = -s;                                                                    // out row i = part i mod s of in row i / s
        long[] mapped = new long[rows.length], slot = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            mapped[i] = rows[i] / share;
            slot[i] = i * share + rows[i] % share;
        }
        long wOut = v.numel() / rows.length;
        Tensor placed = v.reshape(rows.length, wOut).scatterAdd(0, slot, rows.length * share);   // zeros around each part
        return new Ct(placed.reshape(Shapes.concat(new long[]{ch.count(), k}, inRest)).toBatch(ch.level()), mapped);
    }

    private static void add(Map<Tensor, Ct> ct, Tensor t, Ct g, Chunk ch) {
        Ct prev = ct.get(t);
        if (prev == null) { ct.put(t, g); return; }
        if (prev.sparse() && g.sparse()) {
            if (Arrays.equals(prev.rows(), g.rows())) { ct.put(t, new Ct(prev.values().add(g.values()), g.rows())); return; }
            ct.put(t, union(prev, g, ch));
            return;
        }
        Tensor a = prev.sparse() ? densify(prev, ch, t) : prev.values();
        Tensor b = g.sparse() ? densify(g, ch, t) : g.values();
        ct.put(t, Ct.dense(a.add(b)));
    }

    /** Two row sets of the same tensor as one: each seed's rows of a, then its rows of b. */
    private static Ct union(Ct a, Ct b, Chunk ch) {
        int ka = a.perSeed(ch), kb = b.perSeed(ch);
        long[] rows = new long[a.rows().length + b.rows().length];
        for (int c = 0; c < ch.count(); c++) {
            System.arraycopy(a.rows(), c * ka, rows, c * (ka + kb), ka);
            System.arraycopy(b.rows(), c * kb, rows, c * (ka + kb) + ka, kb);
        }
        return new Ct(Tensor.concat(1, logical(a, ch), logical(b, ch)).toBatch(ch.level()), rows);
    }
}
