package dev.jaclab.kernel;

import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.jaclab.progress.Progress;
import dev.jaclab.progress.ProgressListener;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * The kernel's progress display: each root {@link Progress} task (a chunked Jacobian, the explorer, a training loop)
 * is one output in the running cell — shown with {@code display_data} under a fresh display id, then replaced in place
 * with {@code update_display_data} under the same id while it runs and when it ends. The output is an HTML progress
 * bar per running task (the root and the tasks inside it) with steps done, rate and time left, and the same as text.
 * {@link JacLabKernel#useJupyterOutput} installs it.
 *
 * <pre>{@code
 * Jacobian.of(y, x).perSample(Strategies.sparseRows(16));   // in a cell: "sparseRows(16): 12/40 chunks · 3.1 chunks/s · 9.0 s left"
 * }</pre>
 *
 * <p>Work that runs in the background, outside any cell (a widget's re-run), has no cell to show its progress in: it
 * starts its own root task and {@linkplain #into routes} it to a place of its choosing (an HTML widget), with the
 * same rendering.
 *
 * <pre>{@code
 * try (Progress task = Progress.start("explore", 1, "runs"); var shown = ProgressDisplay.into(task, d -> bar.value(ProgressDisplay.html(d)))) {
 *     explorer.run();
 *     task.step();
 * }
 * }</pre>
 */
public final class ProgressDisplay implements ProgressListener {
    private static final Map<Progress, Consumer<DisplayData>> ROUTES = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
    private final Notebook.Sink sink;
    private final Map<Progress, String> ids = new IdentityHashMap<>();
    /**
     * Sends the messages: the threads that report are the ones an interrupt targets, and socket I/O on an interrupted
     * thread fails. Started here, on the kernel's thread, so that a forced stop of the cell's threads spares it.
     */
    private final ThreadPoolExecutor publisher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "jaclab-progress");
        t.setDaemon(true);
        return t;
    });

    ProgressDisplay(Notebook.Sink sink) {
        this.sink = sink;
        publisher.prestartAllCoreThreads();
    }

    /**
     * Shows {@code root} (a task started on this thread with no task around it) through {@code to} instead of the
     * running cell, until the returned handle is closed.
     */
    public static Route into(Progress root, Consumer<DisplayData> to) {
        if (root.root() != root) throw new IllegalArgumentException("progress: " + root.name() + " runs inside " + root.root().name() + ": only a root task is shown");
        ROUTES.put(root, to);
        return () -> ROUTES.remove(root);
    }

    /** A task's progress shown elsewhere; closing it ends the routing. */
    public interface Route extends AutoCloseable {
        @Override void close();
    }

    /** The HTML of a rendered progress display. */
    public static String html(DisplayData d) {
        Object h = d.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_HTML);
        return h == null ? "" : h.toString();
    }

    @Override public void changed(Progress root) {
        Consumer<DisplayData> route = ROUTES.get(root);
        if (route != null) {
            route.accept(render(root));
            return;
        }
        toCell(root);
    }

    private synchronized void toCell(Progress root) {
        String known = ids.get(root), id = known == null ? UUID.randomUUID().toString() : known;
        DisplayData d = render(root);
        d.setDisplayId(id);
        if (root.state() != Progress.State.RUNNING) ids.remove(root);
        else if (known == null) ids.put(root, id);
        publish(() -> {
            if (known == null) sink.display(d);
            else sink.update(id, d);
        });
    }

    /** Runs {@code send} on the publisher and waits for it, so progress stays in order with the cell's other output. */
    private void publish(Runnable send) {
        Future<?> sent = publisher.submit(send);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    sent.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;                  // kept for the work, which stops at its next check
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    static DisplayData render(Progress root) {
        StringBuilder text = new StringBuilder(), html = new StringBuilder("<div class=\"jaclab-progress\" style=\"font-family:monospace\">");
        for (Progress p : root.chain()) {
            if (text.length() > 0) text.append('\n');
            text.append(bar(p, 24)).append(' ').append(p.summary());
            String color = p.state() == Progress.State.STOPPED ? "#c0392b" : "#2e86c1";
            html.append(String.format(Locale.ROOT, "<div><progress value=\"%d\" max=\"%d\" style=\"width:240px;accent-color:%s\"></progress> %s</div>",
                    p.done(), Math.max(1, p.total()), color, escape(p.summary())));
        }
        DisplayData d = new DisplayData(text.toString());
        d.putHTML(html.append("</div>").toString());
        return d;
    }

    /** "[#########...............]" */
    static String bar(Progress p, int width) {
        int full = (int) Math.round(p.fraction() * width);
        return "[" + "#".repeat(full) + ".".repeat(width - full) + "]";
    }

    private static String escape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
