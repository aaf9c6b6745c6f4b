package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.jaclab.kernel.ProgressDisplay;
import dev.jaclab.progress.Progress;

/**
 * Work a control change starts, run on one background thread so the kernel stays free for the next change: a newer
 * request interrupts the run in progress (it stops at its next operation, {@link Progress#checkInterrupted}) and
 * waits in line, so two never run at once. Each run is a root {@link Progress} task shown in an HTML widget with the
 * kernel's progress rendering. The history says how each run ended.
 *
 * <pre>{@code
 * BackgroundRuns runs = new BackgroundRuns("explore", Text.html(""));
 * runs.submit("N=64", task -> Explorer.of(model).sizes(64).run());
 * runs.submit("N=256", task -> Explorer.of(model).sizes(256).run());   // the N=64 run is interrupted
 * runs.awaitIdle(60_000);
 * runs.history();   // [N=64: cancelled, N=256: done]
 * }</pre>
 */
final class BackgroundRuns {
    private final String name;
    private final Text progress;
    private ExecutorService thread;
    private final List<String> history = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile int mostAtOnce;
    private Future<?> current;

    BackgroundRuns(String name, Text progress) {
        this.name = name;
        this.progress = progress;
        this.thread = newThread();
    }

    /** One worker thread, ended after 30 s idle (a panel left displayed holds no thread). */
    private ExecutorService newThread() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "jaclab-" + name);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Interrupts the run in progress (if any) and queues {@code work}, described by {@code settings}. */
    synchronized void submit(String settings, Consumer<Progress> work) {
        if (current != null) current.cancel(true);
        if (thread.isShutdown()) thread = newThread();        // closed, then displayed again
        current = thread.submit(() -> run(settings, work));
    }

    /** Interrupts the run in progress and drops those waiting. */
    synchronized void cancel() {
        if (current != null) current.cancel(true);
    }

    private void run(String settings, Consumer<Progress> work) {
        int now = running.incrementAndGet();
        if (now > mostAtOnce) mostAtOnce = now;
        String outcome;
        long t0 = System.nanoTime();
        try (Progress task = Progress.start(name + " " + settings, 1, "run");
             ProgressDisplay.Route shown = ProgressDisplay.into(task, d -> progress.value(ProgressDisplay.html(d)))) {
            work.accept(task);
            Progress.checkInterrupted(name);
            task.step();
            outcome = String.format(java.util.Locale.ROOT, "done in %.1f s", (System.nanoTime() - t0) / 1e9);
        } catch (CancellationException e) {
            outcome = "cancelled";
        } catch (RuntimeException e) {
            outcome = Thread.currentThread().isInterrupted() ? "cancelled" : "failed: " + e.getMessage();
        } finally {
            running.decrementAndGet();
        }
        if (outcome.equals("cancelled")) progress.value("<i>" + escape(settings) + ": stopped for newer settings</i>");
        else if (outcome.startsWith("failed")) progress.value("<span style=\"color:#c0392b\">" + escape(settings + ": " + outcome) + "</span>");
        else progress.value("");
        synchronized (history) { history.add(settings + ": " + outcome); }
    }

    /** How each run ended, oldest first ("N=64 float32 ...: done in 1.2 s", "...: cancelled"). */
    List<String> history() {
        synchronized (history) { return List.copyOf(history); }
    }

    /** The most runs that were ever in progress at once (1: never two). */
    int mostAtOnce() { return mostAtOnce; }

    /** Waits until no run is in progress or queued; false on timeout. */
    boolean awaitIdle(long millis) {
        Future<?> f;
        ExecutorService t;
        synchronized (this) {
            f = current;
            t = thread;
        }
        long end = System.currentTimeMillis() + millis;
        // a cancelled Future reports done at once: wait for the thread itself through a marker task
        try {
            Future<?> marker = t.submit(() -> {});
            marker.get(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            return f == null || f.isDone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }

    /** Stops the thread: the run in progress is interrupted, nothing more runs. */
    synchronized void close() { thread.shutdownNow(); }

    static String escape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
