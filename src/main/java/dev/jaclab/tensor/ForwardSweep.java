package dev.jaclab.tensor;

import dev.jaclab.nd.Arena;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Forward mode on an already-recorded graph: tangents are pushed from chosen inputs through each node's JVP rule
 * in topological order. User code is not re-run. Tangents may carry batch levels (batched JVPs).
 */
public final class ForwardSweep {
    private ForwardSweep() {}

    /** Tangents of {@code outputs} (null where an output does not depend on any given input). */
    public static Tensor[] jvp(Tensor[] outputs, Tensor[] inputs, Tensor[] tangents, boolean createGraph) {
        return jvp(outputs, inputs, tangents, createGraph, t -> false);
    }

    /** As above, with {@code cut} tensors held constant (their tangents are zero: the "detached" partial JVP). */
    public static Tensor[] jvp(Tensor[] outputs, Tensor[] inputs, Tensor[] tangents, boolean createGraph,
                               java.util.function.Predicate<Tensor> cut) {
        Map<Tensor, Tensor> tan = new IdentityHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            Tensor prev = tan.get(inputs[i]);
            tan.put(inputs[i], prev == null ? tangents[i] : prev.add(tangents[i]));
        }
        java.util.List<Tensor> order = Backprop.topologicalOrder(outputs);
        Map<Tensor, Integer> lastUse = createGraph ? Map.of() : Liveness.lastUse(order, outputs);
        try (var mode = GradMode.set(createGraph); Arena arena = createGraph ? null : Arena.open()) {
            for (int k = 0; k < order.size(); k++) {
                Tensor t = order.get(k);
                Node n = t.node();
                if (n == null || tan.containsKey(t) || cut.test(t)) continue;
                Tensor[] in = n.inputs();
                Tensor[] ti = new Tensor[in.length];
                boolean any = false;
                for (int i = 0; i < in.length; i++) {
                    if (!n.primitive().differentiable(i)) continue;
                    ti[i] = tan.get(in[i]);
                    any |= ti[i] != null;
                }
                if (!any) continue;
                tan.put(t, n.primitive().jvp(ti, n));
                if (arena == null) continue;
                for (Tensor u : in) if (Integer.valueOf(k).equals(lastUse.get(u))) tan.remove(u);   // its last consumer has run
                arena.collect(Liveness.data(tan.values()));
            }
            if (arena != null) for (Tensor o : outputs) if (tan.get(o) != null) arena.keep(tan.get(o).data());
        }
        Tensor[] out = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) out[i] = tan.get(outputs[i]);
        return out;
    }
}
