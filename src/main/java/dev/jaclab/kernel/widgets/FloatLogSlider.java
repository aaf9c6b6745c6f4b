package dev.jaclab.kernel.widgets;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * A slider over positive reals on a logarithmic scale (learning rates, tolerances, budgets): equal moves multiply the
 * value by equal factors. The installed front end (jupyter-js-widgets 2.1) has no log slider model, so this is a row
 * of a {@link FloatSlider} over the base-10 exponent (its own readout hidden) and a label showing the value.
 *
 * <pre>{@code
 * FloatLogSlider lr = FloatLogSlider.of(1e-3, 1e-6, 1).description("lr");
 * lr.onChange(v -> System.out.println(v));
 * display(lr);
 * double chosen = lr.value();
 * }</pre>
 */
public final class FloatLogSlider extends DomWidget implements Control<Double> {
    private final FloatSlider exponent;
    private final Text readout;

    private FloatLogSlider(double value, double min, double max, int steps) {
        super("HBoxModel", "HBoxView");
        if (!(min > 0) || !(max > min)) throw new IllegalArgumentException("FloatLogSlider: needs 0 < min < max, got min " + min + ", max " + max);
        if (!(value > 0)) throw new IllegalArgumentException("FloatLogSlider: value " + value + " must be positive");
        double lo = Math.log10(min), hi = Math.log10(max);
        exponent = FloatSlider.of(Math.log10(value), lo, hi, (hi - lo) / steps);
        exponent.set("readout", false);
        readout = Text.label(format(Math.pow(10, exponent.value())));
        exponent.onChange(e -> readout.value(format(Math.pow(10, e))));
        define("box_style", "");
        define("children", List.of(exponent, readout));
    }

    /** A log slider at {@code value} (clamped) over {@code min..max} (both positive), 100 steps. */
    public static FloatLogSlider of(double value, double min, double max) { return new FloatLogSlider(value, min, max, 100); }

    public double value() { return Math.pow(10, exponent.value()); }

    /** Moves the slider to {@code v} (clamped into range). */
    public void value(double v) {
        if (!(v > 0)) throw new IllegalArgumentException("FloatLogSlider: value " + v + " must be positive");
        exponent.value(Math.log10(v));
    }

    @Override public String description() { return exponent.description(); }

    @Override public FloatLogSlider description(String d) { exponent.description(d); return this; }

    @Override public FloatLogSlider disabled(boolean d) { exponent.disabled(d); return this; }

    /** Runs {@code listener} with each new value. */
    public void onChange(DoubleConsumer listener) { exponent.onChange(e -> listener.accept(Math.pow(10, e))); }

    static String format(double v) { return String.format(Locale.ROOT, "%.3g", v); }

    @Override public Double current() { return value(); }

    @Override public void onValue(Consumer<? super Double> listener) { onChange(listener::accept); }

    @Override public Widget widget() { return this; }
}
