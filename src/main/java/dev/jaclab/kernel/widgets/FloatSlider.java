package dev.jaclab.kernel.widgets;

import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

import com.google.gson.JsonElement;

/**
 * A slider over real numbers {@code min..max} in steps of {@code step}.
 *
 * <pre>{@code
 * FloatSlider lr = FloatSlider.of(0.1, 0, 1, 0.01).description("lr");
 * lr.onChange(v -> System.out.println(v));
 * display(lr);
 * }</pre>
 */
public final class FloatSlider extends DomWidget implements Control<Double> {
    private FloatSlider(double value, double min, double max, double step) {
        super("FloatSliderModel", "FloatSliderView");
        if (!(min <= max)) throw new IllegalArgumentException("FloatSlider: min " + min + " > max " + max);
        if (!(step > 0)) throw new IllegalArgumentException("FloatSlider: step " + step + " must be positive");
        describable("");
        define("_range", false);
        define("continuous_update", true);
        define("max", max);
        define("min", min);
        define("orientation", "horizontal");
        define("readout", true);
        define("readout_format", ".2f");
        define("slider_color", null);
        define("step", step);
        define("value", clamp(value, min, max));
    }

    /** A slider at {@code value} over {@code min..max}, step (max - min) / 100. */
    public static FloatSlider of(double value, double min, double max) { return new FloatSlider(value, min, max, (max - min) / 100); }

    public static FloatSlider of(double value, double min, double max, double step) { return new FloatSlider(value, min, max, step); }

    public double value() { return (Double) get("value"); }

    public void value(double v) { set("value", clamp(v, min(), max())); }

    public double min() { return (Double) get("min"); }

    public double max() { return (Double) get("max"); }

    @Override public FloatSlider description(String d) { super.description(d); return this; }

    /** The readout's format in d3-format notation, e.g. {@code ".3e"}. */
    public FloatSlider readoutFormat(String f) { set("readout_format", f); return this; }

    public void onChange(DoubleConsumer listener) { observe("value", v -> listener.accept((Double) v)); }

    @Override
    protected Object fromFrontEnd(String key, JsonElement value, Object current) {
        Object v = super.fromFrontEnd(key, value, current);
        return "value".equals(key) ? clamp((Double) v, min(), max()) : v;
    }

    private static double clamp(double v, double lo, double hi) {
        if (Double.isNaN(v)) throw new IllegalArgumentException("FloatSlider: NaN");
        return Math.max(lo, Math.min(hi, v));
    }

    @Override public Double current() { return value(); }

    @Override public void onValue(Consumer<? super Double> listener) { observe("value", v -> listener.accept((Double) v)); }

    @Override public Widget widget() { return this; }
}
