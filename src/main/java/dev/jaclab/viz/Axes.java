package dev.jaclab.viz;

import dev.jaclab.explore.Units;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;
import java.util.function.DoubleFunction;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;

/**
 * Axes with ticks a person reads: log axes ticked at whole powers (of 2 or 10) only, labelled with units
 * (ms/s, KiB/MiB/GiB, 1k/1M), and index axes ticked at whole numbers.
 */
final class Axes {
    private Axes() {}

    /** What the values on an axis are, and so how its ticks read. */
    enum Unit {
        /** plain numbers: 16, 1,024, 1e-05 */
        PLAIN(Axes::plain),
        /** a count such as N: 16, 1k, 1M */
        COUNT(Axes::count),
        /** durations in seconds */
        SECONDS(Units::seconds),
        /** durations in milliseconds */
        MILLIS(Units::millis),
        /** bytes */
        BYTES(Units::bytes);

        final DoubleFunction<String> label;

        Unit(DoubleFunction<String> label) { this.label = label; }
    }

    /** A log axis ticked at whole powers of {@code base}, every power or every few when they do not fit. */
    static LogAxis log(String label, int base, Unit unit) {
        LogAxis a = new LogAxis(label);
        a.setBase(base);
        a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        a.setNumberFormatOverride(format(unit.label));
        a.setMinorTickCount(base == 10 ? 9 : 1);
        a.setSmallestValue(1e-300);
        return a;
    }

    /** A linear axis with unit labels (time or bytes bars). */
    static NumberAxis linear(String label, Unit unit) {
        NumberAxis a = new NumberAxis(label);
        a.setNumberFormatOverride(format(unit.label));
        return a;
    }

    /** An axis of whole-number indices (matrix rows and columns): ticks at integers only, every one when few. */
    static NumberAxis index(String label, int count, DoubleFunction<String> text) {
        NumberAxis a = new NumberAxis(label);
        if (count <= 16) {
            TickUnits one = new TickUnits();
            one.add(new NumberTickUnit(1));
            a.setStandardTickUnits(one);
        } else {
            a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        if (text != null) a.setNumberFormatOverride(format(text));
        return a;
    }

    static String plain(double v) {
        double a = Math.abs(v);
        if (a == 0) return "0";
        if (a >= 1e-3 && a < 1e6) {
            if (Math.rint(v) == v) return String.format(Locale.ROOT, "%,d", (long) v);
            return String.format(Locale.ROOT, "%.3g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        }
        return String.format(Locale.ROOT, "%.0e", v);
    }

    static String count(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) return trim(v / 1e9) + "G";
        if (a >= 1e6) return trim(v / 1e6) + "M";
        if (a >= 1e3) return trim(v / 1e3) + "k";
        return plain(v);
    }

    private static String trim(double v) {
        return Math.rint(v) == v ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** A NumberFormat that writes values with {@code f} (JFreeChart formats tick labels with NumberFormat). */
    static NumberFormat format(DoubleFunction<String> f) {
        return new NumberFormat() {
            @Override public StringBuffer format(double number, StringBuffer to, FieldPosition pos) { return to.append(f.apply(number)); }
            @Override public StringBuffer format(long number, StringBuffer to, FieldPosition pos) { return to.append(f.apply(number)); }
            @Override public Number parse(String source, ParsePosition pos) { return null; }
        };
    }
}
