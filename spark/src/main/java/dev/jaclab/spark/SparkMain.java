package dev.jaclab.spark;

import dev.jaclab.explore.Model;
import dev.jaclab.nd.Backend;
import dev.jaclab.tensor.Tensor;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jaclab jacobian}: exact per-sample Jacobian blocks on a Spark cluster (or {@code local[*]}), written as
 * {@code .npy} shards. Bad input (unknown model or strategy, unreachable master, N not matching the inputs, a non-empty
 * output directory) prints one line and exits with status 2.
 *
 * <pre>{@code
 * bin/jaclab jacobian --model attention --n 65536 --strategy sparseRows --master spark://host:7077 --out /shared/blocks
 * }</pre>
 */
@Command(name = "jaclab jacobian", mixinStandardHelpOptions = true, version = "jaclab-spark 0.1.0",
        description = "Exact per-sample Jacobian blocks of a model on Apache Spark, one .npy shard per partition of sample rows.")
public final class SparkMain implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "built-in model (attention, attention2, mlp, ...) or class:NAME for a Model class on the executors' class path")
    String model;
    @Option(names = "--args", split = ",", description = "parameters of the model (numbers for a built-in, strings for a class)")
    String[] modelArgs = new String[0];
    @Option(names = "--n", description = "batch size N (the model's own inputs, or the rows of --inputs)")
    Long n;
    @Option(names = "--inputs", description = ".npy file with the batch x (N, n) for a model of one input")
    Path inputs;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the model's own inputs (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--strategy", defaultValue = "sparseRows", description = "sparseRows(C) or meetInMiddle(C), chunk C optional (default ${DEFAULT-VALUE})")
    String strategy;
    @Option(names = "--forward", defaultValue = "auto", description = "rows: the forward by ranges of query rows across the cluster, layer by layer "
            + "(models of attention layers); whole: every executor computes it whole; auto: rows where the model allows (default ${DEFAULT-VALUE})")
    String forward;
    @Option(names = "--master", defaultValue = "local[*]", description = "local[*], local[K] or spark://HOST:PORT (default ${DEFAULT-VALUE})")
    String master;
    @Option(names = "--out", required = true, description = "directory for the shards (new or empty; the same path on every executor)")
    Path out;
    @Option(names = "--partitions", defaultValue = "0", description = "partitions of sample rows (default: 2 per core, at least one per 16384 rows)")
    int partitions;
    @Option(names = "--threads", defaultValue = "0", description = "worker threads per executor (default: its cores)")
    int threads;
    @Option(names = "--executor-wait", defaultValue = "120", description = "seconds to wait for the first executor on a cluster (default ${DEFAULT-VALUE})")
    long executorWait;
    @Option(names = "--conf", description = "Spark setting KEY=VALUE (repeatable)")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override public Integer call() {
        ModelSpec spec = spec();
        SparkJacobian sj = SparkJacobian.of(spec).strategy(strategy).forward(forward).master(master).partitions(partitions).threads(threads).seed(seed)
                .executorWait(executorWait);
        conf.forEach(sj::conf);
        if (inputs != null) sj.inputs(readInputs(spec.model()));
        if (n != null) sj.samples(n);
        else if (inputs == null) throw new IllegalArgumentException("give --n N (the model's own inputs) or --inputs FILE.npy");
        SparkRun r = sj.writeShards(out);
        System.out.println(r.summary());
        return 0;
    }

    private ModelSpec spec() {
        if (model.startsWith("class:")) return ModelSpec.ofClass(model.substring(6), modelArgs);
        long[] p = new long[modelArgs.length];
        for (int i = 0; i < p.length; i++) {
            try {
                p[i] = Long.parseLong(modelArgs[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--args: '" + modelArgs[i] + "' is not a whole number (built-in models take numbers)");
            }
        }
        return ModelSpec.builtIn(model, p);
    }

    private Tensor readInputs(Model m) {
        if (!Files.isRegularFile(inputs)) throw new IllegalArgumentException("--inputs " + inputs + " is not a file");
        if (m.inputs(2, 0).length != 1) throw new IllegalArgumentException("--inputs: " + model + " takes several inputs; pass them from Java (SparkJacobian.inputs)");
        Backend.configure();
        INDArray a;
        try {
            a = Nd4j.createFromNpyFile(new File(inputs.toString()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--inputs " + inputs + " is not a readable .npy file (" + e.getMessage() + ")");
        }
        boolean f64 = a.dataType() == DataType.DOUBLE;
        double[] v = a.castTo(DataType.DOUBLE).data().asDouble();
        return SparkJacobian.tensor(f64 ? dev.jaclab.nd.DType.FLOAT64 : dev.jaclab.nd.DType.FLOAT32, v, a.shape());
    }

    /** The configured command line: one stderr line and status 2 on bad input. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("jaclab jacobian: " + ex.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            boolean usage = ex instanceof IllegalArgumentException;
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage().lines().findFirst().orElse(ex.toString());
            c.getErr().println("jaclab jacobian: " + (usage ? "" : "failed: ") + msg);
            c.getErr().flush();
            return usage ? CommandLine.ExitCode.USAGE : CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    public static int run(String... args) { return commandLine().execute(args); }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("jacobian")) args = java.util.Arrays.copyOfRange(args, 1, args.length);
        System.exit(run(args));
    }
}
