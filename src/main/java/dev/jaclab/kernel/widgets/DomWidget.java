package dev.jaclab.kernel.widgets;

/**
 * A widget with a view in the page: a layout model, CSS classes, a description label and a disabled flag.
 *
 * <pre>{@code
 * Checkbox c = Checkbox.of(true, "exact");
 * c.layout().set("width", "200px");
 * c.disabled(true);
 * }</pre>
 */
public abstract class DomWidget extends Widget {
    private final Layout layout = new Layout();

    protected DomWidget(String modelName, String viewName) {
        super(modelName, viewName);
        define("_dom_classes", java.util.List.of());
        define("layout", layout);
    }

    /** The layout model (CSS properties such as {@code width}). */
    public Layout layout() { return layout; }

    /** Adds the description label and disabled flag most controls have. */
    protected final void describable(String description) {
        define("description", description == null ? "" : description);
        define("disabled", false);
    }

    /** The label shown beside the control. */
    public String description() { return (String) get("description"); }

    /** Sets the label shown beside the control. */
    public DomWidget description(String d) { set("description", d); return this; }

    /** Greys the control out (the user cannot change it). */
    public DomWidget disabled(boolean d) { set("disabled", d); return this; }
}
