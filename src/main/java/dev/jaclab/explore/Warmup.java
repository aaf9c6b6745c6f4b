package dev.jaclab.explore;

import dev.jaclab.jacobian.Rates;

/**
 * Runs a call repeatedly until this thread has spent a given CPU time in it, so that the JIT has compiled what the
 * call runs before anything is timed. One call is not enough: a strategy that runs a few chunks at a small N calls
 * its per-op code a few dozen times, which leaves that code interpreted or at its first compilation tier, and a
 * per-op cost fitted on it is two to three times what the same ops cost at a large N, where the compiled code runs.
 * About a second (a few hundred calls of a small problem) brings the per-call time to where it stays.
 *
 * <pre>{@code
 * Jacobian j = Jacobian.of(y, x);
 * int calls = Warmup.run(() -> j.perSample(Strategies.sparseRows(256)), Warmup.SECONDS);
 * }</pre>
 */
public final class Warmup {
    /** The CPU seconds the explorer and the cost benchmark spend warming a strategy up at their smallest size. */
    public static final double SECONDS = 1.0;
    private static final int MAX_CALLS = 10_000;

    private Warmup() {}

    /** Calls {@code call} at least once and until {@code cpuSeconds} of this thread's CPU time are spent; returns the calls made. */
    public static int run(Runnable call, double cpuSeconds) {
        long t0 = Rates.cpuNanos(), budget = (long) (cpuSeconds * 1e9);
        int k = 0;
        do {
            call.run();
            k++;
        } while (Rates.cpuNanos() - t0 < budget && k < MAX_CALLS);
        return k;
    }
}
