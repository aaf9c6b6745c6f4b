package dev.jaclab.jacobian;

import java.util.Locale;

/**
 * Human units for times and errors in tables and messages: {@code 850 µs}, {@code 12.3 ms}, {@code 4.2 s},
 * {@code 3.5 min}, {@code 2.1 h}, {@code 3.7e+00}. Byte sizes are {@link Bytes#format}.
 *
 * <pre>{@code
 * Units.seconds(3941.0);   // "1.1 h"
 * Units.error(3.7);        // "3.7e+00"
 * }</pre>
 */
public final class Units {
    private Units() {}

    public static String seconds(double s) {
        if (Double.isNaN(s) || s < 0) return "?";
        if (Double.isInfinite(s)) return "∞";
        if (s < 1e-3) return String.format(Locale.ROOT, "%.0f µs", s * 1e6);
        if (s < 1) return String.format(Locale.ROOT, s < 0.01 ? "%.2f ms" : s < 0.1 ? "%.1f ms" : "%.0f ms", s * 1e3);
        if (s < 60) return String.format(Locale.ROOT, "%.1f s", s);
        if (s < 3600) return String.format(Locale.ROOT, "%.1f min", s / 60);
        if (s < 86400 * 3) return String.format(Locale.ROOT, "%.1f h", s / 3600);
        return String.format(Locale.ROOT, "%.1f d", s / 86400);
    }

    /** An error in two significant digits, scientific ({@code 3.7e+00}); "-" when there is none. */
    public static String error(double e) { return Double.isNaN(e) ? "-" : String.format(Locale.ROOT, "%.1e", e); }
}
