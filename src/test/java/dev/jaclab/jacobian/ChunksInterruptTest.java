package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Interrupting or failing a chunk loop: every worker ends, the chunks done are freed, the tape stays usable. */
class ChunksInterruptTest {
    @AfterEach void off() {
        Progress.show(null);
        Progress.delayMillis(500);
    }

    /** Runs {@code work} on its own thread, interrupts it once {@code ready} opens, returns what it threw. */
    private static Throwable interruptWhen(CountDownLatch ready, Supplier<Object> work) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                work.get();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "interrupt-test");
        caller.start();
        assertTrue(ready.await(60, TimeUnit.SECONDS), "the work never got going");
        caller.interrupt();
        caller.join(60_000);
        assertFalse(caller.isAlive(), "the interrupted call did not return");
        return thrown.get();
    }

    private static long chunkWorkersAlive() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("jaclab-chunks-")).count();
    }

    @Test void interruptStopsEveryWorkerAndFreesTheChunksDone() throws Exception {
        List<Tensor> made = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch some = new CountDownLatch(4);
        Throwable e = interruptWhen(some, () -> Chunks.map("test", 10_000, 2, k -> {
            Tensor t = Tensor.randn(k, 64, 64);
            for (int i = 0; i < 20; i++) t = t.sin();
            made.add(t);
            some.countDown();
            return t;
        }));
        assertInstanceOf(CancellationException.class, e);
        assertTrue(e.getMessage().matches("interrupted: test after \\d+ of 10000 chunks"), e.getMessage());
        assertTrue(made.size() < 10_000);
        assertEquals(0, chunkWorkersAlive());
        for (Tensor t : made) assertTrue(t.data().isClosed(), "a chunk's result was not freed");
    }

    @Test void aFailingChunkStopsTheOthersAndFreesTheirResults() {
        List<Tensor> made = Collections.synchronizedList(new ArrayList<>());
        IllegalStateException boom = new IllegalStateException("boom");
        Throwable e = null;
        try {
            Chunks.map("test", 200, 2, k -> {
                if (k == 20) throw boom;
                Tensor t = Tensor.randn(k, 16, 16).sin();
                made.add(t);
                return t;
            });
        } catch (Throwable t) {
            e = t;
        }
        assertSame(boom, e);
        assertEquals(0, chunkWorkersAlive());
        assertFalse(made.isEmpty());
        for (Tensor t : made) assertTrue(t.data().isClosed(), "a chunk's result was not freed");
    }

    @Test void anInterruptedJacobianLeavesTheTapeUsable() throws Exception {
        Model m = Models.attention(7, 3, 16);
        Tensor[] in = m.inputs(256, 0);
        in[0].requiresGrad();
        Tensor y = m.forward(in)[0];
        Tensor before = Jacobian.of(y, in[0]).perSample(Strategies.sparseRows(64));
        CountDownLatch going = new CountDownLatch(1);
        Progress.delayMillis(0);
        Progress.show(root -> { if (root.done() >= 3) going.countDown(); });
        Throwable e = interruptWhen(going, () -> Jacobian.of(y, in[0]).parallelism(2).perSample(Strategies.sparseRows(1)));
        assertInstanceOf(CancellationException.class, e);
        assertTrue(e.getMessage().startsWith("interrupted: sparseRows(1) after "), e.getMessage());
        assertEquals(0, chunkWorkersAlive());
        Tensor after = Jacobian.of(y, in[0]).perSample(Strategies.sparseRows(64));
        assertEquals(0, after.maxAbsDiff(before));
    }
}
