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
    public Output() {
        super("OutputModel", "OutputView");
        define("msg_id", "");
    }

    /**
     * Runs {@code body} with its output (stdout, stderr, display) going into this widget: the widget's {@code msg_id}
     * is set to the request being handled (the running cell, or the widget message whose listener runs) and reset after.
     */
    public void capture(Runnable body) {
        KernelComms comms = KernelComms.current();
        String parent = comms == null ? "" : comms.parentMessageId();
        set("msg_id", parent);
        try {
            body.run();
        } finally {
            if (comms != null) comms.flushOutput();
            set("msg_id", "");
        }
    }

    /** Clears what the widget shows (the front end clears its outputs on a clear_output captured here). */
    public void clear() {
        capture(() -> dev.jaclab.kernel.Notebook.clearOutput());
    }
}
