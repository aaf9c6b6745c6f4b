package dev.jaclab.autodiff;

/**
 * Counts sweeps over the tape: each reverse (VJP) or forward (JVP) sweep, and how many cotangent / tangent vectors
 * it carried (a batched sweep of B vectors counts one sweep and B vectors). Strategies compare these with their
 * predicted cost.
 *
 * <p>The counters belong to the calling thread: a sweep adds to the counts of the thread that runs it, so Jacobians
 * computed on several threads at once never see each other's sweeps. Code that hands sweeps to worker threads adds
 * the workers' counts to its own with {@link #add} (the chunk workers of the row-sparse strategies do).
 *
 * <pre>{@code
 * Passes.reset();
 * Autograd.vjp(y, x, cot, true);
 * Passes.snapshot();    // Counts[reverseSweeps=1, reverseVectors=3, forwardSweeps=0, forwardVectors=0]
 * }</pre>
 */
public final class Passes {
    /** This thread's reverse sweeps, reverse vectors, forward sweeps, forward vectors. */
    private static final ThreadLocal<long[]> COUNTS = ThreadLocal.withInitial(() -> new long[4]);

    private Passes() {}

    /** A snapshot of the counters. */
    public record Counts(long reverseSweeps, long reverseVectors, long forwardSweeps, long forwardVectors) {
        public Counts minus(Counts o) {
            return new Counts(reverseSweeps - o.reverseSweeps, reverseVectors - o.reverseVectors,
                    forwardSweeps - o.forwardSweeps, forwardVectors - o.forwardVectors);
        }
    }

    /** One reverse sweep carrying {@code vectors} cotangents, on this thread. */
    public static void countReverse(long vectors) { if (dev.jaclab.tensor.ShapeTrace.active()) return; long[] c = COUNTS.get(); c[0]++; c[1] += vectors; }

    /** One forward sweep carrying {@code vectors} tangents, on this thread. */
    public static void countForward(long vectors) { if (dev.jaclab.tensor.ShapeTrace.active()) return; long[] c = COUNTS.get(); c[2]++; c[3] += vectors; }

    /** This thread's counts so far. */
    public static Counts snapshot() { long[] c = COUNTS.get(); return new Counts(c[0], c[1], c[2], c[3]); }

    /** Adds counts taken on another thread (a worker's sweeps done for this thread) to this thread's. */
    public static void add(Counts c) {
        long[] k = COUNTS.get();
        k[0] += c.reverseSweeps();
        k[1] += c.reverseVectors();
        k[2] += c.forwardSweeps();
        k[3] += c.forwardVectors();
    }

    /** Sets this thread's counters to zero. */
    public static void reset() { java.util.Arrays.fill(COUNTS.get(), 0); }
}
