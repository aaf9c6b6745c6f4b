package dev.jaclab.kernel;

import java.util.UUID;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * Functions for cell code, statically imported in every JacLab notebook: show values, update or clear
 * output, read input.
 *
 * <pre>{@code
 * String id = display(Tensor.zeros(2, 2));       // rich output now, not only at the end of the cell
 * updateDisplay(id, Tensor.ones(2, 2));          // replace that output in place
 * display(chart, "image/svg+xml");               // choose the MIME type
 * display(html("<b>done</b>"));
 * clearOutput();
 * String name = input("Your name? ");
 * renderers().register(java.awt.Point.class, (p, mimes) -> new DisplayData("point " + p.x + ", " + p.y));
 * }</pre>
 *
 * <p>The functions reach the kernel that runs the cell through one sink: the kernel process serves one notebook,
 * and cell code has no other handle on it. What belongs to the kernel — its renderers, the chart size — lives in
 * the kernel object behind the sink, not here.
 */
public final class Notebook {
    /** Where display/update/clear/input go: the live kernel, or a test. */
    public interface Sink {
        void display(DisplayData data);

        void update(String displayId, DisplayData data);

        void clear(boolean wait);

        String input(String prompt, boolean password);

        /** The kernel's renderer registry, which turns values into display data. */
        Renderers renderers();
    }

    private static volatile Sink sink;

    private Notebook() {}

    /** Installs the sink (the kernel does this at start; one kernel per JVM). */
    public static void setSink(Sink s) { sink = s; }

    private static Sink sink() {
        Sink s = sink;
        if (s == null) throw new IllegalStateException("no notebook is attached: display functions work inside the JacLab kernel");
        return s;
    }

    /** Shows a value now with its richest representation; returns the display id for {@link #updateDisplay}. */
    public static String display(Object value) { return display(value, new String[0]); }

    /** Shows a value as the given MIME types (e.g. "image/svg+xml", "text/html"); returns the display id. */
    public static String display(Object value, String... mimeTypes) {
        DisplayData d = copy(sink().renderers().render(value, mimeTypes));
        String id = UUID.randomUUID().toString();
        d.setDisplayId(id);
        sink().display(d);
        return id;
    }

    /** Replaces the output shown under {@code displayId} with a new value. */
    public static void updateDisplay(String displayId, Object value) {
        DisplayData d = copy(sink().renderers().render(value));
        d.setDisplayId(displayId);
        sink().update(displayId, d);
    }

    /** Clears this cell's output now. */
    public static void clearOutput() { sink().clear(false); }

    /** Clears this cell's output; with {@code wait}, only when the next output arrives (no flicker). */
    public static void clearOutput(boolean wait) { sink().clear(wait); }

    /** Asks the front end for a line of input. */
    public static String input(String prompt) { return sink().input(prompt, false); }

    /** Asks for a password (the front end hides what is typed). */
    public static String password(String prompt) { return sink().input(prompt, true); }

    /** Wraps HTML so that showing it renders the markup. */
    public static Object html(String html) { return new BuiltinRenderers.HtmlText(html); }

    /** The kernel's renderers: {@code renderers().register(MyType.class, (value, mimes) -> displayData)}. */
    public static Renderers renderers() { return sink().renderers(); }

    /** Sets the pixel size the kernel renders charts at. */
    public static void chartSize(int width, int height) { sink().renderers().chartSize(width, height); }

    private static DisplayData copy(DisplayData d) { return new DisplayData(d); }
}
