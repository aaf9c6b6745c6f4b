package dev.jaclab.kernel.widgets;

import java.util.List;
import java.util.function.Consumer;

import com.google.gson.JsonElement;

/**
 * A menu of labels; the value is the chosen label.
 *
 * <pre>{@code
 * Dropdown s = Dropdown.of("reverse", "forward", "vmap").description("strategy");
 * s.onChange(name -> System.out.println(name));
 * display(s);
 * }</pre>
 */
public final class Dropdown extends DomWidget implements Control<String> {
    private final List<String> options;

    private Dropdown(List<String> options) {
        super("DropdownModel", "DropdownView");
        if (options.isEmpty()) throw new IllegalArgumentException("Dropdown: no options");
        this.options = List.copyOf(options);
        describable("");
        define("_options_labels", this.options);
        define("value", this.options.get(0));
    }

    /** A menu of these labels, the first chosen. */
    public static Dropdown of(String... options) { return new Dropdown(List.of(options)); }

    public static Dropdown of(List<String> options) { return new Dropdown(options); }

    public String value() { return (String) get("value"); }

    /** Chooses a label; it must be one of the options. */
    public void value(String v) { set("value", check(v)); }

    public List<String> options() { return options; }

    @Override public Dropdown description(String d) { super.description(d); return this; }

    public void onChange(Consumer<String> listener) { observe("value", v -> listener.accept((String) v)); }

    @Override
    protected Object fromFrontEnd(String key, JsonElement value, Object current) {
        Object v = super.fromFrontEnd(key, value, current);
        return "value".equals(key) ? check((String) v) : v;
    }

    private String check(String v) {
        if (!options.contains(v)) throw new IllegalArgumentException("Dropdown: '" + v + "' is not one of " + options);
        return v;
    }

    @Override public String current() { return value(); }

    @Override public void onValue(Consumer<? super String> listener) { observe("value", v -> listener.accept((String) v)); }

    @Override public Widget widget() { return this; }
}
