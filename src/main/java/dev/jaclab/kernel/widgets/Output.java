package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.List;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import dev.jaclab.kernel.Notebook;

/**
 * An output area inside a widget layout: what code prints or displays inside {@link #capture} goes into it instead of
 * the cell's output (the front end routes messages whose parent is the captured request here). {@link #show} replaces
 * what it shows from any thread — background work that finishes after the request that started it.
 *
 * <pre>{@code
 * Output out = new Output();
 * display(out);
 * slider.onChange(v -> out.capture(() -> { out.clear(); display(chartFor(v)); }));
 * new Thread(() -> out.show(chartFor(slowWork()))).start();
 * }</pre>
 */
public final class Output extends DomWidget {
    private final Object drawing = new Object();
    private int depth;

    public Output() {
        super("OutputModel", "OutputView");
        define("msg_id", "");
    }

    /**
     * Runs {@code body} with its output (stdout, stderr, display) going into this widget: the widget's {@code msg_id}
     * is set to the request being handled (the running cell, or the widget message whose listener runs) and reset
     * after the outermost capture.
     */
    public void capture(Runnable body) {
        synchronized (drawing) { captureNow(body); }
    }

    private void captureNow(Runnable body) {
        KernelComms comms = KernelComms.current();
        String parent = comms == null ? "" : comms.parentMessageId();
        synchronized (this) { depth++; }
        set("msg_id", parent);
        try {
            body.run();
        } finally {
            if (comms != null) comms.flushOutput();
            boolean outermost;
            synchronized (this) { outermost = --depth == 0; }
            if (outermost) set("msg_id", "");
        }
    }

    /** Clears what the widget shows when the next output arrives (no flicker). */
    public void clear() {
        capture(() -> Notebook.clearOutput(true));
    }

    /**
     * Replaces what the widget shows with {@code values}, each rendered as {@code display(value)} renders it (charts,
     * tables, HTML, text). Safe from any thread: the output goes out under a request id of its own, which the widget's
     * {@code msg_id} names while it is sent. Does nothing while the widget is not shown.
     */
    public void show(Object... values) {
        KernelComms comms = KernelComms.current();
        if (comms == null || !isOpen()) return;
        List<DisplayData> items = new ArrayList<>();
        for (Object v : values) items.add(v instanceof DisplayData d ? d : Notebook.renderers().render(v));
        synchronized (drawing) {
            String parent = KernelComms.newParentId();
            set("msg_id", parent);
            try {
                comms.publishUnder(parent, null);
                for (DisplayData d : items) comms.publishUnder(parent, d);
            } finally {
                set("msg_id", "");
            }
        }
    }
}
