package dev.jaclab.kernel.widgets;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

import com.google.gson.JsonElement;

/**
 * A slider over the integers {@code min..max} (in steps of {@code step}).
 *
 * <pre>{@code
 * IntSlider n = IntSlider.of(64, 8, 512).description("N");
 * n.onChange(v -> System.out.println(v));
 * display(n);
 * int chosen = n.value();
 * }</pre>
 */
public final class IntSlider extends DomWidget implements Control<Integer> {
    private IntSlider(int value, int min, int max, int step) {
        super("IntSliderModel", "IntSliderView");
        if (min > max) throw new IllegalArgumentException("IntSlider: min " + min + " > max " + max);
        if (step <= 0) throw new IllegalArgumentException("IntSlider: step " + step + " must be positive");
        describable("");
        define("_range", false);
        define("continuous_update", true);
        define("max", max);
        define("min", min);
        define("orientation", "horizontal");
        define("readout", true);
        define("readout_format", "d");
        define("step", step);
        define("style", StyleModels.slider());
        define("value", clamp(value, min, max));
    }

    /** A slider at {@code value} (clamped into range) over {@code min..max}, step 1. */
    public static IntSlider of(int value, int min, int max) { return new IntSlider(value, min, max, 1); }

    /** A slider with a step. */
    public static IntSlider of(int value, int min, int max, int step) { return new IntSlider(value, min, max, step); }

    public int value() { return (Integer) get("value"); }

    /** Moves the slider (clamped into range); listeners run if it moved. */
    public void value(int v) { set("value", clamp(v, min(), max())); }

    public int min() { return (Integer) get("min"); }

    public int max() { return (Integer) get("max"); }

    @Override public IntSlider description(String d) { super.description(d); return this; }

    /** Sends only the final value when the user releases the handle (not every step while dragging). */
    public IntSlider continuousUpdate(boolean on) { set("continuous_update", on); return this; }

    /** Runs {@code listener} with each new value. */
    public void onChange(IntConsumer listener) { observe("value", v -> listener.accept((Integer) v)); }

    @Override
    protected Object fromFrontEnd(String key, JsonElement value, Object current) {
        Object v = super.fromFrontEnd(key, value, current);
        return "value".equals(key) ? clamp((Integer) v, min(), max()) : v;
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    @Override public Integer current() { return value(); }

    @Override public void onValue(Consumer<? super Integer> listener) { observe("value", v -> listener.accept((Integer) v)); }

    @Override public Widget widget() { return this; }
}
