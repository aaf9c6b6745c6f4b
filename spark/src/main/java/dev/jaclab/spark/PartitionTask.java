package dev.jaclab.spark;

import java.nio.file.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * What one Spark task runs: the blocks of its range of sample rows, from this executor's recorded tape
 * ({@link Forward}, recorded on the executor's first task of the job, from the gathered distributed forward if any), returned to the driver or written as one
 * {@code .npy} shard (atomically; see {@link NpyShards#write}).
 */
final class PartitionTask implements Function<long[], RowBlocks> {
    private static final long serialVersionUID = 1L;
    private final String job;
    private final ModelSpec spec;
    private final Broadcast<Inputs> inputs;
    private final Broadcast<Inputs> state;   // the distributed forward's gathered state, or null
    private final String strategy;
    private final String outDir;
    private final int threads;

    PartitionTask(String job, ModelSpec spec, Broadcast<Inputs> inputs, Broadcast<Inputs> state, String strategy, String outDir, int threads) {
        this.job = job;
        this.spec = spec;
        this.inputs = inputs;
        this.state = state;
        this.strategy = strategy;
        this.outDir = outDir;
        this.threads = threads;
    }

    /** range = {partition, from, to}. */
    @Override public RowBlocks call(long[] range) {
        int partition = (int) range[0];
        long from = range[1], to = range[2];
        Inputs in = inputs.value();
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Forward f = Forward.of(job, spec, in, state == null ? null : state.value(), t);
        long t1 = System.nanoTime();
        double c1 = RowBlocks.threadCpuSeconds();
        double[] v = f.rows(strategy, from, to);
        double blockSeconds = (System.nanoTime() - t1) / 1e9, blockCpu = RowBlocks.threadCpuSeconds() - c1;
        double forwardSeconds = f.claimSeconds();
        SparkEnv env = SparkEnv.get();
        String executor = env != null ? env.executorId() : "?";
        RowBlocks r = new RowBlocks(partition, from, to, f.outputWidth, f.inputWidth, in.dtype(), v, null, RowBlocks.crc(in.dtype(), v),
                executor, forwardSeconds, blockSeconds, blockCpu, RowBlocks.processPeakRssMib());
        if (outDir == null) return r;
        TaskContext tc = TaskContext.get();
        NpyShards.write(Path.of(outDir), partition, tc != null ? tc.taskAttemptId() : 0, in.dtype(), v, to - from, f.outputWidth, f.inputWidth);
        return r.withoutValues(NpyShards.fileName(partition));
    }
}
