package dev.jaclab.nd;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reuse of the off-heap arrays an {@link Arena} frees. A fresh ND4J array costs a native allocation
 * (page faults included) plus a shape-info pointer that JavaCPP checks against the process's physical memory — on
 * small arrays more than the op itself (a (1024, 3) elementwise op: ~60 % of its time). Freed arrays up to
 * {@link #MAX_ARRAY_BYTES} go to this thread's free lists (at most {@link #MAX_PER_SHAPE} per dtype and shape and
 * {@link #MAX_THREAD_BYTES} in all: past that the lists are freed and refill from what recurs), and the next op asking
 * for that dtype and shape gets one back, uninitialised as a fresh one.
 *
 * <p>Large arrays (over {@link #MAX_ARRAY_BYTES}: a (2^20, 64) float32 intermediate is 256 MiB) are held only briefly:
 * at most {@link #MAX_LARGE} per thread, from when an arena frees them until the thread's next large request, which
 * gets one back when its dtype and element count match (packed in the shape asked for; the others stay held), and
 * when none does frees them all before anything large is made; the thread's
 * outermost arena frees them when it closes. A sweep then reuses the buffers of the cotangents and temporaries it has
 * just freed — a fresh large buffer costs a native allocation that zero-fills it, a page fault per 4 KiB and an unmap
 * when freed, more than half of the MLP's Jacobian at N = 2^20 — and what is held never adds to a later peak.
 *
 * <p>Safety: an array is pooled only when its arena found no live value sharing its buffer, and each recycling bumps
 * the buffer's generation; every {@link NdArray} records the generation of its buffer when made, so a wrapper or
 * view of a pooled (or since re-issued) buffer reads as closed: an op on it fails naming the op, exactly as on a
 * freed one, instead of reading another value's memory. An array already in a free list is not added again (two
 * owners of one buffer cannot make it issued twice).
 *
 * <pre>{@code
 * try (Arena arena = Arena.open()) {
 *     NdArray t = x.sin();          // its (1024, 3) buffer returns to the pool when the arena closes
 * }
 * NdArray u = x.cos();              // same dtype and shape: the buffer comes back, no allocation
 * }</pre>
 */
final class Pool {
    private Pool() {}

    private static final boolean HOST = !Backend.kind().equals("CUDA");
    /** Arrays larger than this are freed, not pooled. */
    static final long MAX_ARRAY_BYTES = 16L << 20;
    /** The most a thread's free lists hold; past it they are emptied (freed) and refill from what recurs. */
    static final long MAX_THREAD_BYTES = 64L << 20;
    /** Arrays kept per dtype and shape (freed arrays of shapes no op asks for again do not pile up). */
    static final int MAX_PER_SHAPE = 16;
    /** Large arrays a thread holds between its large requests. */
    static final int MAX_LARGE = 2;

    private static final class Key {
        final DataType type;
        final long[] shape;
        final int hash;

        Key(DataType type, long[] shape) {
            this.type = type;
            this.shape = shape;
            hash = 31 * type.hashCode() + Arrays.hashCode(shape);
        }

        @Override public boolean equals(Object o) { return o instanceof Key k && k.type == type && Arrays.equals(k.shape, shape); }

        @Override public int hashCode() { return hash; }
    }

    private static final class Free {
        final Map<Key, ArrayDeque<INDArray>> lists = new HashMap<>();
        long bytes;
        /** Large arrays (over {@link #MAX_ARRAY_BYTES}) freed since this thread's last large request, at most {@link #MAX_LARGE}. */
        final ArrayDeque<INDArray> large = new ArrayDeque<>();
    }

    /**
     * A buffer's recycling count, and the array that sits in a free list with it now (weakly: a free list of a thread
     * that ended is collected, its buffers freed by ND4J, and their addresses may come back for new arrays).
     */
    private static final class Lease {
        int generation;
        WeakReference<INDArray> pooled;

        boolean pooled() { return pooled != null && pooled.get() != null; }
    }

    private static final ThreadLocal<Free> FREE = ThreadLocal.withInitial(Free::new);
    /** Buffer address → lease, for every buffer ever pooled (addresses are unique while a buffer lives). */
    private static final Map<Long, Lease> LEASES = new ConcurrentHashMap<>();

    /** An uninitialised packed (c-order) array: a pooled one of this dtype and shape when this thread has one. */
    static INDArray uninitialized(DataType t, long... shape) {
        Free f = FREE.get();
        if (!f.large.isEmpty() && Shapes.numel(shape) * t.width() > MAX_ARRAY_BYTES) {
            INDArray match = null;
            long n = Shapes.numel(shape);
            for (INDArray a : f.large) if (match == null && a.dataType() == t && a.length() == n) match = a;
            if (match == null) {                                    // none fits: all are freed before anything large is made,
                flushLarge(f);                                      // the small lists too (large arrays are what is live now)
                if (f.bytes > 0) flush(f);
            }
            else {
                f.large.remove(match);                              // the others stay for the next large request
                unlease(match);                                     // the same buffer, packed in the shape asked for
                return Arrays.equals(match.shape(), shape) ? match : Nd4j.create(match.data(), shape);
            }
        }
        if (f.bytes > 0) {
            ArrayDeque<INDArray> q = f.lists.get(new Key(t, shape));
            if (q != null && !q.isEmpty()) {
                INDArray a = q.pop();
                f.bytes -= bytes(a);
                unlease(a);
                return a;
            }
        }
        return Nd4j.createUninitialized(t, shape);
    }

    /**
     * Takes an owner array whose values are dead: true when it is pooled now (or was already), false when it is not
     * eligible (a view, too large, the thread's lists full, another backend) and the caller frees it.
     */
    static boolean recycle(INDArray a) {
        if (!HOST || a.isView() || a.wasClosed() || a.isEmpty() || a.ordering() != 'c' || a.offset() != 0) return false;
        long b = bytes(a);
        if (b == 0) return false;
        long at = address(a);
        if (at == 0) return false;
        Lease l = LEASES.computeIfAbsent(at, k -> new Lease());
        synchronized (l) {
            if (l.pooled()) return true;                          // its buffer is in a free list already
        }
        Free f = FREE.get();
        if (b > MAX_ARRAY_BYTES) {
            if (f.large.size() >= MAX_LARGE) return false;
            lease(l, a);
            f.large.push(a);
            return true;
        }
        Key key = new Key(a.dataType(), a.shape());
        ArrayDeque<INDArray> q = f.lists.get(key);
        if (q != null && q.size() >= MAX_PER_SHAPE) return false;
        if (f.bytes + b > MAX_THREAD_BYTES) flush(f);
        q = f.lists.computeIfAbsent(key, k -> new ArrayDeque<>());
        lease(l, a);
        q.push(a);
        f.bytes += b;
        return true;
    }

    private static void lease(Lease l, INDArray a) {
        synchronized (l) {
            l.pooled = new WeakReference<>(a);
            l.generation++;
        }
    }

    private static void unlease(INDArray a) {
        Lease l = LEASES.get(address(a));
        synchronized (l) {
            l.pooled = null;
        }
    }

    /** Frees the large arrays this thread holds. */
    private static void flushLarge(Free f) {
        for (INDArray a : f.large) {
            unlease(a);
            a.close();
        }
        f.large.clear();
    }

    /** Frees the large arrays this thread holds (its outermost arena closed: no later op of that region will ask for them). */
    static void releaseLarge() {
        Free f = FREE.get();
        if (!f.large.isEmpty()) flushLarge(f);
    }

    /** Frees every array this thread holds: the large ones and the free lists. */
    static void releaseAll() {
        Free f = FREE.get();
        flushLarge(f);
        flush(f);
    }

    /** Frees every array in this thread's free lists. */
    private static void flush(Free f) {
        for (ArrayDeque<INDArray> q : f.lists.values())
            for (INDArray a : q) {
                Lease l = LEASES.get(address(a));
                synchronized (l) {
                    l.pooled = null;
                }
                a.close();
            }
        f.lists.clear();
        f.bytes = 0;
    }

    /** The generation of the buffer {@code a} lives in: 0 until it is first pooled, then bumped at each recycling. */
    static int generation(INDArray a) {
        if (LEASES.isEmpty()) return 0;
        long at = address(a);
        Lease l = at == 0 ? null : LEASES.get(at);
        if (l == null) return 0;
        synchronized (l) {
            return l.generation;
        }
    }

    /** Bytes held in this thread's free lists. */
    static long pooledBytes() { return FREE.get().bytes; }

    private static long bytes(INDArray a) { return a.length() * a.dataType().width(); }

    /** The address of the buffer an array lives in (0 when it is empty, shape-only or already released). */
    static long address(INDArray a) {
        try {
            if (a.isEmpty()) return 0;
            var d = a.data();
            return d.originalDataBuffer() != null ? d.originalDataBuffer().address() : d.address();
        } catch (IllegalStateException released) {
            return 0;
        }
    }
}
