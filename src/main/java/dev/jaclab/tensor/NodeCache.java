package dev.jaclab.tensor;

import dev.jaclab.nd.Arena;
import dev.jaclab.nd.NdArray;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Values a sweep computes once per node and reuses across the chunks of one strategy run (e.g. the softmax row
 * statistics of an attention layer). Belongs to one run; the run's worker threads share it (each value is computed
 * once, by the first worker that asks). Closing it frees the arrays it holds.
 *
 * <pre>{@code
 * try (NodeCache cache = new NodeCache()) {
 *     NdArray lse = cache.get(node, () -> statistics(node));   // computed on first use, then reused
 * }
 * }</pre>
 */
public final class NodeCache implements AutoCloseable {
    private final Map<Node, NdArray> values = new IdentityHashMap<>();

    /** The node's cached array, computed by {@code f} outside every open arena on first use. */
    public synchronized NdArray get(Node n, Supplier<NdArray> f) {
        NdArray v = values.get(n);
        if (v == null) {
            v = Arena.outside(f);
            values.put(n, v);
        }
        return v;
    }

    @Override public synchronized void close() {
        values.values().forEach(NdArray::close);
        values.clear();
    }
}
