package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;

/**
 * Adds up the {@link Work} of every primitive bound on this thread while the meter is open (scopes nest: each meter
 * sees what bound since it opened). The binder asks each primitive for its work from the physical shapes it ran on,
 * so a counted run and a prediction from the same primitives agree by construction.
 *
 * <pre>{@code
 * try (WorkMeter m = WorkMeter.open()) {
 *     x.sin().sum();
 *     m.work();          // sin: N·3 transcendental; sum: one gemm over the rows
 * }
 * }</pre>
 */
public final class WorkMeter implements AutoCloseable {
    private static final ThreadLocal<Work[]> TOTAL = new ThreadLocal<>();
    private static final ThreadLocal<Integer> OPEN = ThreadLocal.withInitial(() -> 0);
    private static volatile int anyOpen;
    private final Work start;

    private WorkMeter() {
        if (TOTAL.get() == null) TOTAL.set(new Work[]{Work.NONE});
        start = TOTAL.get()[0];
        OPEN.set(OPEN.get() + 1);
        synchronized (WorkMeter.class) { anyOpen++; }
    }

    /** A meter counting from now on this thread. */
    public static WorkMeter open() { return new WorkMeter(); }

    /** The work bound on this thread since this meter opened. */
    public Work work() {
        Work now = TOTAL.get()[0];
        return new Work(now.gemmFlops() - start.gemmFlops(), now.elementwise() - start.elementwise(), now.transcendental() - start.transcendental(),
                now.bytesRead() - start.bytesRead(), now.bytesWritten() - start.bytesWritten(), now.ops() - start.ops(), now.strided() - start.strided(),
                now.largeWrites() - start.largeWrites());
    }

    /** Adds work done outside the binder (a kernel called directly) to this thread's open meters. */
    public static void add(Work w) {
        if (anyOpen == 0 || OPEN.get() == 0) return;
        Work[] t = TOTAL.get();
        t[0] = t[0].plus(w);
    }

    /** Called by the binder for each bound primitive. */
    static void bound(Primitive p, NdArray[] in, NdArray out, int batchDims) {
        if (anyOpen == 0 || OPEN.get() == 0) return;
        long[][] shapes = new long[in.length][];
        for (int i = 0; i < in.length; i++) shapes[i] = in[i].shape();
        Work w = p.work(shapes, out.shape(), batchDims);
        if (w == null) throw new IllegalStateException(p.name() + ": the primitive does not state its work (Primitive.work)");
        Work b = w.inBytes(out.dtype().bytes());
        long outBytes = out.dtype().bytes();
        for (long s : out.shape()) outBytes *= s;
        add(outBytes >= Work.LARGE_ARRAY_BYTES ? b.writtenLarge() : b);     // a large fresh output: pages the host takes back
    }

    @Override public void close() {
        OPEN.set(OPEN.get() - 1);
        synchronized (WorkMeter.class) { anyOpen--; }
    }
}
