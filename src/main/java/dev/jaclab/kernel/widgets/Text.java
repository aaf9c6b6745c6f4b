package dev.jaclab.kernel.widgets;

/**
 * Read-only text in the page: {@link #html} renders markup, {@link #label} shows plain text. Setting the value
 * redraws it.
 *
 * <pre>{@code
 * Text status = Text.html("<b>ready</b>");
 * display(status);
 * status.value("<b>running</b>");
 * }</pre>
 */
public final class Text extends DomWidget {
    private Text(String model, String view, String value) {
        super(model, view);
        describable("");
        define("placeholder", "\u200b");
        define("value", value == null ? "" : value);
    }

    /** HTML markup (an HTML widget). */
    public static Text html(String markup) { return new Text("HTMLModel", "HTMLView", markup); }

    /** Plain text (a Label widget). */
    public static Text label(String text) { return new Text("LabelModel", "LabelView", text); }

    public String value() { return (String) get("value"); }

    public void value(String v) { set("value", v == null ? "" : v); }
}
