package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.nd.Arena;
import dev.jaclab.nd.DType;
import dev.jaclab.nd.Scratch;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs a strategy's independent chunks on P worker threads and returns their results in chunk order, so a parallel
 * run gives exactly the serial blocks. Every worker has its own scratch buffers and arenas (both are per thread) and
 * reads the recorded tape only; the caller's default dtype travels with it, and the sweeps the workers count
 * ({@link Passes}, per thread) are added to the caller's when they finish.
 *
 * <p>The chunks are a {@link Progress} task named after the strategy (one step per chunk). The first failure stops
 * the other workers — they are interrupted and end at their next operation — and is rethrown once every worker has
 * ended: no partial result comes back and no worker outlives the call. Interrupting the caller does the same and
 * throws a {@link CancellationException} saying how many chunks were done. Either way the results of the chunks done
 * so far are freed (each worker keeps them in an arena it closes only when all workers have ended).
 *
 * <pre>{@code
 * List<Tensor> parts = Chunks.map("sparseRows(256)", 12, 2, k -> sweepChunk(k));   // chunks 0..11 on two threads
 * }</pre>
 */
final class Chunks {
    private Chunks() {}

    static List<Tensor> map(String name, int count, int parallelism, IntFunction<Tensor> chunk) {
        try (Progress task = Progress.start(name, count, "chunks")) {
            int workers = Math.max(1, Math.min(parallelism, count));
            return workers == 1 ? serial(name, count, chunk, task) : parallel(name, count, workers, chunk, task);
        }
    }

    private static List<Tensor> serial(String name, int count, IntFunction<Tensor> chunk, Progress task) {
        Tensor[] out = new Tensor[count];
        try (Scratch scratch = Scratch.open(); Arena results = Arena.open()) {   // an exception frees the chunks done
            for (int k = 0; k < count; k++) {
                Progress.checkInterrupted(name + " after " + k + " of " + count + " chunks");
                out[k] = chunk.apply(k);
                task.step();
            }
            for (Tensor t : out) results.keep(t.data());
        }
        return List.of(out);
    }

    private static List<Tensor> parallel(String name, int count, int workers, IntFunction<Tensor> chunk, Progress task) {
        Tensor[] out = new Tensor[count];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(workers);
        DType dtype = Tensor.defaultDType();
        List<Thread> threads = new ArrayList<>();
        Passes.Counts[] counted = new Passes.Counts[workers];
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Thread t = new Thread(() -> {
                Tensor.setDefaultDType(dtype);
                Passes.Counts start = Passes.snapshot();
                List<Tensor> mine = new ArrayList<>();
                try (Scratch scratch = Scratch.open(); Arena results = Arena.open()) {
                    try {
                        for (int k; failure.get() == null && (k = next.getAndIncrement()) < count; ) {
                            Progress.checkInterrupted(name + " chunk " + k);
                            Tensor r = chunk.apply(k);
                            out[k] = r;
                            mine.add(r);
                            task.step();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        ended.countDown();
                        awaitUninterruptibly(ended);                 // keep or free only when every worker has ended
                    }
                    if (failure.get() == null) for (Tensor r : mine) results.keep(r.data());
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    counted[worker] = Passes.snapshot().minus(start);
                }
            }, "jaclab-chunks-" + w);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        try {
            boolean stopping = false;
            for (Thread t : threads) {
                while (t.isAlive()) {
                    t.join(Progress.INTERVAL_MS);
                    task.refresh();
                    if (!stopping && failure.get() != null) {              // a worker failed: stop the others now
                        stopping = true;
                        threads.forEach(Thread::interrupt);
                    }
                }
            }
        } catch (InterruptedException e) {
            CancellationException stop = new CancellationException("interrupted: " + name + " after " + task.done() + " of " + count + " chunks");
            failure.getAndUpdate(f -> f == null || f instanceof CancellationException ? stop : f);
            threads.forEach(Thread::interrupt);
            for (Thread t : threads) joinUninterruptibly(t);
        }
        for (Passes.Counts c : counted) if (c != null) Passes.add(c);
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
        if (e != null) throw new IllegalStateException("a chunk worker failed: " + e, e);
        return List.of(out);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // the decision to keep or free waits for every worker
            }
        }
    }

    private static void joinUninterruptibly(Thread t) {
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException ignored) {
                // the call returns only when its workers have ended
            }
        }
    }
}
