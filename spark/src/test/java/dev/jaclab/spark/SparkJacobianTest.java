package dev.jaclab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.explore.Model;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocks from an embedded local[2] Spark against the single-JVM blocks; shards, checks and bad input. */
class SparkJacobianTest {

    static Tensor localBlocks(Model m, long n, long seed, String strategy) {
        Tensor[] in = m.inputs(n, seed);
        Tensor x = in[m.inputIndex()].requiresGrad();
        return Jacobian.of(m.forward(in)[m.outputIndex()], x).perSample(Forward.strategy(strategy));
    }

    /** Agreement to 1e-6 of the largest entry (float32 blocks summed in other chunk groupings). */
    static void assertClose(Tensor want, Tensor got) {
        double scale = Math.max(1, want.abs().max().toDoubleArray()[0]), d = got.maxAbsDiff(want);
        assertTrue(d <= 1e-6 * scale, "largest difference " + d + " for entries up to " + scale);
    }

    @Test void attentionBlocksAssembledOnTheDriverMatchOneJvm() {
        SparkRun r = SparkJacobian.of(ModelSpec.builtIn("attention")).samples(512).master("local[2]").partitions(5).blocks();
        Tensor want = localBlocks(ModelSpec.builtIn("attention").model(), 512, 1, "sparseRows");
        assertArrayEquals(new long[]{512, 3, 3}, r.blocks().shape());
        assertClose(want, r.blocks());
        assertEquals(5, r.partitions().size());
        assertTrue(r.forwardSeconds() > 0 && r.blockSeconds() > 0, r.summary());
        assertTrue(r.distributedForward(), r.summary());                  // layer 0's keys and values, then the layer's rows
        assertEquals(2, r.forwardStages().count());
        assertTrue(r.summary().contains("distributed forward 2 stages"), r.summary());
    }

    @Test void theForwardByRowsAndTheWholeForwardGiveTheSameBlocks() {
        SparkRun rows = SparkJacobian.of(ModelSpec.builtIn("attention")).samples(256).forward("rows").master("local[2]").partitions(3).blocks();
        SparkRun whole = SparkJacobian.of(ModelSpec.builtIn("attention")).samples(256).forward("whole").master("local[2]").partitions(3).blocks();
        assertFalse(whole.distributedForward());
        assertTrue(whole.summary().contains("forward ") && !whole.summary().contains("distributed"), whole.summary());
        assertClose(whole.blocks(), rows.blocks());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkJacobian.of(ModelSpec.builtIn("mlp")).samples(64).forward("rows").blocks());
        assertTrue(e.getMessage().contains("is not made of attention layers"), e.getMessage());
    }

    @Test void twoLayerShardsWithMeetInMiddleMatchOneJvm(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("blocks");
        SparkRun r = SparkJacobian.of(ModelSpec.builtIn("attention2")).samples(300).seed(3).strategy("meetInMiddle").master("local[2]")
                .partitions(4).writeShards(out);
        assertEquals(out, r.directory());
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("part-00000.npy", "part-00001.npy", "part-00002.npy", "part-00003.npy", "shards.csv"), names);
        }
        assertEquals(3, r.forwardStages().count(), r.summary());        // K_0 V_0; layer 0 (with its row statistics); layer 1
        Tensor got = NpyShards.read(out);
        Tensor want = localBlocks(ModelSpec.builtIn("attention2").model(), 300, 3, "meetInMiddle");
        assertClose(want, got);
        // ShardCheck recomputes the single-JVM blocks (float32: a JVM's first meetInMiddle run may differ from later ones by an ulp)
        assertEquals(got.maxAbsDiff(want), ShardCheck.maxDifference(ModelSpec.builtIn("attention2"), 300, 3, "meetInMiddle", out), 1e-6);
    }

    @Test void aUserClassTravelsByNameWithItsArguments() {
        ModelSpec spec = ModelSpec.ofClass(ScaledSin.class, "0.5");
        Tensor x = Tensor.randn(9, 64, 2);
        SparkRun r = SparkJacobian.of(spec).inputs(x).master("local[2]").partitions(3).blocks();
        Tensor want = localBlocks(new ScaledSin("0.5"), 64, 9, "sparseRows");   // inputs(64, 9) is the same x
        assertClose(want, r.blocks());
    }

    @Test void modelsThatCannotTravelAreRefusedWithTheReason() {
        Model anonymous = new Model() {
            @Override public String name() { return "anon"; }
            @Override public Tensor[] inputs(long n, long s) { return new Tensor[]{Tensor.randn(s, n, 3)}; }
            @Override public Tensor[] forward(Tensor... in) { return in; }
            @Override public boolean coupled() { return false; }
        };
        @SuppressWarnings("unchecked") Class<? extends Model> type = (Class<? extends Model>) anonymous.getClass();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.ofClass(type));
        assertTrue(e.getMessage().contains("anonymous or lambda"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.ofClass("com.example.NotThere"));
        assertTrue(e.getMessage().contains("not on this JVM's class path") && e.getMessage().contains("JShell"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.builtIn("transformerXL"));
        assertTrue(e.getMessage().contains("unknown model 'transformerXL'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.builtIn("attention", 7, 3));
        assertTrue(e.getMessage().contains("takes 3 parameters"), e.getMessage());
    }

    @Test void badInputIsOneLineAndStatusTwo(@TempDir Path tmp) throws Exception {
        assertEquals(2, cli("--model", "transformerXL", "--n", "64", "--out", tmp.resolve("a").toString()).status);
        Run unreachable = cli("--model", "attention", "--n", "64", "--master", "spark://127.0.0.1:9", "--out", tmp.resolve("b").toString());
        assertEquals(2, unreachable.status);
        assertTrue(unreachable.err.startsWith("jaclab jacobian: cannot reach the Spark master at spark://127.0.0.1:9"), unreachable.err);
        assertEquals(1, unreachable.err.strip().lines().count(), unreachable.err);
        Path x = tmp.resolve("x.npy");
        org.nd4j.linalg.factory.Nd4j.writeAsNumpy(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 100, 3), x.toFile());
        Run mismatch = cli("--model", "attention", "--n", "64", "--inputs", x.toString(), "--out", tmp.resolve("c").toString());
        assertEquals(2, mismatch.status);
        assertTrue(mismatch.err.contains("N = 64 does not match the inputs' 100 rows"), mismatch.err);
        Files.createDirectories(tmp.resolve("d"));
        Files.writeString(tmp.resolve("d/old.txt"), "x");
        assertEquals(2, cli("--model", "attention", "--n", "64", "--out", tmp.resolve("d").toString()).status);
        assertEquals(2, cli("--model", "attention", "--n", "64", "--strategy", "chunked", "--out", tmp.resolve("e").toString()).status);
        Run notLayers = cli("--model", "mlp", "--n", "64", "--forward", "rows", "--out", tmp.resolve("f").toString());
        assertEquals(2, notLayers.status);
        assertTrue(notLayers.err.startsWith("jaclab jacobian: mlp is not made of attention layers"), notLayers.err);
        assertEquals(1, notLayers.err.strip().lines().count(), notLayers.err);
        assertEquals(2, cli("--model", "attention", "--n", "64", "--forward", "sideways", "--out", tmp.resolve("g").toString()).status);
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")) || Files.exists(tmp.resolve("c")) || Files.exists(tmp.resolve("f")));
    }

    @Test void theCommandLineWritesCheckedShards(@TempDir Path tmp) {
        Path out = tmp.resolve("blocks");
        Run r = cli("--model", "attention", "--n", "200", "--master", "local[2]", "--partitions", "3", "--out", out.toString());
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("attention N=200: 3 partitions"), r.out);
        Tensor want = localBlocks(ModelSpec.builtIn("attention").model(), 200, 1, "sparseRows");
        assertClose(want, NpyShards.read(out));
    }

    @Test void theDriverAcceptsEachPartitionExactlyOnce() {
        List<long[]> ranges = List.of(new long[]{0, 0, 2}, new long[]{1, 2, 4});
        RowBlocks a = new RowBlocks(0, 0, 2, 1, 1, dev.jaclab.nd.DType.FLOAT32, new double[2], null, 0, "1", 0, 0, 0, 0);
        RowBlocks b = new RowBlocks(1, 2, 4, 1, 1, dev.jaclab.nd.DType.FLOAT32, new double[2], null, 0, "1", 0, 0, 0, 0);
        assertEquals(List.of(a, b), Assembly.checkOnce(List.of(b, a), ranges));
        assertThrows(IllegalStateException.class, () -> Assembly.checkOnce(List.of(a, a), ranges));
        assertThrows(IllegalStateException.class, () -> Assembly.checkOnce(List.of(a), ranges));
        RowBlocks shifted = new RowBlocks(1, 1, 3, 1, 1, dev.jaclab.nd.DType.FLOAT32, new double[2], null, 0, "1", 0, 0, 0, 0);
        assertThrows(IllegalStateException.class, () -> Assembly.checkOnce(List.of(a, shifted), ranges));
    }

    @Test void theDriverAcceptsEachForwardRangeExactlyOnce() {
        List<long[]> ranges = List.of(new long[]{0, 0, 2}, new long[]{1, 2, 4});
        Inputs two = Inputs.of(Tensor.zeros(2, 4), Tensor.zeros(2, 4));
        ForwardStage.Rows a = new ForwardStage.Rows(0, 0, 2, two, 0, 0, "1"), b = new ForwardStage.Rows(1, 2, 4, two, 0, 0, "1");
        assertEquals(List.of(a, b), List.of(DistributedForward.checkOnce(List.of(b, a), ranges, 2, "test")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DistributedForward.checkOnce(List.of(a, a, b), ranges, 2, "test"));
        assertTrue(e.getMessage().contains("partition 0 returned rows [0, 2) with 2 tensors, a second time"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> DistributedForward.checkOnce(List.of(a), ranges, 2, "test"));
        assertTrue(e.getMessage().contains("partition 1 returned nothing"), e.getMessage());
        ForwardStage.Rows shifted = new ForwardStage.Rows(1, 1, 3, two, 0, 0, "1");
        assertThrows(IllegalStateException.class, () -> DistributedForward.checkOnce(List.of(a, shifted), ranges, 2, "test"));
        assertThrows(IllegalStateException.class, () -> DistributedForward.checkOnce(List.of(a, b), ranges, 3, "test"));
    }

    @Test void aRetriedShardReplacesTheFirstAndTemporariesAreRemoved(@TempDir Path dir) throws Exception {
        dev.jaclab.nd.Backend.configure();
        NpyShards.write(dir, 0, 7, dev.jaclab.nd.DType.FLOAT32, new double[]{1, 2, 3, 4}, 1, 2, 2);
        NpyShards.write(dir, 0, 8, dev.jaclab.nd.DType.FLOAT32, new double[]{1, 2, 3, 5}, 1, 2, 2);
        Files.writeString(dir.resolve(".part-00001.npy.9.tmp"), "partial");
        NpyShards.removeTemporaries(dir);
        try (Stream<Path> s = Files.list(dir)) { assertEquals(List.of("part-00000.npy"), s.map(p -> p.getFileName().toString()).toList()); }
        long[] shape = new long[3];
        assertArrayEquals(new double[]{1, 2, 3, 5}, NpyShards.load(dir.resolve("part-00000.npy"), shape));
        assertArrayEquals(new long[]{1, 2, 2}, shape);
        RowBlocks r = new RowBlocks(0, 0, 1, 2, 2, dev.jaclab.nd.DType.FLOAT32, null, "part-00000.npy",
                RowBlocks.crc(dev.jaclab.nd.DType.FLOAT32, new double[]{1, 2, 3, 4}), "1", 0, 0, 0, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NpyShards.verify(dir, r));
        assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
    }

    @Test void aMasterWithoutWorkersIsOneLineAndStatusTwo(@TempDir Path tmp) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) { port = s.getLocalPort(); }
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        cmd.addAll(List.of(Files.readString(Path.of("java17-opens.txt")).trim().split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", "0"));
        Process master = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("master.log").toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.readString(tmp.resolve("master.log")).contains("I have been elected leader"); i++) Thread.sleep(200);
            Run r = cli("--model", "attention", "--n", "64", "--master", "spark://127.0.0.1:" + port, "--executor-wait", "3", "--out", tmp.resolve("o").toString());
            assertEquals(2, r.status, r.err);
            assertTrue(r.err.startsWith("jaclab jacobian: no executor started within 3 s at spark://127.0.0.1:" + port), r.err);
            assertFalse(Files.exists(tmp.resolve("o")), "a failed run leaves no output directory");
        } finally {
            master.destroyForcibly().waitFor();
        }
    }

    @Test void executorsFindJacLabOnTheLaunchersClassPath() {
        String old = System.getProperty("jaclab.spark.classpath");
        try {
            System.setProperty("jaclab.spark.classpath", "/opt/jaclab/jaclab-spark.jar:/opt/jaclab/lib/*");
            assertEquals("/opt/jaclab/jaclab-spark.jar:/opt/jaclab/lib/*", SparkJacobian.executorClassPath());
            System.clearProperty("jaclab.spark.classpath");
            assertEquals(null, SparkJacobian.executorClassPath());   // classes from target/classes, not a jar beside lib/
        } finally {
            if (old != null) System.setProperty("jaclab.spark.classpath", old);
        }
    }

    record Run(int status, String out, String err) {}

    static synchronized Run cli(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        var cl = SparkMain.commandLine();
        cl.setOut(new java.io.PrintWriter(bo, true));
        cl.setErr(new java.io.PrintWriter(be, true));
        System.setOut(new PrintStream(bo, true));
        try {
            int status = cl.execute(args);
            return new Run(status, bo.toString(), be.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }
}
