package dev.jaclab.kernel.widgets;

import java.util.List;

/**
 * Lays widgets out in a row ({@link #hbox}) or a column ({@link #vbox}). Closing a box closes its children.
 *
 * <pre>{@code
 * display(Box.vbox(Box.hbox(n, strategy), out));
 * }</pre>
 */
public final class Box extends DomWidget {
    private Box(String model, String view, List<Widget> children) {
        super(model, view);
        define("box_style", "");
        define("children", List.copyOf(children));
    }

    public static Box hbox(Widget... children) { return new Box("HBoxModel", "HBoxView", List.of(children)); }

    public static Box vbox(Widget... children) { return new Box("VBoxModel", "VBoxView", List.of(children)); }

    @SuppressWarnings("unchecked")
    public List<Widget> children() { return (List<Widget>) get("children"); }
}
