package dev.jaclab.kernel.widgets;

/**
 * An output area inside a widget layout: what code prints or displays inside {@link #capture} goes into it instead of
 * the cell's output (the front end routes messages whose parent is the captured request here).
 *
 * <pre>{@code
 * Output out = new Output();
 * display(out);
 * slider.onChange(v -> out.capture(() -> { out.clear(); display(chartFor(v)); }));
 * }</pre>
 */
public final class Output extends DomWidget {
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
        capture(() -> dev.jaclab.kernel.Notebook.clearOutput(true));
    }
}
