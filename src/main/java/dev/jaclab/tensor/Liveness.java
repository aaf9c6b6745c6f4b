package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sweep still needs after each node: the arrays of the tangents or cotangents it holds, and for the forward
 * sweep the position of each tensor's last consumer. The sweeps hand these to {@link dev.jaclab.nd.Arena#collect} so
 * every intermediate is freed as soon as its last consumer has run (off-heap memory otherwise waits for a GC).
 *
 * <pre>{@code
 * Map<Tensor, Integer> last = Liveness.lastUse(Backprop.topologicalOrder(y), new Tensor[]{y});
 * }</pre>
 */
final class Liveness {
    private Liveness() {}

    /** For each tensor of {@code order}, the index of the last node in {@code order} that reads it; outputs never die. */
    static Map<Tensor, Integer> lastUse(List<Tensor> order, Tensor[] outputs) {
        Map<Tensor, Integer> last = new IdentityHashMap<>();
        for (int k = 0; k < order.size(); k++) {
            Node n = order.get(k).node();
            if (n != null) for (Tensor u : n.inputs()) last.put(u, k);
        }
        for (Tensor o : outputs) last.remove(o);
        return last;
    }

    /**
     * What the tapes of {@code roots} still need once their forward has run: the roots' own values, the values each
     * reachable node's rules read ({@link Primitive#savesInput}, {@link Primitive#savesOutput}), and the leaves that
     * require grad with their gradients. Every other intermediate of those tapes can be freed.
     */
    static List<NdArray> saved(Collection<Tensor> roots) {
        List<NdArray> out = new ArrayList<>();
        java.util.Set<Tensor> seen = IdentitySets.of();
        java.util.ArrayDeque<Tensor> todo = new java.util.ArrayDeque<>();
        for (Tensor r : roots) if (r != null && seen.add(r)) { out.add(r.data()); todo.push(r); }
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            Node n = t.node();
            if (n == null) {
                if (t.isRequiresGrad()) {
                    out.add(t.data());
                    if (t.grad() != null) out.add(t.grad().data());
                }
                continue;
            }
            if (n.primitive().savesOutput(n)) out.add(t.data());
            Tensor[] in = n.inputs();
            for (int i = 0; i < in.length; i++) {
                if (n.primitive().savesInput(n, i)) out.add(in[i].data());
                if (seen.add(in[i])) todo.push(in[i]);
            }
        }
        return out;
    }

    /** The arrays of these tensors (the sweep's live values). */
    @SafeVarargs
    static List<NdArray> data(Collection<Tensor>... groups) {
        List<NdArray> out = new ArrayList<>();
        for (Collection<Tensor> g : groups) for (Tensor t : g) out.add(t.data());
        return out;
    }
}
