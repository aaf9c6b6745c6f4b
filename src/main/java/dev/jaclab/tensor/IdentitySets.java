package dev.jaclab.tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Sets compared by object identity — how the tape's tensors are told apart (two tensors with equal values are still
 * two nodes of the graph). The one place such a set is made.
 *
 * <pre>{@code
 * Set<Tensor> cut = IdentitySets.of(k, v);
 * cut.contains(k);                   // true
 * cut.contains(k.detach());          // false: another tensor, same values
 * }</pre>
 */
public final class IdentitySets {
    private IdentitySets() {}

    /** A mutable identity set holding {@code members}. */
    @SafeVarargs
    public static <T> Set<T> of(T... members) {
        Set<T> s = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(s, members);
        return s;
    }
}
