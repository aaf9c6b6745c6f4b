package dev.jaclab.explore;

/**
 * One strategy at one batch size, as the {@link Explorer} measured it.
 *
 * <ul>
 * <li>{@code status}: {@code ok}, {@code refused} (the strategy declined, {@code reason} says why), {@code wrong} (it ran
 * but its blocks disagree with the exact reference beyond rounding: a sum-type strategy run unchecked on coupled
 * samples), {@code approx} (an estimator or partial Jacobian; its error is shown, not judged) or {@code failed}.</li>
 * <li>{@code millis}: median wall time of {@code Strategy.run} over the repeats (inputs, forward and checks excluded).</li>
 * <li>{@code rssPeakBytes}: the largest process resident set (JavaCPP {@code Pointer.physicalBytes()}, i.e. heap,
 * off-heap and native) sampled every millisecond during the runs, minus the resident set just before: extra physical
 * memory the strategy caused. Sampled, so short spikes can be missed.</li>
 * <li>{@code hwmBytes}: the kernel's resident high-water mark (VmHWM in /proc/self/status) after the runs. It is reset
 * before each measurement when /proc/self/clear_refs allows it ({@code hwmReset}); otherwise it is the peak since the
 * JVM started and only an upper bound.</li>
 * <li>{@code offHeapPeakBytes}: the largest JavaCPP-tracked off-heap allocation total ({@code Pointer.totalBytes()},
 * ND4J's buffers) during the runs, minus the total before.</li>
 * <li>predicted / counted sweeps and vectors: the strategy's {@code Cost} and the {@code Passes} difference over one run.</li>
 * <li>{@code maxError}: max |J − J_ref| against the exact reference strategy (NaN when not run).</li>
 * <li>{@code cpuMillis}: median CPU time of the running thread (other processes on the cores do not inflate it);
 * {@code predictedSeconds}: the cost model's time before calibration ({@code computeSeconds} + {@code overheadSeconds}:
 * work over this machine's rates, and ops × per-op time). Status {@code skipped}: predicted beyond the time cap.</li>
 * </ul>
 *
 * <pre>{@code
 * Report r = Explorer.of(Models.sin()).sizes(64).run();
 * Measurement m = r.measurements().get(0);
 * m.status(); m.millis(); m.maxError();
 * }</pre>
 */
public record Measurement(String strategy, long samples, String status, String reason, boolean exact, boolean sumType,
                          double millis, long rssPeakBytes, long hwmBytes, boolean hwmReset, long offHeapPeakBytes,
                          long predictedBytes, double predictedWork,
                          long predictedSweeps, long countedSweeps, long predictedVectors, long countedVectors,
                          double maxError, double cpuMillis, double predictedSeconds, double computeSeconds, double overheadSeconds) {
    public boolean ok() { return status.equals("ok"); }

    public boolean refused() { return status.equals("refused"); }

    public boolean wrong() { return status.equals("wrong"); }

    /** Whether a timing exists (the strategy ran, right or wrong). */
    public boolean ran() { return !refused() && !status.equals("failed") && !status.equals("skipped"); }
}
