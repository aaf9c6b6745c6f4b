package dev.jaclab.spark;

import dev.jaclab.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * What a {@link SparkJacobian} run produced: the blocks (N, m, n) when assembled on the driver, or the shard directory,
 * and where the time went (each executor's one forward, each partition's blocks).
 *
 * <pre>{@code
 * SparkRun r = SparkJacobian.of(ModelSpec.builtIn("attention")).samples(1024).blocks();
 * r.blocks();     // (1024, 3, 3)
 * r.summary();    // one line: N, partitions, executors, forward and block seconds
 * }</pre>
 */
public record SparkRun(String model, long samples, List<RowBlocks> partitions, Tensor blocks, Path directory, double wallSeconds) {

    /** Seconds each executor spent on its forward, by executor id. */
    public TreeMap<String, Double> forwardSecondsByExecutor() {
        TreeMap<String, Double> t = new TreeMap<>();
        for (RowBlocks r : partitions) if (r.forwardSeconds() > 0) t.merge(r.executor(), r.forwardSeconds(), Double::sum);
        return t;
    }

    /** Seconds spent on blocks, summed over the partitions (the work that splits). */
    public double blockSeconds() { return partitions.stream().mapToDouble(RowBlocks::blockSeconds).sum(); }

    /** The largest single forward (every executor records the whole batch once). */
    public double forwardSeconds() { return forwardSecondsByExecutor().values().stream().mapToDouble(Double::doubleValue).max().orElse(0); }

    /** The largest peak resident memory any executor process reported (MiB). */
    public long peakRssMib() { return partitions.stream().mapToLong(RowBlocks::peakRssMib).max().orElse(-1); }

    public int executors() { return (int) partitions.stream().map(RowBlocks::executor).distinct().count(); }

    public String summary() {
        return String.format("%s N=%d: %d partitions on %d executor(s), forward %.2f s per executor, blocks %.2f s summed over partitions, peak RSS %d MiB per executor, wall %.2f s%s",
                model, samples, partitions.size(), executors(), forwardSeconds(), blockSeconds(), peakRssMib(), wallSeconds,
                directory == null ? "" : ", shards in " + directory);
    }
}
