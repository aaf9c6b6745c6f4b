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

    /** The arrays of these tensors (the sweep's live values). */
    @SafeVarargs
    static List<NdArray> data(Collection<Tensor>... groups) {
        List<NdArray> out = new ArrayList<>();
        for (Collection<Tensor> g : groups) for (Tensor t : g) out.add(t.data());
        return out;
    }
}
