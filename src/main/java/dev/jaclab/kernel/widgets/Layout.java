package dev.jaclab.kernel.widgets;

/**
 * CSS layout of a widget's view ({@code width}, {@code height}, {@code margin}, flex properties ...): a model without a
 * view of its own that every control refers to, opened before it.
 *
 * <pre>{@code
 * slider.layout().set("width", "400px");
 * }</pre>
 */
public final class Layout extends Widget {
    static final String[] KEYS = {"align_content", "align_items", "align_self", "border", "bottom", "display", "flex",
            "flex_flow", "height", "justify_content", "left", "margin", "max_height", "max_width", "min_height",
            "min_width", "order", "overflow", "overflow_x", "overflow_y", "padding", "right", "top", "visibility", "width"};

    Layout() {
        super("LayoutModel", "LayoutView");
        for (String k : KEYS) define(k, null);
    }
}
