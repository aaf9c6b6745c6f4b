package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.google.gson.JsonElement;

/**
 * A list box where several labels can be chosen (shift/ctrl-click in the browser); the value is the chosen labels, in
 * the order of the options. The installed front end's {@code SelectMultipleModel} keeps the labels in
 * {@code _options_labels} and the chosen ones in {@code value}.
 *
 * <pre>{@code
 * SelectMultiple s = SelectMultiple.of("reverseSum", "vmapJacrev", "sparseRows(16)").description("strategies");
 * s.value(List.of("reverseSum", "sparseRows(16)"));
 * s.onChange(chosen -> System.out.println(chosen));
 * display(s);
 * }</pre>
 */
public final class SelectMultiple extends DomWidget implements Control<List<String>> {
    private final List<String> options;

    private SelectMultiple(List<String> options) {
        super("SelectMultipleModel", "SelectMultipleView");
        if (options.isEmpty()) throw new IllegalArgumentException("SelectMultiple: no options");
        if (options.stream().distinct().count() != options.size()) throw new IllegalArgumentException("SelectMultiple: repeated options in " + options);
        this.options = List.copyOf(options);
        describable("");
        define("_options_labels", this.options);
        define("rows", Math.min(this.options.size(), 8));
        define("value", List.of());
    }

    /** A list of these labels, none chosen. */
    public static SelectMultiple of(String... options) { return new SelectMultiple(List.of(options)); }

    public static SelectMultiple of(List<String> options) { return new SelectMultiple(options); }

    /** The chosen labels, in the order of the options. */
    @SuppressWarnings("unchecked")
    public List<String> value() { return (List<String>) get("value"); }

    /** Chooses these labels (each must be an option); listeners run if the choice changed. */
    public void value(List<String> chosen) { set("value", check(chosen)); }

    public List<String> options() { return options; }

    @Override public SelectMultiple description(String d) { super.description(d); return this; }

    /** Runs {@code listener} with the chosen labels each time the choice changes. */
    @SuppressWarnings("unchecked")
    public void onChange(Consumer<List<String>> listener) { observe("value", v -> listener.accept((List<String>) v)); }

    @Override
    protected Object fromFrontEnd(String key, JsonElement value, Object current) {
        Object v = super.fromFrontEnd(key, value, current);
        if (!"value".equals(key)) return v;
        @SuppressWarnings("unchecked") List<String> chosen = (List<String>) v;
        return check(chosen == null ? List.of() : chosen);
    }

    /** The chosen labels in option order; an unknown label is an error naming it. */
    private List<String> check(List<String> chosen) {
        for (String c : chosen)
            if (!options.contains(c)) throw new IllegalArgumentException("SelectMultiple: '" + c + "' is not one of " + options);
        List<String> ordered = new ArrayList<>();
        for (String o : options) if (chosen.contains(o)) ordered.add(o);
        return List.copyOf(ordered);
    }

    @Override public List<String> current() { return value(); }

    @Override public void onValue(Consumer<? super List<String>> listener) { onChange(listener::accept); }

    @Override public Widget widget() { return this; }
}
