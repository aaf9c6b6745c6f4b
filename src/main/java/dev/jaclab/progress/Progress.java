package dev.jaclab.progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Long work that says how far it has come and stops when its thread is interrupted. A task counts steps (chunks of
 * seeds, explorer runs, training steps) towards a known total; the {@link ProgressListener} installed with
 * {@link #show} — the kernel's in-place notebook display, the command line's terminal bar — sees it with its rate and
 * the time left. Nothing is shown in plain library use unless a listener is installed.
 *
 * <p>Tasks nest per thread: a task started while another runs on the same thread is its child (the explorer's run,
 * then the chunks of the strategy it measures), and listeners are told about the outermost one, the <em>root</em>,
 * whose {@link #chain()} lists what runs inside it. A root is shown once it has run {@link #delayMillis()} (short work
 * shows nothing), then at most every {@value #INTERVAL_MS} ms, and once more when it ends. {@link #step} may be
 * called from any thread (chunk workers do); {@link #start} and {@link #close} belong to the thread that runs the
 * work.
 *
 * <p>Interrupt: {@link #checkInterrupted} throws a {@link CancellationException} when the calling thread is
 * interrupted. Every tensor operation and every chunk calls it, so interrupting the thread that computes a Jacobian
 * (the kernel does so when the user presses stop) ends it at the next operation or chunk boundary, with the chunk
 * buffers freed.
 *
 * <pre>{@code
 * Progress.show(task -> System.err.println(task.chain().get(0).summary()));   // any listener; null turns it off
 * try (Progress task = Progress.start("train", 1000, "steps")) {
 *     for (int i = 0; i < 1000; i++) {
 *         trainStep();
 *         task.detail("loss " + loss);
 *         task.step();
 *     }
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {
    /** Where a task stands. */
    public enum State { RUNNING, DONE, STOPPED }

    /** The shortest time between two reports of one root task. */
    public static final long INTERVAL_MS = 200;
    private static volatile ProgressListener listener;
    private static volatile long delayMillis = 500;
    private static final ThreadLocal<Progress> CURRENT = new ThreadLocal<>();
    private static final AtomicInteger RUNNING = new AtomicInteger();

    private final String name, unit;
    private final long total;
    private final Progress parent;
    private final ProgressListener to;
    private final long startNanos = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong lastShown = new AtomicLong(Long.MIN_VALUE);
    private final Thread owner = Thread.currentThread();
    private volatile String detail = "";
    private volatile Progress child;
    private volatile State state = State.RUNNING;
    private volatile long endNanos;
    private boolean lastTold;

    private Progress(String name, long total, String unit, Progress parent, ProgressListener to) {
        this.name = name;
        this.total = total;
        this.unit = unit;
        this.parent = parent;
        this.to = to;
    }

    /** Installs the listener every task started from now on reports to (one per process); {@code null} turns it off. */
    public static void show(ProgressListener l) { listener = l; }

    /** The installed listener, or null. */
    public static ProgressListener listener() { return listener; }

    /** How long a root task runs before it is first shown (default 500 ms). */
    public static long delayMillis() { return delayMillis; }

    public static void delayMillis(long ms) {
        if (ms < 0) throw new IllegalArgumentException("progress: delay must be >= 0 ms, got " + ms);
        delayMillis = ms;
    }

    /** Whether some task is running in this process (the kernel then waits for it to stop at its next check). */
    public static boolean anyRunning() { return RUNNING.get() > 0; }

    /**
     * Starts a task of {@code total} steps counted in {@code unit} ("chunks", "steps"), nested in the task this thread
     * runs now, if any. Close it on the same thread (try-with-resources).
     */
    public static Progress start(String name, long total, String unit) {
        if (total < 0) throw new IllegalArgumentException("progress: " + name + ": total must be >= 0, got " + total);
        Progress parent = CURRENT.get();
        Progress p = new Progress(name, total, unit, parent, parent != null ? parent.to : listener);
        if (parent != null) parent.child = p;
        CURRENT.set(p);
        RUNNING.incrementAndGet();
        return p;
    }

    /**
     * Throws a {@link CancellationException} ("interrupted: " + what) when this thread has been interrupted, and clears
     * the interrupt, as {@link InterruptedException} does. Long loops call it between their steps.
     */
    public static void checkInterrupted(String what) {
        if (Thread.currentThread().isInterrupted()) {
            Thread.interrupted();
            throw new CancellationException("interrupted: " + what);
        }
    }

    /** One more step done. */
    public void step() { step(1); }

    /** {@code k} more steps done (from any thread). */
    public void step(long k) {
        done.addAndGet(k);
        refresh();
    }

    /** The steps done so far set directly. */
    public void stepTo(long steps) {
        done.set(steps);
        refresh();
    }

    /** A short text shown beside the bar ("sparseRows(256) at N=1024", "loss 0.0123"). */
    public void detail(String text) {
        detail = text == null ? "" : text;
        refresh();
    }

    /** Tells the listener, if this task's root has run long enough and was not shown within the interval. */
    public void refresh() {
        Progress root = root();
        if (root.to == null || root.state != State.RUNNING) return;
        long now = System.nanoTime(), last = root.lastShown.get();
        if (last == Long.MIN_VALUE ? now - root.startNanos < delayMillis * 1_000_000L : now - last < INTERVAL_MS * 1_000_000L) return;
        if (root.lastShown.compareAndSet(last, now)) root.tell();
    }

    private void tell() {
        synchronized (this) {                     // one root's reports in order; none after its last
            if (lastTold) return;
            lastTold = state != State.RUNNING;
            try {
                to.changed(this);
            } catch (RuntimeException e) {
                // a display that fails must not stop the work
            }
        }
    }

    /** Ends the task: {@link State#DONE} when every step was counted, else {@link State#STOPPED}. */
    @Override public void close() {
        if (state != State.RUNNING) return;
        if (Thread.currentThread() == owner) {
            CURRENT.set(parent);
            if (parent != null && parent.child == this) parent.child = null;
        }
        RUNNING.decrementAndGet();
        if (parent != null) {
            endNanos = System.nanoTime();                 // before the state: elapsedSeconds() reads them in that order
            state = done.get() >= total ? State.DONE : State.STOPPED;
            refresh();
            return;
        }
        synchronized (this) {
            endNanos = System.nanoTime();
            state = done.get() >= total ? State.DONE : State.STOPPED;
        }
        if (lastShown.get() != Long.MIN_VALUE && to != null) tell();
    }

    public String name() { return name; }

    public String unit() { return unit; }

    public long total() { return total; }

    public long done() { return Math.min(done.get(), total); }

    public String detail() { return detail; }

    public State state() { return state; }

    /** The outermost task this one runs in (itself when it is outermost). */
    public Progress root() {
        Progress p = this;
        while (p.parent != null) p = p.parent;
        return p;
    }

    /** This task and the tasks running inside it, outermost first. */
    public List<Progress> chain() {
        List<Progress> out = new ArrayList<>();
        for (Progress p = this; p != null; p = p.child) out.add(p);
        return out;
    }

    public double elapsedSeconds() { return ((state == State.RUNNING ? System.nanoTime() : endNanos) - startNanos) / 1e9; }

    /** Steps per second so far (0 before the first step). */
    public double rate() {
        double s = elapsedSeconds();
        return s <= 0 ? 0 : done() / s;
    }

    /** Seconds left at the rate so far (NaN before the first step). */
    public double secondsLeft() {
        double r = rate();
        return r <= 0 ? Double.NaN : (total - done()) / r;
    }

    /** Fraction done, 0..1. */
    public double fraction() { return total == 0 ? 1 : (double) done() / total; }

    /**
     * One line for a display: "sparseRows(256): 12/40 chunks · 3.1 chunks/s · 9.0 s left · detail" while running
     * ("full: 0/1 batched VJPs · 4.2 s so far" before the first step),
     * "sparseRows(256): 40 chunks in 12.9 s" when done, "… stopped at 12/40 chunks after 4.1 s" when stopped.
     */
    public String summary() {
        String d = detail.isEmpty() ? "" : " · " + detail;
        return switch (state) {
            case RUNNING -> {
                if (done() == 0) yield String.format(Locale.ROOT, "%s: 0/%d %s · %s so far%s", name, total, unit, duration(elapsedSeconds()), d);
                double left = secondsLeft();
                yield String.format(Locale.ROOT, "%s: %d/%d %s · %s %s/s · %s left%s", name, done(), total, unit, number(rate()), unit,
                        duration(left), d);
            }
            case DONE -> String.format(Locale.ROOT, "%s: %d %s in %s%s", name, total, unit, duration(elapsedSeconds()), d);
            case STOPPED -> String.format(Locale.ROOT, "%s: stopped at %d/%d %s after %s%s", name, done(), total, unit,
                    duration(elapsedSeconds()), d);
        };
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    /** "0.4 s", "42 s", "3 min 05 s", "2 h 07 min". */
    static String duration(double s) {
        if (s < 10) return String.format(Locale.ROOT, "%.1f s", s);
        long t = Math.round(s);
        if (t < 60) return t + " s";
        if (t < 3600) return String.format(Locale.ROOT, "%d min %02d s", t / 60, t % 60);
        return String.format(Locale.ROOT, "%d h %02d min", t / 3600, t % 3600 / 60);
    }

    @Override public String toString() { return summary(); }
}
