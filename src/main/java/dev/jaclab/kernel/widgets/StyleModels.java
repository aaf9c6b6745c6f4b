package dev.jaclab.kernel.widgets;

/** The style models sliders and buttons refer to (handle colour; button colour and font weight). */
final class StyleModels {
    private StyleModels() {}

    static Widget slider() {
        Widget w = new Widget("SliderStyleModel", "StyleView") {};
        w.define("handle_color", null);
        return w;
    }

    static Widget button() {
        Widget w = new Widget("ButtonStyleModel", "StyleView") {};
        w.define("button_color", null);
        w.define("font_weight", "");
        return w;
    }
}
