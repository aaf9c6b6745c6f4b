package dev.jaclab.nd;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A scope of reusable work buffers for kernels called in a loop (one chunk of seeds per call): inside the scope a
 * kernel asks for its buffer by slot name and gets the same memory back each call, so the loop stops paying for
 * fresh off-heap pages (page faults cost as much as the arithmetic here). Outside any scope a buffer is a plain
 * allocation that the kernel frees itself. The scope frees its buffers when closed.
 *
 * <pre>{@code
 * try (Scratch scope = Scratch.open()) {
 *     for (long[] chunk : chunks) sweep(chunk);   // FusedAttention.vjp reuses its (C, N) buffers here
 * }
 * }</pre>
 */
public final class Scratch implements AutoCloseable {
    private static final ThreadLocal<Scratch> CURRENT = new ThreadLocal<>();
    private final Map<String, INDArray> buffers = new HashMap<>();
    private final Map<String, Object> sources = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();       // the shape each slot last handed out
    private final Scratch outer;

    private Scratch(Scratch outer) { this.outer = outer; }

    /** Opens a scope on this thread. */
    public static Scratch open() {
        Scratch s = new Scratch(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /**
     * An uninitialised buffer for {@code slot}: reused within an open scope, else fresh (free it with {@link #release}).
     * Within a scope the slot keeps the largest buffer asked for and hands out its first elements in the shape asked
     * (c order), so a last partial chunk or a smaller call does not reallocate.
     */
    static INDArray buffer(String slot, DataType t, long... shape) {
        Scratch s = CURRENT.get();
        if (s == null) return Nd4j.createUninitialized(t, shape);
        INDArray b = s.buffers.get(slot);
        long n = Shapes.numel(shape);
        if (b != null && b.dataType() == t && b.length() >= n) {
            if (!java.util.Arrays.equals(s.shapes.get(slot), shape)) s.sources.remove(slot);
            s.shapes.put(slot, shape.clone());
            return java.util.Arrays.equals(b.shape(), shape) ? b : Nd4j.create(b.data(), shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
        }
        if (b != null) b.close();
        b = Nd4j.createUninitialized(t, shape);
        s.buffers.put(slot, b);
        s.shapes.put(slot, shape.clone());
        s.sources.remove(slot);
        return b;
    }

    /**
     * {@link #buffer}, but outside a scope the fresh buffer is registered with the current {@link Arena} (which frees
     * it), so callers never release it themselves.
     */
    static INDArray work(String slot, DataType t, long... shape) {
        INDArray b = buffer(slot, t, shape);
        return CURRENT.get() == null ? NdArray.tracked(b) : b;
    }

    /** {@link #work}, filled with zeros. */
    static INDArray zeros(String slot, DataType t, long... shape) { return work(slot, t, shape).assign(0); }

    /**
     * A buffer for {@code slot} derived from {@code source} (compared by identity): inside a scope, {@code fill} runs
     * only when the source changes; outside, every call. Free it with {@link #release}.
     */
    static INDArray derived(String slot, Object source, DataType t, long[] shape, java.util.function.Consumer<INDArray> fill) {
        Scratch s = CURRENT.get();
        boolean filled = s != null && s.sources.get(slot) == source && java.util.Arrays.equals(s.shapes.get(slot), shape)
                && s.buffers.get(slot).dataType() == t;
        INDArray b = buffer(slot, t, shape);
        if (filled) return b;
        fill.accept(b);
        if (s != null) s.sources.put(slot, source);
        return b;
    }

    /** Frees a buffer that came from outside any scope (scope buffers stay for the next call). */
    static void release(INDArray b) {
        Scratch s = CURRENT.get();
        if (b == null) return;
        if (s != null) for (INDArray own : s.buffers.values()) if (own.data() == b.data()) return;   // a slot's buffer or a view of it
        b.close();
    }

    @Override public void close() {
        CURRENT.set(outer);
        for (INDArray b : buffers.values()) b.close();
        buffers.clear();
        sources.clear();
        shapes.clear();
    }
}
