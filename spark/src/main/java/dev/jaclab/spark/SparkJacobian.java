package dev.jaclab.spark;

import dev.jaclab.explore.Model;
import dev.jaclab.nd.Backend;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Exact per-sample Jacobian blocks of a model across a batch, computed by an Apache Spark cluster (or an embedded
 * {@code local[*]} one): the inputs are broadcast once; the forward of a model made of attention layers is computed by
 * ranges of query rows, layer by layer, and gathered ({@link DistributedForward}; other models' executors compute it
 * whole); every executor records the model's tape on the whole batch from it, each partition computes the blocks of
 * its range of sample rows ({@code Jacobian.perSampleRows} with a strategy that
 * splits by rows), and the driver either assembles (N, m, n) or checks the {@code .npy} shards every partition wrote
 * to a directory all executors can reach.
 *
 * <pre>{@code
 * Tensor J = SparkJacobian.of(ModelSpec.builtIn("attention")).samples(4096).blocks().blocks();      // local[*]
 * SparkRun r = SparkJacobian.of(ModelSpec.builtIn("attention")).samples(65536).master("spark://host:7077")
 *         .partitions(64).writeShards(Path.of("/shared/blocks"));
 * }</pre>
 *
 * The model travels as a {@link ModelSpec} (a built-in or a class on the executors' class path): models, classes and
 * lambdas defined in a notebook cannot be sent to executors.
 */
public final class SparkJacobian {
    private final ModelSpec spec;
    private long samples = -1, seed = 1;
    private Tensor[] inputs;
    private String strategy = "sparseRows", master = "local[*]", forward = "auto";
    private int partitions = 0, threads = 0;
    private long executorWaitSeconds = 120;
    private JavaSparkContext context;
    private final Map<String, String> conf = new LinkedHashMap<>();

    private SparkJacobian(ModelSpec spec) { this.spec = spec; }

    public static SparkJacobian of(ModelSpec spec) { return new SparkJacobian(spec); }

    /** Batch size N; the inputs are the model's own {@code inputs(N, seed)} unless {@link #inputs} gives them. */
    public SparkJacobian samples(long n) { samples = n; return this; }

    public SparkJacobian seed(long s) { seed = s; return this; }

    /** The batch itself (every input of the model; N rows along dim 0). */
    public SparkJacobian inputs(Tensor... in) { inputs = in.clone(); return this; }

    /** sparseRows (default) or meetInMiddle, with an optional chunk size: "sparseRows(64)". */
    public SparkJacobian strategy(String name) { Forward.strategy(name); strategy = name; return this; }

    /**
     * How the forward is computed: {@code rows} — by ranges of query rows across the cluster, layer by layer
     * ({@link DistributedForward}; models made of {@link dev.jaclab.explore.AttentionLayers}); {@code whole} — every
     * executor computes the whole forward itself; {@code auto} (default) — rows where the model allows it.
     */
    public SparkJacobian forward(String mode) {
        if (!mode.equals("auto") && !mode.equals("rows") && !mode.equals("whole"))
            throw new IllegalArgumentException("unknown forward '" + mode + "' (auto, rows or whole)");
        forward = mode;
        return this;
    }

    /** {@code local[*]} (default, in this JVM), {@code local[K]} or {@code spark://HOST:PORT}. */
    public SparkJacobian master(String url) { master = url; return this; }

    /** Runs on an existing context (not stopped afterwards); master and conf are then the context's. */
    public SparkJacobian context(JavaSparkContext sc) { context = sc; return this; }

    /** Partitions of sample rows (default: twice the cluster's cores, at least one per 16384 rows). */
    public SparkJacobian partitions(int p) { partitions = p; return this; }

    /** Worker threads per executor for a partition's chunks (default: local[K] → K; otherwise the executor's cores). */
    public SparkJacobian threads(int t) { threads = t; return this; }

    /** How long a cluster run waits for its first executor before giving up with a clear error (default 120 s). */
    public SparkJacobian executorWait(long seconds) { executorWaitSeconds = seconds; return this; }

    /** A Spark setting (spark.executor.memory, spark.executor.extraClassPath, ...). */
    public SparkJacobian conf(String key, String value) { conf.put(key, value); return this; }

    /** Blocks assembled on the driver: {@link SparkRun#blocks()} is (N, m, n). */
    public SparkRun blocks() { return run(null); }

    /**
     * Blocks written as one {@code part-NNNNN.npy} per partition into {@code dir} (created; must be empty, and
     * reachable at the same path from every executor), then {@code shards.csv} once all are checked.
     */
    public SparkRun writeShards(Path dir) { return run(dir.toAbsolutePath().normalize()); }

    /** A new or empty directory for the shards (checked after everything else, so bad input leaves nothing behind). */
    private static void prepare(Path d) {
        try {
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException("the output directory " + d + " is not empty; name a new or empty one");
                }
            } else if (Files.exists(d)) throw new IllegalArgumentException("the output path " + d + " is a file, not a directory");
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + d + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs with this module's class loader as the thread's context loader: in a notebook, where the module's jars were
     * added to the cell class path, Spark's local executor then finds the task classes.
     */
    private SparkRun run(Path out) {
        Thread t = Thread.currentThread();
        ClassLoader old = t.getContextClassLoader();
        t.setContextClassLoader(SparkJacobian.class.getClassLoader());
        try {
            return runHere(out);
        } finally {
            t.setContextClassLoader(old);
        }
    }

    private SparkRun runHere(Path out) {
        Backend.configure();
        Model model = spec.model();
        Tensor[] in = inputs != null ? inputs : model.inputs(checkedSamples(), seed);
        long n = in[model.inputIndex()].size(0);
        if (samples >= 0 && inputs != null && samples != n)
            throw new IllegalArgumentException("N = " + samples + " does not match the inputs' " + n + " rows (input " + model.inputIndex() + " of " + spec.describe() + ")");
        if (inputs != null && in.length != model.inputs(2, 0).length)
            throw new IllegalArgumentException(spec.describe() + " takes " + model.inputs(2, 0).length + " inputs, got " + in.length);
        Inputs batch = Inputs.of(in);
        if (forward.equals("rows")) DistributedForward.layers(spec);   // refused here, before Spark starts
        boolean own = context == null;
        if (own) Masters.checkReachable(master);
        boolean created = out != null && !Files.exists(out);
        if (out != null) prepare(out);
        try {
            return runJob(out, batch, n, own);
        } catch (RuntimeException e) {
            if (created) removeIfEmpty(out);   // a run that failed before any shard leaves nothing behind
            throw e;
        }
    }

    private static void removeIfEmpty(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            if (s.findAny().isEmpty()) Files.delete(d);
        } catch (IOException ignored) {
            // left as it is
        }
    }

    private SparkRun runJob(Path out, Inputs batch, long n, boolean own) {
        long t0 = System.nanoTime();
        JavaSparkContext sc = own ? new JavaSparkContext(sparkConf(n)) : context;
        try {
            if (own) awaitExecutor(sc);
            double start = (System.nanoTime() - t0) / 1e9;
            int p = partitions > 0 ? partitions : (int) Math.max(2L * sc.defaultParallelism(), (n + 16383) / 16384);
            p = (int) Math.min(p, n);
            List<long[]> ranges = new ArrayList<>();
            for (int i = 0; i < p; i++) ranges.add(new long[]{i, n * i / p, n * (i + 1) / p});
            String job = UUID.randomUUID().toString();
            Broadcast<Inputs> b = sc.broadcast(batch);
            DistributedForward.Result fwd = distributes() ? DistributedForward.run(sc, spec, b, ranges) : null;
            Broadcast<Inputs> state = fwd == null ? null : sc.broadcast(fwd.state());
            sc.setJobDescription("per-sample Jacobian blocks of " + spec.describe() + ", N = " + n + ", " + strategy + ", " + p + " partitions");
            List<RowBlocks> parts = sc.parallelize(ranges, p)
                    .map(new PartitionTask(job, spec, b, state, strategy, out == null ? null : out.toString(), taskThreads(sc)))
                    .collect();
            double wall = (System.nanoTime() - t0) / 1e9;
            List<RowBlocks> ordered = Assembly.checkOnce(parts, ranges);
            b.destroy();
            if (state != null) state.destroy();
            SparkRun.Stages stages = fwd == null ? null : fwd.stages();
            if (out != null) {
                for (RowBlocks r : ordered) NpyShards.verify(out, r);
                NpyShards.removeTemporaries(out);
                NpyShards.writeIndex(out, ordered);
                return new SparkRun(spec.describe(), n, ordered, null, out, wall, start, stages);
            }
            return new SparkRun(spec.describe(), n, ordered, Assembly.assemble(ordered, n, batch.dtype()), null, wall, start, stages);
        } finally {
            if (own) {
                sc.stop();
                Forward.clear();
            }
        }
    }

    /** Whether this run computes the forward by ranges of rows (rows, or auto on a model of attention layers). */
    private boolean distributes() {
        return forward.equals("rows") || (forward.equals("auto") && spec.model() instanceof dev.jaclab.explore.AttentionLayers);
    }

    /** A master without free workers would leave the job waiting forever: fail with the reason instead. */
    private void awaitExecutor(JavaSparkContext sc) {
        if (sc.master().startsWith("local")) return;
        long deadline = System.nanoTime() + executorWaitSeconds * 1_000_000_000L;
        while (sc.sc().statusTracker().getExecutorInfos().length < 2) {   // the driver counts as one
            if (System.nanoTime() > deadline)
                throw new IllegalArgumentException("no executor started within " + executorWaitSeconds + " s at " + sc.master()
                        + ": the master has no worker with free cores and spark.executor.memory (" + sc.getConf().get("spark.executor.memory", "1g") + ")");
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
        }
    }

    private long checkedSamples() {
        if (samples < 1) throw new IllegalArgumentException("SparkJacobian: give the batch size (samples(N), N ≥ 1) or the inputs");
        return samples;
    }

    private int taskThreads(JavaSparkContext sc) {
        if (threads > 0) return threads;
        String m = sc.master();
        if (m.startsWith("local")) return m.equals("local") ? 1 : m.startsWith("local[*") ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(m.replaceAll("local\\[([0-9]+).*", "$1"));
        return sc.getConf().getInt("spark.executor.cores", 0);   // 0: the executor's own core count
    }

    private SparkConf sparkConf(long n) {
        SparkConf c = new SparkConf().setAppName("jaclab jacobian " + spec.describe() + " N=" + n + " " + strategy).setMaster(master)
                .set("spark.ui.showConsoleProgress", "true").set("spark.ui.enabled", "false")
                .set("spark.executorEnv.OMP_NUM_THREADS", "1").set("spark.executor.memory", "2g");
        String cp = executorClassPath();
        if (cp != null && !master.startsWith("local")) c.set("spark.executor.extraClassPath", cp);
        conf.forEach(c::set);
        return c;
    }

    /**
     * Where executors find JacLab: {@code -Djaclab.spark.classpath} (bin/jaclab sets it), else this module's jar and the
     * {@code lib/} beside it (spark/target), the same paths on every worker; null when neither applies (set
     * {@code spark.executor.extraClassPath} yourself).
     */
    static String executorClassPath() {
        String cp = System.getProperty("jaclab.spark.classpath");
        if (cp != null && !cp.isBlank()) return cp;
        try {
            Path jar = Path.of(SparkJacobian.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path lib = jar.resolveSibling("lib");
            if (Files.isRegularFile(jar) && Files.isDirectory(lib)) return jar + java.io.File.pathSeparator + lib + java.io.File.separator + "*";
        } catch (Exception e) {
            return null;
        }
        return null;
    }

    /** Values as a tensor of the given dtype and shape (helper for {@link Assembly}). */
    static Tensor tensor(dev.jaclab.nd.DType t, double[] v, long... shape) { return Tensor.wrap(NdArray.fromDoubles(t, v, shape)); }
}
