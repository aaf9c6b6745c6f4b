package dev.jaclab.autodiff;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts sweeps over the tape: each reverse (VJP) or forward (JVP) sweep, and how many cotangent / tangent vectors
 * it carried (a batched sweep of B vectors counts one sweep and B vectors). Strategies compare these with their
 * predicted cost.
 *
 * <pre>{@code
 * Passes.reset();
 * Autograd.vjp(y, x, cot, true);
 * Passes.snapshot();    // Counts[reverseSweeps=1, reverseVectors=3, forwardSweeps=0, forwardVectors=0]
 * }</pre>
 */
public final class Passes {
    private static final AtomicLong REV_SWEEPS = new AtomicLong(), REV_VECTORS = new AtomicLong();
    private static final AtomicLong FWD_SWEEPS = new AtomicLong(), FWD_VECTORS = new AtomicLong();

    private Passes() {}

    /** A snapshot of the counters. */
    public record Counts(long reverseSweeps, long reverseVectors, long forwardSweeps, long forwardVectors) {
        public Counts minus(Counts o) {
            return new Counts(reverseSweeps - o.reverseSweeps, reverseVectors - o.reverseVectors,
                    forwardSweeps - o.forwardSweeps, forwardVectors - o.forwardVectors);
        }
    }

    public static void countReverse(long vectors) { REV_SWEEPS.incrementAndGet(); REV_VECTORS.addAndGet(vectors); }

    public static void countForward(long vectors) { FWD_SWEEPS.incrementAndGet(); FWD_VECTORS.addAndGet(vectors); }

    public static Counts snapshot() { return new Counts(REV_SWEEPS.get(), REV_VECTORS.get(), FWD_SWEEPS.get(), FWD_VECTORS.get()); }

    public static void reset() { REV_SWEEPS.set(0); REV_VECTORS.set(0); FWD_SWEEPS.set(0); FWD_VECTORS.set(0); }
}
