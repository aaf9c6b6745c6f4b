package dev.jaclab.tensor;

import dev.jaclab.nd.Arena;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact per-sample JVPs for samples coupled only through small shared <em>contexts</em> — tensors without the sample
 * axis made by sums over it (a batch mean, batch-norm statistics) and then broadcast back into the rows — at about the
 * cost of the sum trick.
 *
 * <p>Sample i reaches a context c = Σ_j u_j only through its own row and the contexts u depends on, so with the
 * per-row total derivative T_c[i] = dc/dx_i:
 * <pre>
 *   T_c[i] = D_u[i] + Σ_{c'} T_{c'}[i] · S_{c,c'}      D_u: u's tangent with every context held fixed (the "direct" part)
 *                                                      S_{c,c'} = Σ_j ∂u_j/∂c'   (|c'| × |c| once, by |c'| broadcast tangents)
 *   y's tangent at row i = JVP with x's tangent on row i and each context's tangent T_c[i] on row i
 * </pre>
 * Every tangent is carried for all rows at once, batched over the B seed directions (e_k on every row, as the sum
 * trick seeds them): about 2·B forward passes plus Σ|c'| over the part of the graph that feeds another sum. A
 * context's per-row tangent travels as a batch level over the N rows, so the ordinary JVP rules of elementwise ops
 * apply to context-only ops unchanged.
 *
 * <p>Applies when every op on the path is per-sample in its row inputs, a context enters rows only through
 * elementwise broadcasting ops, contexts combine only elementwise, and contexts are made only by sums whose dims
 * include the sample axis; {@link #refusal} names the op that breaks this.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(1, 1000, 3).requiresGrad();
 * Tensor y = x.sub(x.mean(new int[]{0}, true)).tanh();
 * Tensor t = ContextSweep.jvp(y, x, seeds).tangents();   // seeds (3, 1000, 3), e_k on every row: t[k, i, :] = J_i[:, k]
 * }</pre>
 */
public final class ContextSweep {
    private ContextSweep() {}

    /** Why the sweep does not apply to y(x) (null when it does). */
    public static String refusal(Tensor y, Tensor x) {
        long n = x.rank() == 0 ? 0 : x.size(0);
        if (n < 2) return "contextForward needs at least two samples on axis 0";
        if (!rows(y, n)) return "contextForward needs y with the sample axis, got " + Shapes.str(y.shape());
        Set<Tensor> path = path(y, x);
        for (Tensor t : Backprop.topologicalOrder(y)) {
            if (t == x || !path.contains(t)) continue;
            Node node = t.node();
            Primitive p = node.primitive();
            Tensor[] in = node.inputs();
            boolean anyContext = false, anyRows = false;
            for (int i = 0; i < in.length; i++) {
                if (!path.contains(in[i]) || !p.differentiable(i)) continue;
                if (rows(in[i], n)) {
                    anyRows = true;
                    if (rows(t, n) && !p.perSample(node, i)) return mixing(node, "mixes samples through input " + i);
                } else anyContext = true;
            }
            if (rows(t, n)) {
                if (anyContext && !elementwise(p)) return mixing(node, "takes a batch-wide context through a non-elementwise op");
            } else if (anyRows) {
                if (!(p instanceof Reductions.Sum s) || s.axes.dims().length == 0 || s.axes.dims()[0] != 0)
                    return mixing(node, "reduces over the samples other than by a sum");
            } else if (!elementwise(p)) return mixing(node, "combines batch-wide contexts through a non-elementwise op");
        }
        return null;
    }

    private static String mixing(Node n, String what) {
        return "contextForward: " + n.primitive().name() + Shapes.str(n.output().shape()) + " " + what;
    }

    /**
     * Tangents of y (B, y.shape) for seeds (B, x.shape): row i of direction k is the per-sample JVP J_i·seeds[k, i]
     * (exact, contexts included). Call {@link #refusal} first.
     */
    public static Result jvp(Tensor y, Tensor x, Tensor seeds) {
        long n = x.size(0), b = seeds.size(0);
        Set<Tensor> path = path(y, x);
        List<Tensor> order = new ArrayList<>();
        for (Tensor t : Backprop.topologicalOrder(y)) if (t != x && path.contains(t)) order.add(t);
        Set<Tensor> feedsSum = feedsSum(order, n);
        int level = Tensor.newLevel(), rowLevel = Tensor.newLevel();
        Map<Tensor, Tensor> total = new IdentityHashMap<>(), direct = new IdentityHashMap<>(), perRow = new IdentityHashMap<>();
        Map<Tensor, Map<Tensor, Tensor>> spread = new IdentityHashMap<>();    // context c → (c' → S_{c,c'})
        long spreadDirections = 0;
        Arena arena = null;
        try (var mode = GradMode.set(false)) {
            Tensor seed = seeds.cast(x.dtype()).toBatch(level);
            total.put(x, seed);
            direct.put(x, seed);
            for (Tensor c : order) if (!rows(c, n) && consumedByRows(c, order, n) && feedsSumThrough(c, order, feedsSum, n)) {
                spreadDirections += diagonalSpread(c, order, feedsSum, n) ? 1 : c.numel();
                for (Map.Entry<Tensor, Tensor> e : spreads(c, order, feedsSum, n).entrySet())
                    spread.computeIfAbsent(e.getKey(), k -> new IdentityHashMap<>()).put(c, e.getValue());
            }
            Map<Tensor, Integer> lastUse = Liveness.lastUse(order, new Tensor[]{y});
            for (int k = 0; k < order.size(); k++)                               // a spread context lives until its sums
                for (Tensor c : spread.getOrDefault(order.get(k), Map.of()).keySet()) lastUse.merge(c, k, Math::max);
            List<NdArray> spreads = new ArrayList<>();
            for (Map<Tensor, Tensor> m : spread.values()) for (Tensor sp : m.values()) spreads.add(sp.data());
            arena = Arena.open();
            for (int k = 0; k < order.size(); k++) {
                Tensor t = order.get(k);
                Node node = t.node();
                Primitive p = node.primitive();
                Tensor[] in = node.inputs();
                if (rows(t, n)) {                                                // a row tensor: total and direct tangents
                    Tensor[] tt = new Tensor[in.length], td = new Tensor[in.length];
                    for (int i = 0; i < in.length; i++) {
                        if (!path.contains(in[i]) || !p.differentiable(i)) continue;
                        if (rows(in[i], n)) {
                            tt[i] = total.get(in[i]);
                            td[i] = direct.get(in[i]);
                        } else tt[i] = rowsOf(perRow.get(in[i]), rowLevel, n, in[i].shape(), t.rank());
                    }
                    total.put(t, jvpOrNull(p, tt, node));
                    if (feedsSum.contains(t)) direct.put(t, jvpOrNull(p, td, node));
                } else if (in.length == 1 && rows(in[0], n)) {                   // a sum over the samples: T_c
                    Tensor rc = sumOfRow(direct.get(in[0]), (Reductions.Sum) p, in[0], n, t.shape());
                    for (Map.Entry<Tensor, Tensor> e : spread.getOrDefault(t, Map.of()).entrySet()) {
                        Tensor c = e.getKey();
                        Tensor part = perRow.get(c).toLogical(rowLevel, n).reshape(n, c.numel()).matmul(e.getValue());
                        rc = rc == null ? part : rc.add(part);
                    }
                    if (rc == null) rc = Tensor.zeros(t.dtype(), n, t.numel()).expand(b, n, t.numel()).toBatch(level);
                    perRow.put(t, rc.reshape(Shapes.concat(new long[]{n}, t.shape())).toBatch(rowLevel));
                } else {                                                         // context from contexts: elementwise
                    Tensor[] tc = new Tensor[in.length];
                    for (int i = 0; i < in.length; i++) if (path.contains(in[i]) && p.differentiable(i)) tc[i] = perRow.get(in[i]);
                    perRow.put(t, p.jvp(tc, node));
                }
                freeDead(k, in, lastUse, arena, spreads, total, direct, perRow);
            }
            Tensor out = total.get(y);
            if (out == null) out = Tensor.zeros(y.dtype(), y.shape()).toBatch(level);
            out = out.toLogical(level, b);
            arena.keep(out.data());
            long directions = b * (feedsSum.isEmpty() ? 1 : 2) + spreadDirections;
            return new Result(out, directions);
        } finally {
            if (arena != null) arena.close();
        }
    }

    /** Drops the tangents whose last consumer (node k) has run and frees every array of the sweep not still held. */
    @SafeVarargs
    private static void freeDead(int k, Tensor[] in, Map<Tensor, Integer> lastUse, Arena arena, List<NdArray> spreads, Map<Tensor, Tensor>... maps) {
        for (Tensor u : in) if (Integer.valueOf(k).equals(lastUse.get(u))) for (Map<Tensor, Tensor> m : maps) m.remove(u);
        List<NdArray> live = new ArrayList<>(spreads);
        for (Map<Tensor, Tensor> m : maps) live.addAll(Liveness.data(m.values()));
        arena.collect(live);
    }

    /** The tangents (B, y.shape) and how many tangent directions the sweeps carried (B total, B direct, the spreads). */
    public record Result(Tensor tangents, long directions) {}

    /** The extra broadcast tangents of {@link #jvp}: Σ over the contexts whose spread into a later sum is measured of |c| (1 when diagonal). */
    public static long spreadDirections(Tensor y, Tensor x) {
        long n = x.size(0), total = 0;
        Set<Tensor> path = path(y, x);
        List<Tensor> order = new ArrayList<>();
        for (Tensor t : Backprop.topologicalOrder(y)) if (t != x && path.contains(t)) order.add(t);
        Set<Tensor> feedsSum = feedsSum(order, n);
        for (Tensor c : order)
            if (!rows(c, n) && consumedByRows(c, order, n) && feedsSumThrough(c, order, feedsSum, n)) total += diagonalSpread(c, order, feedsSum, n) ? 1 : c.numel();
        return total;
    }

    /** The per-row tangent of a context as a row tangent for an op of rank {@code rank}: (N, c.shape left-padded with 1s, minus its sample dim). */
    private static Tensor rowsOf(Tensor perRow, int rowLevel, long n, long[] contextShape, int rank) {
        long[] padded = Shapes.padLeft(contextShape, rank);
        return perRow.toLogical(rowLevel, n).reshape(Shapes.concat(new long[]{n}, Shapes.suffix(padded, 1)));
    }

    /** Row i of a sum over the samples' direct tangent: the other summed dims reduced, as (N, numel(c)) (null for no tangent). */
    private static Tensor sumOfRow(Tensor d, Reductions.Sum s, Tensor u, long n, long[] contextShape) {
        if (d == null) return null;
        int[] dims = s.axes.dims();
        Tensor r = d;
        if (dims.length > 1) r = r.sum(java.util.Arrays.copyOfRange(dims, 1, dims.length), false);
        return r.reshape(n, Shapes.numel(contextShape));
    }

    /**
     * For a context c that rows consume: S_{c2,c} = Σ_j ∂u_j/∂c for every sum c2 = Σ_j u_j reached from c through row
     * ops (other contexts held fixed), as (|c|, |c2|), by |c| broadcast tangents on c.
     */
    private static Map<Tensor, Tensor> spreads(Tensor c, List<Tensor> order, Set<Tensor> feedsSum, long n) {
        int level = Tensor.newLevel();
        boolean diagonal = diagonalSpread(c, order, feedsSum, n);
        long k = diagonal ? 1 : c.numel();
        Map<Tensor, Tensor> tan = new IdentityHashMap<>();
        tan.put(c, (diagonal ? Tensor.ones(Shapes.concat(new long[]{1}, c.shape())).cast(c.dtype())
                : Tensor.eye(k).cast(c.dtype()).reshape(Shapes.concat(new long[]{k}, c.shape()))).toBatch(level));
        Map<Tensor, Tensor> out = new IdentityHashMap<>();
        for (Tensor t : order) {
            Node node = t.node();
            Tensor[] in = node.inputs();
            boolean sum = !rows(t, n) && in.length == 1 && rows(in[0], n);
            if (!(rows(t, n) && feedsSum.contains(t)) && !sum) continue;
            Tensor[] ti = new Tensor[in.length];
            boolean any = false;
            for (int i = 0; i < in.length; i++) if (node.primitive().differentiable(i)) any |= (ti[i] = tan.get(in[i])) != null;
            if (!any) continue;
            Tensor r = node.primitive().jvp(ti, node);
            if (sum) out.put(t, diagonal ? r.toLogical(level, 1).reshape(t.numel()).diagEmbed() : r.toLogical(level, k).reshape(k, t.numel()));
            else tan.put(t, r);
        }
        return out;
    }

    /**
     * Whether c reaches every sum only through elementwise ops and each such sum has c's shape: then entry a of c moves
     * only entry a of the sum, S is diagonal, and one tangent of ones on c measures it (the columns never mix).
     */
    private static boolean diagonalSpread(Tensor c, List<Tensor> order, Set<Tensor> feedsSum, long n) {
        Set<Tensor> reached = IdentitySets.of();
        reached.add(c);
        for (Tensor t : order) {
            Node node = t.node();
            boolean sum = !rows(t, n) && node.inputs().length == 1 && rows(node.inputs()[0], n);
            if (!(rows(t, n) && feedsSum.contains(t)) && !sum) continue;
            boolean from = false;
            for (Tensor in : node.inputs()) from |= reached.contains(in);
            if (!from) continue;
            if (sum) {
                if (!java.util.Arrays.equals(t.shape(), c.shape())) return false;
            } else if (!elementwise(node.primitive()) || t.shape()[t.rank() - 1] != c.shape()[c.rank() - 1] || c.numel() != c.shape()[c.rank() - 1]) return false;
            reached.add(t);
        }
        return true;
    }

    /** Row tensors on a path into a sum over the samples (their direct tangents are needed). */
    private static Set<Tensor> feedsSum(List<Tensor> order, long n) {
        Set<Tensor> feeds = IdentitySets.of();
        for (int k = order.size() - 1; k >= 0; k--) {
            Tensor t = order.get(k);
            boolean sum = !rows(t, n) && t.node().inputs().length == 1 && rows(t.node().inputs()[0], n);
            if (!sum && !feeds.contains(t)) continue;
            for (Tensor in : t.node().inputs()) if (rows(in, n)) feeds.add(in);
        }
        return feeds;
    }

    private static boolean consumedByRows(Tensor c, List<Tensor> order, long n) {
        for (Tensor t : order) if (rows(t, n)) for (Tensor in : t.node().inputs()) if (in == c) return true;
        return false;
    }

    private static boolean feedsSumThrough(Tensor c, List<Tensor> order, Set<Tensor> feedsSum, long n) {
        for (Tensor t : order) if (rows(t, n) && feedsSum.contains(t)) for (Tensor in : t.node().inputs()) if (in == c) return true;
        return false;
    }

    private static Tensor jvpOrNull(Primitive p, Tensor[] t, Node n) {
        for (Tensor ti : t) if (ti != null) return p.jvp(t, n);
        return null;
    }

    /** Whether t carries the sample axis (dim 0 of size N). */
    private static boolean rows(Tensor t, long n) { return t.rank() > 0 && t.size(0) == n; }

    private static boolean elementwise(Primitive p) {
        return p instanceof Elementwise.Unary || p instanceof Elementwise.Binary || p instanceof Elementwise.Where || p instanceof Elementwise.Neg;
    }

    /** Tensors of y's graph that depend on x (x included). */
    private static Set<Tensor> path(Tensor y, Tensor x) {
        Set<Tensor> on = IdentitySets.of();
        on.add(x);
        for (Tensor t : Backprop.topologicalOrder(y)) {
            Node node = t.node();
            if (node == null) continue;
            for (Tensor in : node.inputs()) if (on.contains(in)) { on.add(t); break; }
        }
        return on;
    }
}
