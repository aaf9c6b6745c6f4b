package dev.jaclab.kernel.widgets;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Text in the page: {@link #html} renders markup and {@link #label} shows plain text (both read-only; setting the value
 * redraws them); {@link #input} is a one-line text box the user types into — each keystroke updates {@link #value()}
 * and runs the {@link #onChange} listeners, Enter runs the {@link #onSubmit} listeners.
 *
 * <pre>{@code
 * Text status = Text.html("<b>ready</b>");
 * display(status);
 * status.value("<b>running</b>");
 * Text name = Text.input("sin").description("model").placeholder("a model name");
 * name.onSubmit(v -> System.out.println("chosen: " + v));
 * display(name);
 * }</pre>
 */
public final class Text extends DomWidget implements Control<String> {
    private final List<Consumer<String>> submits = new CopyOnWriteArrayList<>();
    private final boolean editable;

    private Text(String model, String view, String value) {
        super(model, view);
        editable = "TextModel".equals(model);
        describable("");
        define("placeholder", "\u200b");
        define("value", value == null ? "" : value);
    }

    /** HTML markup (an HTML widget). */
    public static Text html(String markup) { return new Text("HTMLModel", "HTMLView", markup); }

    /** Plain text (a Label widget). */
    public static Text label(String text) { return new Text("LabelModel", "LabelView", text); }

    /** A one-line text box holding {@code value}, editable in the browser. */
    public static Text input(String value) { return new Text("TextModel", "TextView", value); }

    public String value() { return (String) get("value"); }

    public void value(String v) { set("value", v == null ? "" : v); }

    @Override public Text description(String d) { super.description(d); return this; }

    /** The grey hint an empty text box shows. */
    public Text placeholder(String p) { set("placeholder", p == null || p.isEmpty() ? "\u200b" : p); return this; }

    /** Runs {@code listener} with the text each time it changes (each keystroke in the browser, or from Java). */
    public void onChange(Consumer<String> listener) { observe("value", v -> listener.accept((String) v)); }

    /** Runs {@code listener} with the text when the user presses Enter in the box. */
    public void onSubmit(Consumer<String> listener) {
        if (!editable) throw new IllegalStateException("Text: only Text.input boxes are submitted");
        if (isClosed()) throw new IllegalStateException("Text is closed: no listeners can be added");
        submits.add(listener);
    }

    /** Runs the submit listeners as if the user pressed Enter. */
    public void submit() {
        String v = value();
        for (Consumer<String> l : submits) {
            try {
                l.accept(v);
            } catch (RuntimeException e) {
                System.err.println("Text submit listener failed: " + e);
            }
        }
    }

    @Override public int listenerCount() { return super.listenerCount() + submits.size(); }

    /** Labels and HTML are read-only: the front end cannot change their value. */
    @Override
    protected Object fromFrontEnd(String key, JsonElement value, Object current) {
        if (!editable && "value".equals(key)) throw new IllegalArgumentException("Text: a label is read-only");
        return super.fromFrontEnd(key, value, current);
    }

    @Override
    protected void onCustom(JsonObject content) {
        if (editable && content.has("event") && "submit".equals(content.get("event").getAsString())) submit();
    }

    @Override
    public void close() {
        submits.clear();
        super.close();
    }

    @Override public String current() { return value(); }

    @Override public void onValue(Consumer<? super String> listener) { onChange(listener::accept); }

    @Override public Widget widget() { return this; }
}
