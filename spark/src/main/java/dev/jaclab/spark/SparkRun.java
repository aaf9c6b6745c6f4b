package dev.jaclab.spark;

import dev.jaclab.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * What a {@link SparkJacobian} run produced: the blocks (N, m, n) when assembled on the driver, or the shard directory,
 * and where the time went: the start (the Spark context and its executors registered: {@code startSeconds}, part of
 * {@code wallSeconds}), the distributed forward's stages, each executor's tape, each partition's blocks.
 *
 * <pre>{@code
 * SparkRun r = SparkJacobian.of(ModelSpec.builtIn("attention")).samples(1024).blocks();
 * r.blocks();     // (1024, 3, 3)
 * r.summary();    // one line: N, partitions, executors, forward and block seconds
 * }</pre>
 */
public record SparkRun(String model, long samples, List<RowBlocks> partitions, Tensor blocks, Path directory, double wallSeconds, double startSeconds,
                       Stages forwardStages) {

    /**
     * The distributed forward's stages (one per attention layer, plus layer 0's keys and values): their count, the
     * driver's wall time over all of them, the tasks' seconds summed, the longest task, and the tasks' CPU seconds summed.
     */
    public record Stages(int count, double wallSeconds, double taskSeconds, double longestTaskSeconds, double taskCpuSeconds) implements java.io.Serializable {}

    /** Whether the forward was computed by ranges of rows across the cluster (else every executor computed it whole). */
    public boolean distributedForward() { return forwardStages != null; }

    /** Seconds each executor spent recording its tape (with the whole forward, or from the gathered state), by executor id. */
    public TreeMap<String, Double> forwardSecondsByExecutor() {
        TreeMap<String, Double> t = new TreeMap<>();
        for (RowBlocks r : partitions) if (r.forwardSeconds() > 0) t.merge(r.executor(), r.forwardSeconds(), Double::sum);
        return t;
    }

    /** Seconds spent on blocks, summed over the partitions (the work that splits). */
    public double blockSeconds() { return partitions.stream().mapToDouble(RowBlocks::blockSeconds).sum(); }

    /** CPU seconds of the partitions' threads on the blocks, summed. */
    public double blockCpuSeconds() { return partitions.stream().mapToDouble(RowBlocks::blockCpuSeconds).sum(); }

    /** The longest tape recording of an executor (each records the whole batch's tape once). */
    public double forwardSeconds() { return forwardSecondsByExecutor().values().stream().mapToDouble(Double::doubleValue).max().orElse(0); }

    /** The largest peak resident memory any executor process reported (MiB). */
    public long peakRssMib() { return partitions.stream().mapToLong(RowBlocks::peakRssMib).max().orElse(-1); }

    /** The job's wall seconds once the executors were up: {@code wallSeconds} without the start. */
    public double jobSeconds() { return wallSeconds - startSeconds; }

    public int executors() { return (int) partitions.stream().map(RowBlocks::executor).distinct().count(); }

    public String summary() {
        String fwd = forwardStages == null ? String.format("forward %.2f s per executor", forwardSeconds())
                : String.format("distributed forward %d stages %.2f s (tasks %.2f s summed, %.2f s CPU, longest %.2f s), tape %.2f s per executor", forwardStages.count(),
                forwardStages.wallSeconds(), forwardStages.taskSeconds(), forwardStages.taskCpuSeconds(), forwardStages.longestTaskSeconds(), forwardSeconds());
        return String.format("%s N=%d: %d partitions on %d executor(s), %s, blocks %.2f s summed over partitions (%.2f s CPU), peak RSS %d MiB per executor, wall %.2f s (start %.2f s, job %.2f s)%s",
                model, samples, partitions.size(), executors(), fwd, blockSeconds(), blockCpuSeconds(), peakRssMib(), wallSeconds, startSeconds, jobSeconds(),
                directory == null ? "" : ", shards in " + directory);
    }
}
