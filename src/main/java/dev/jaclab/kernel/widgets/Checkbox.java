package dev.jaclab.kernel.widgets;

import java.util.function.Consumer;

/**
 * A checkbox with a label.
 *
 * <pre>{@code
 * Checkbox exact = Checkbox.of(false, "exact blocks");
 * exact.onChange(on -> System.out.println(on));
 * display(exact);
 * }</pre>
 */
public final class Checkbox extends DomWidget implements Control<Boolean> {
    private Checkbox(boolean value, String description) {
        super("CheckboxModel", "CheckboxView");
        describable(description);
        define("value", value);
    }

    public static Checkbox of(boolean value, String description) { return new Checkbox(value, description); }

    public boolean value() { return (Boolean) get("value"); }

    public void value(boolean v) { set("value", v); }

    public void onChange(Consumer<Boolean> listener) { observe("value", v -> listener.accept((Boolean) v)); }

    @Override public Boolean current() { return value(); }

    @Override public void onValue(Consumer<? super Boolean> listener) { observe("value", v -> listener.accept((Boolean) v)); }

    @Override public Widget widget() { return this; }
}
