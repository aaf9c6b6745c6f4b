package dev.jaclab.tensor;

import dev.jaclab.nd.Arena;
import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse sweep over the tape: cotangents flow from outputs to the requested tensors through each node's VJP
 * rule, only along paths that reach a requested tensor. Cotangents may carry batch levels (batched VJPs).
 */
public final class Backprop {
    private Backprop() {}

    /** Tensors reachable from {@code outputs} through recorded nodes, inputs before the nodes that use them. */
    public static List<Tensor> topologicalOrder(Tensor... outputs) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = IdentitySets.of();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        for (Tensor o : outputs) {
            if (!seen.add(o)) continue;
            stack.push(new Object[]{o, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Tensor t = (Tensor) top[0];
                int i = (Integer) top[1];
                Tensor[] in = t.node() == null ? new Tensor[0] : t.node().inputs();
                if (i < in.length) {
                    top[1] = i + 1;
                    Tensor c = in[i];
                    if (c.isRequiresGrad() && t.node().primitive().differentiable(i) && seen.add(c)) stack.push(new Object[]{c, 0});
                } else {
                    stack.pop();
                    order.add(t);
                }
            }
        }
        return order;
    }

    /**
     * Cotangents of {@code targets} given cotangents of {@code outputs}. A target that no output depends on is
     * absent from the result. With {@code createGraph} the sweep itself is recorded (for higher derivatives).
     */
    public static Map<Tensor, Tensor> vjp(Tensor[] outputs, Tensor[] cotangents, Tensor[] targets, boolean createGraph) {
        return vjp(outputs, cotangents, targets, createGraph, t -> false);
    }

    /** As above, with {@code cut} tensors held constant (no cotangent flows through them: the "detached" partial VJP). */
    public static Map<Tensor, Tensor> vjp(Tensor[] outputs, Tensor[] cotangents, Tensor[] targets, boolean createGraph,
                                          java.util.function.Predicate<Tensor> cut) {
        Set<Tensor> targetSet = IdentitySets.of(targets);
        return sweep(outputs, cotangents, targetSet::contains, createGraph, cut);
    }

    /** {@code y.backward(cotangent)}: accumulates into every leaf that requires grad. */
    static void backward(Tensor y, Tensor cotangent) {
        if (!java.util.Arrays.equals(y.shape(), cotangent.shape()))
            throw new IllegalArgumentException("backward: cotangent shape " + dev.jaclab.nd.Shapes.str(cotangent.shape())
                    + " differs from output shape " + dev.jaclab.nd.Shapes.str(y.shape()));
        if (!y.isRequiresGrad()) throw new IllegalStateException("backward: output does not require grad (no input called requiresGrad())");
        Map<Tensor, Tensor> g = sweep(new Tensor[]{y}, new Tensor[]{cotangent}, t -> t.isLeaf() && t.isRequiresGrad(), false, t -> false);
        g.forEach(Tensor::accumulateGrad);
    }

    private static Map<Tensor, Tensor> sweep(Tensor[] outputs, Tensor[] cotangents, java.util.function.Predicate<Tensor> isTarget,
                                            boolean createGraph, java.util.function.Predicate<Tensor> cut) {
        List<Tensor> order = topologicalOrder(outputs);
        Set<Tensor> leads = IdentitySets.of();
        for (Tensor t : order) {
            boolean l = isTarget.test(t);
            Node n = t.node();
            if (!l && n != null && !cut.test(t))
                for (int i = 0; i < n.inputs().length && !l; i++) l = n.primitive().differentiable(i) && leads.contains(n.inputs()[i]);
            if (l) leads.add(t);
        }
        Map<Tensor, Tensor> ct = new IdentityHashMap<>();
        for (int i = 0; i < outputs.length; i++) if (leads.contains(outputs[i])) accumulate(ct, outputs[i], cotangents[i]);
        Map<Tensor, Tensor> result = new IdentityHashMap<>();
        try (var mode = GradMode.set(createGraph); Arena arena = createGraph ? null : Arena.open()) {
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Tensor g = ct.remove(t);
                if (g == null) continue;
                if (isTarget.test(t)) result.put(t, g);
                Node n = t.node();
                if (n == null || cut.test(t)) continue;
                Tensor[] in = n.inputs();
                boolean any = false;
                for (int i = 0; i < in.length; i++) any |= n.primitive().differentiable(i) && leads.contains(in[i]);
                if (!any) continue;
                Tensor[] gi = n.primitive().vjp(g, n);
                for (int i = 0; i < in.length; i++)
                    if (gi[i] != null && n.primitive().differentiable(i) && leads.contains(in[i])) {
                        Tensor gt = unbroadcastLevels(gi[i], in[i], t);
                        if (arena == null || !ct.containsKey(in[i]) || !addInPlace(ct, in[i], gt, arena, result, g, gi, i))
                            accumulate(ct, in[i], gt);
                    }
                if (arena != null) arena.collect(Liveness.data(ct.values(), result.values()));   // t's cotangent and the rule's temporaries die here
            }
            if (arena != null) for (Tensor r : result.values()) arena.keep(r.data());
        }
        return result;
    }

    /**
     * Sums a cotangent over the batch levels that the output has but the input lacks: the input was broadcast across
     * them (an unbatched weight meeting a vmapped tensor), so its cotangent is the sum. Levels the output lacks
     * (the cotangent batch of a batched VJP) are kept.
     */
    static Tensor unbroadcastLevels(Tensor g, Tensor input, Tensor output) {
        for (int level : output.levels()) {
            if (BatchLevels.indexOf(input.levels(), level) >= 0) continue;
            int at = BatchLevels.indexOf(g.levels(), level);
            if (at < 0) continue;
            long size = g.data().shape()[at];
            long full = output.data().shape()[BatchLevels.indexOf(output.levels(), level)];
            g = g.toLogical(level, size).sum(new int[]{0}, false);
            if (size != full) g = g.mul((double) full / size);
        }
        return g;
    }

    private static void accumulate(Map<Tensor, Tensor> ct, Tensor t, Tensor g) {
        Tensor prev = ct.get(t);
        ct.put(t, prev == null ? g : prev.add(g));
    }

    /**
     * Adds {@code gt} (rule output {@code i}, unbroadcast) to what {@code t} has gathered by writing into one of the two
     * buffers, when the sweep made it ({@code arena}) and nothing else the sweep holds shares it: the other gathered
     * cotangents, the results, the node's own cotangent {@code g} and its rule's other outputs. A tensor used k times
     * then costs no new arrays for its sum. Returns false (nothing done) otherwise: a rule passing its cotangent on, a
     * different layout.
     */
    private static boolean addInPlace(Map<Tensor, Tensor> ct, Tensor t, Tensor gt, Arena arena, Map<Tensor, Tensor> result,
                                      Tensor g, Tensor[] gi, int i) {
        Tensor prev = ct.get(t);
        if (prev.dtype() != gt.dtype() || !java.util.Arrays.equals(prev.levels(), gt.levels())
                || !java.util.Arrays.equals(prev.data().shape(), gt.data().shape())) return false;
        List<NdArray> others = new ArrayList<>(ct.size() + result.size() + gi.length + 1);
        for (Map.Entry<Tensor, Tensor> e : ct.entrySet()) if (e.getKey() != t) others.add(e.getValue().data());
        for (Tensor r : result.values()) others.add(r.data());
        others.add(g.data());
        int mark = others.size();
        for (Tensor x : gi) if (x != null) others.add(x.data());
        if (gt != gi[i]) others.add(gt.data());
        if (arena.ownsAlone(prev.data(), others)) {                     // prev += gt
            InPlace.axpy(1, gt.data(), prev.data());
            counted(prev, gt);
            return true;
        }
        others.subList(mark, others.size()).clear();                    // now prev is held, gt is the candidate
        others.add(prev.data());
        for (int j = 0; j < gi.length; j++) if (j != i && gi[j] != null) others.add(gi[j].data());
        if (gt != gi[i] && gi[i] != null) others.add(gi[i].data());     // gt is a new sum over levels: gi[i] stays aside
        if (arena.ownsAlone(gt.data(), others)) {                       // gt += prev
            InPlace.axpy(1, prev.data(), gt.data());
            counted(gt, prev);
            ct.put(t, gt);
            return true;
        }
        return false;
    }

    /** The in-place sum reads and writes what the add it replaces would: open work meters count it as that add. */
    private static void counted(Tensor sum, Tensor addend) {
        WorkMeter.bound(new Elementwise.Add(), new NdArray[]{sum.data(), addend.data()}, sum.data(), sum.levels().length);
    }
}
