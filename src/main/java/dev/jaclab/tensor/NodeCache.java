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
    /** Values known before any run (a node's, for as long as the node lives): see {@link #known}. */
    private static final Map<Node, NdArray> KNOWN = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private final Map<Node, NdArray> values = new IdentityHashMap<>();

    /**
     * States a node's value ahead of every run (the softmax row statistics a distributed forward gathered, say): runs
     * then copy it instead of computing it. The value must be what the run's supplier would compute.
     */
    static void known(Node n, NdArray value) { KNOWN.put(n, value); }

    /** The node's cached array, computed by {@code f} outside every open arena on first use (or copied if known). */
    public synchronized NdArray get(Node n, Supplier<NdArray> f) {
        NdArray v = values.get(n);
        if (v == null) {
            NdArray known = KNOWN.get(n);
            v = Arena.outside(known != null ? () -> NdArray.fromDoubles(known.dtype(), known.toDoubleArray(), known.shape()) : f);
            values.put(n, v);
        }
        return v;
    }

    @Override public synchronized void close() {
        values.values().forEach(NdArray::close);
        values.clear();
    }
}
