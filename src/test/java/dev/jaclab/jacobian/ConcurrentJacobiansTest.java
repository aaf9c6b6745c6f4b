package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Sweeps share no mutable state: Jacobians computed on 4 threads at once — two threads in float64, two in float32,
 * each running every configuration in its own order — equal the serial results bit for bit, and each thread's pass
 * counts are its own.
 */
class ConcurrentJacobiansTest {
    static final int N = 8, THREADS = 4;

    record Config(String model, String strategy) {
        Model build() { return model.equals("mlp") ? Models.mlp(1) : Models.attention(7, 3, 16); }

        /** Blocks and the passes counted on this thread, or the refusal. */
        Outcome run(DType dtype) {
            Tensor.setDefaultDType(dtype);
            Model m = build();
            Tensor[] in = m.inputs(N, 3);
            in[m.inputIndex()].requiresGrad();
            Tensor y = m.forward(in)[m.outputIndex()];
            Problem p = Jacobian.of(y, in[m.inputIndex()]).problem();
            Strategy s = Strategies.byName(strategy);
            String refusal = s.refusal(p);
            if (refusal != null) return new Outcome(null, null, null, refusal);
            Passes.Counts before = Passes.snapshot();
            Tensor J = s.run(p);
            return new Outcome(J.toDoubleArray(), J.dtype(), Passes.snapshot().minus(before), null);
        }
    }

    record Outcome(double[] blocks, DType dtype, Passes.Counts passes, String refusal) {}

    static final List<Config> CONFIGS = List.of(
            new Config("mlp", "reverseSum"), new Config("mlp", "chunked(5)"), new Config("mlp", "perElement"), new Config("mlp", "sparseRows(5)"),
            new Config("attention", "reverseSum"), new Config("attention", "chunked(5)"), new Config("attention", "perElement"),
            new Config("attention", "sparseRows(5)"));

    static DType dtypeOf(int thread) { return thread % 2 == 0 ? DType.FLOAT64 : DType.FLOAT32; }

    @Test void fourThreadsGetTheSerialResultsBitForBit() throws Exception {
        DType saved = Tensor.defaultDType();
        Map<String, Outcome> serial = new HashMap<>();
        try {
            for (DType d : DType.values())
                for (Config c : CONFIGS) serial.put(c + " " + d, c.run(d));
        } finally {
            Tensor.setDefaultDType(saved);
        }
        assertNotNull(serial.get(CONFIGS.get(4) + " " + DType.FLOAT64).refusal(), "reverseSum refuses on attention");

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(THREADS);
        List<Future<Map<String, Outcome>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.countDown();
                    await(start);
                    Map<String, Outcome> out = new HashMap<>();
                    for (int k = 0; k < CONFIGS.size(); k++) {
                        Config c = CONFIGS.get((k + 2 * thread) % CONFIGS.size());        // every thread its own order
                        out.put(c + " " + dtypeOf(thread), c.run(dtypeOf(thread)));
                    }
                    return out;
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                for (Map.Entry<String, Outcome> e : futures.get(t).get().entrySet()) {
                    Outcome want = serial.get(e.getKey()), got = e.getValue();
                    assertEquals(want.refusal(), got.refusal(), e.getKey());
                    if (want.refusal() != null) continue;
                    assertEquals(want.dtype(), got.dtype(), e.getKey() + ": the thread's default dtype");
                    assertTrue(Arrays.equals(want.blocks(), got.blocks()), e.getKey() + " on thread " + t + " differs from the serial run");
                    assertEquals(want.passes(), got.passes(), e.getKey() + ": counted passes");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Chunk workers count their sweeps on their own threads; the caller sees them all, as in a serial run. */
    @Test void chunkWorkersCountForTheCaller() {
        DType saved = Tensor.defaultDType();
        try {
            Tensor.setDefaultDType(DType.FLOAT64);
            Model m = Models.attention(7, 3, 16);
            Tensor[] in = m.inputs(N, 3);
            in[0].requiresGrad();
            Tensor y = m.forward(in)[0];
            for (Strategy s : List.of(Strategies.sparseRows(5), Strategies.meetInMiddle(5))) {
                Passes.Counts[] counts = new Passes.Counts[2];
                Tensor[] blocks = new Tensor[2];
                int[] workers = {1, 3};
                for (int i = 0; i < 2; i++) {
                    Passes.Counts before = Passes.snapshot();
                    blocks[i] = Jacobian.of(y, in[0]).parallelism(workers[i]).perSample(s);
                    counts[i] = Passes.snapshot().minus(before);
                }
                assertEquals(counts[0], counts[1], s.name() + ": passes counted with 3 workers");
                assertTrue(counts[0].reverseSweeps() > 1, s.name() + " ran several chunks: " + counts[0]);
                assertEquals(0, blocks[0].maxAbsDiff(blocks[1]), s.name());
            }
        } finally {
            Tensor.setDefaultDType(saved);
        }
    }
}
