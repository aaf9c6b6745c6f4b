package dev.jaclab.nd;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A scope that frees, when closed, every array created inside it except the ones kept (and anything sharing their
 * buffers). ND4J memory is off-heap and otherwise returns only when the JVM's garbage collector runs, so loops that
 * make many short-lived arrays (strategy chunks) use an arena per iteration to keep peak memory at one iteration's
 * worth. Freed arrays of up to 16 MiB go to the {@link Pool}: the next op asking for that dtype and shape reuses them.
 * Only for code that records nothing on the tape (nothing created inside may outlive the scope unkept); a
 * region that records uses the tensor layer's {@code Scope}, which also keeps what a kept tape's rules read.
 *
 * <pre>{@code
 * try (Arena arena = Arena.open()) {
 *     NdArray out = heavyComputation();
 *     arena.keep(out);
 * }   // every other array made inside is freed here
 * }</pre>
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Arena> CURRENT = new ThreadLocal<>();
    private final List<NdArray> created = new ArrayList<>();
    private final Set<Long> keptBuffers = new HashSet<>();
    private final Arena outer;

    private Arena(Arena outer) { this.outer = outer; }

    /** Opens an arena on this thread (nested arenas hand kept arrays to the enclosing one). */
    public static Arena open() {
        Arena a = new Arena(CURRENT.get());
        CURRENT.set(a);
        return a;
    }

    /**
     * Frees every array this thread's pool holds for reuse (its small free lists and its held large arrays): a
     * measurement of a call's memory then starts from what is live, as in a fresh process, not from buffers an earlier
     * call left for reuse.
     */
    public static void releasePooled() { Pool.releaseAll(); }

    /**
     * Runs {@code f} outside any arena of this thread: what it creates is not freed by the arenas open now (for values
     * cached across chunks; their owner closes them).
     */
    public static <T> T outside(java.util.function.Supplier<T> f) {
        Arena saved = CURRENT.get();
        CURRENT.set(null);
        try {
            return f.get();
        } finally {
            CURRENT.set(saved);
        }
    }

    static void track(NdArray x) {
        Arena a = CURRENT.get();
        if (a != null) a.created.add(x);
    }

    /**
     * Keeps these arrays (and every array sharing their buffers) alive past the scope. The arrays of this scope that
     * own those buffers pass to the enclosing arena, which frees them unless it keeps them too (a kept view, such as a
     * reshape, is not itself freeable: its owner is what moves).
     */
    public void keep(NdArray... xs) {
        for (NdArray x : xs) if (x != null) keptBuffers.add(address(x));
    }

    /** The address of the buffer an array lives in (0 when it is empty, shape-only or already released). */
    private static long address(NdArray x) { return x.isShapeOnly() ? 0 : Pool.address(x.a); }

    /**
     * Whether {@code x} is a whole buffer made in this scope (not a view, not kept) that no array of {@code others}
     * shares (x's own holder left out of them): its owner may then write into it (a sweep summing cotangents in place).
     */
    public boolean ownsAlone(NdArray x, Iterable<NdArray> others) {
        if (x.isShapeOnly() || x.a.isView() || x.a.rank() == 0 || x.isClosed()) return false;
        long at = address(x);
        if (at == 0 || keptBuffers.contains(at)) return false;
        boolean made = false;
        for (NdArray c : created) if (!c.a.isView() && address(c) == at) { made = true; break; }
        if (!made) return false;
        for (NdArray o : others) if (o != null && address(o) == at) return false;
        return true;
    }

    /**
     * Frees now every array made in this scope whose buffer no array of {@code live} shares (the ones that do stay,
     * and are dealt with again at the next collect or at close). A sweep calls this after each node with the values
     * it still holds, so an intermediate is freed as soon as its last consumer has run.
     */
    public void collect(Iterable<NdArray> live) {
        Set<Long> liveBuffers = new HashSet<>(keptBuffers);
        for (NdArray x : live) if (x != null) liveBuffers.add(address(x));
        int kept = 0;
        for (NdArray x : created) {
            if (x.a.isView() || x.a.rank() == 0 || x.isClosed()) continue;
            long at = address(x);
            if (at == 0) continue;
            if (liveBuffers.contains(at)) created.set(kept++, x);
            else x.release();
        }
        created.subList(kept, created.size()).clear();
    }

    @Override public void close() {
        CURRENT.set(outer);
        for (NdArray x : created) {
            if (x.a.isView() || x.a.rank() == 0 || x.isClosed()) continue;
            long at = address(x);
            if (at == 0) continue;
            if (keptBuffers.contains(at)) {
                if (outer != null) outer.created.add(x);
                continue;
            }
            x.release();
        }
        created.clear();
        if (outer == null) Pool.releaseLarge();                     // large buffers are reused within a region only
    }
}
