package dev.jaclab.kernel.widgets;

/**
 * The auxiliary models every view of the installed front end refers to: a layout (CSS box properties) and, for
 * sliders and buttons, a style. They are widgets without a view of their own, opened before the widget that uses them.
 *
 * <pre>{@code
 * slider.layout().set("width", "400px");
 * }</pre>
 */
public final class Styles {
    private Styles() {}

    /** CSS layout of a widget's view ({@code width}, {@code height}, {@code margin}, flex properties ...). */
    public static final class Layout extends Widget {
        static final String[] KEYS = {"align_content", "align_items", "align_self", "border", "bottom", "display", "flex",
                "flex_flow", "height", "justify_content", "left", "margin", "max_height", "max_width", "min_height",
                "min_width", "order", "overflow", "overflow_x", "overflow_y", "padding", "right", "top", "visibility", "width"};

        Layout() {
            super("LayoutModel", "LayoutView");
            for (String k : KEYS) define(k, null);
        }
    }

    /** A slider's style (handle colour). */
    static Widget slider() {
        Widget w = new Widget("SliderStyleModel", "StyleView") {};
        w.define("handle_color", null);
        return w;
    }

    /** A button's style (colour, font weight). */
    static Widget button() {
        Widget w = new Widget("ButtonStyleModel", "StyleView") {};
        w.define("button_color", null);
        w.define("font_weight", "");
        return w;
    }
}
