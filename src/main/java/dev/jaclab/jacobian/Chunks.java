package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.nd.DType;
import dev.jaclab.nd.Scratch;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs a strategy's independent chunks on P worker threads and returns their results in chunk order, so a parallel
 * run gives exactly the serial blocks. Every worker has its own scratch buffers and arenas (both are per thread) and
 * reads the recorded tape only; the caller's default dtype travels with it, and the sweeps the workers count
 * ({@link Passes}, per thread) are added to the caller's when they finish. The first failure stops the other
 * workers at their next chunk and is rethrown: no partial result comes back.
 *
 * <pre>{@code
 * List<Tensor> parts = Chunks.map(12, 2, k -> sweepChunk(k));   // chunks 0..11 on two threads
 * }</pre>
 */
final class Chunks {
    private Chunks() {}

    static List<Tensor> map(int count, int parallelism, IntFunction<Tensor> chunk) {
        Tensor[] out = new Tensor[count];
        int workers = Math.max(1, Math.min(parallelism, count));
        if (workers == 1) {
            try (Scratch scratch = Scratch.open()) {
                for (int k = 0; k < count; k++) out[k] = chunk.apply(k);
            }
            return List.of(out);
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        DType dtype = Tensor.defaultDType();
        List<Thread> threads = new ArrayList<>();
        Passes.Counts[] counted = new Passes.Counts[workers];
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Thread t = new Thread(() -> {
                Tensor.setDefaultDType(dtype);
                Passes.Counts start = Passes.snapshot();
                try (Scratch scratch = Scratch.open()) {
                    for (int k; failure.get() == null && (k = next.getAndIncrement()) < count; ) out[k] = chunk.apply(k);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    counted[worker] = Passes.snapshot().minus(start);
                }
            }, "jaclab-chunks-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            for (Thread t : threads) t.join();
        } catch (InterruptedException e) {
            failure.compareAndSet(null, e);
            threads.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
        }
        for (Passes.Counts c : counted) if (c != null) Passes.add(c);
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
        if (e != null) throw new IllegalStateException("a chunk worker failed: " + e, e);
        return List.of(out);
    }
}
