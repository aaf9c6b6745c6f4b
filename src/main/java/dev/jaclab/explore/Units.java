package dev.jaclab.explore;

import dev.jaclab.jacobian.Bytes;
import java.util.Locale;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Numbers as a person reads them, one place for the charts, the report views, the notebooks and the command line:
 * times with units, bytes in binary units, errors as {@code %.1e}, exponents as {@code %.2f}. Locale-independent.
 *
 * <pre>{@code
 * Units.seconds(0.0123);            // "12.3 ms"
 * Units.millis(823);                // "823 ms"
 * Units.seconds(7200);              // "2.0 h"
 * Units.bytes(3L << 30);            // "3.00 GiB"
 * Units.error(1.1102230246251565e-15);  // "1.1e-15"
 * Units.exponent(1.9999999999999905);   // "2.00"
 * Units.count(1_000_000);           // "1,000,000"
 * Units.readable(report.table());   // the same table with every column formatted by its name
 * }</pre>
 */
public final class Units {
    private Units() {}

    /** A duration: µs below 1 ms, ms below 1 s, s below 2 min, min below 2 h, then h, d and years. */
    public static String seconds(double s) {
        if (Double.isNaN(s)) return "?";
        if (Double.isInfinite(s)) return "∞";
        double a = Math.abs(s);
        if (a == 0) return "0 s";
        if (a < 1e-3) return fmt(s * 1e6, "µs");
        if (a < 1) return fmt(s * 1e3, "ms");
        if (a < 120) return fmt(s, "s");
        if (a < 7200) return fmt(s / 60, "min");
        if (a < 2 * 86400) return fmt(s / 3600, "h");
        if (a < 2 * 365.25 * 86400) return fmt(s / 86400, "d");
        return String.format(Locale.ROOT, "%.3g years", s / (365.25 * 86400));
    }

    /** A duration given in milliseconds. */
    public static String millis(double ms) { return seconds(ms / 1000); }

    /** Binary units: "512 B", "1.5 KiB", "3.00 GiB" (as {@link Bytes#format}). */
    public static String bytes(double b) {
        if (Double.isNaN(b)) return "?";
        if (b >= Long.MAX_VALUE / 2.0) return String.format(Locale.ROOT, "%.3g TiB", b / 1099511627776.0);
        return Bytes.format(Math.round(b));
    }

    /** An error or a small difference: "1.1e-15", "0" for exactly zero. */
    public static String error(double e) {
        if (e == 0) return "0";
        return String.format(Locale.ROOT, "%.1e", e);
    }

    /** A fitted exponent: "2.00". */
    public static String exponent(double k) { return Double.isNaN(k) ? "?" : String.format(Locale.ROOT, "%.2f", k); }

    /** A ratio: "3.1×". */
    public static String ratio(double r) { return String.format(Locale.ROOT, r >= 100 ? "%.0f×" : "%.2g×", r); }

    /** A percentage of a fraction: 0.0115 → "1.15 %". */
    public static String percent(double fraction) { return String.format(Locale.ROOT, "%.3g %%", 100 * fraction); }

    /** A count with thousands separators: "1,000,000". */
    public static String count(long n) { return String.format(Locale.ROOT, "%,d", n); }

    private static String fmt(double v, String unit) {
        double a = Math.abs(v);
        String num = a >= 100 ? String.format(Locale.ROOT, "%.0f", v) : a >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
        return num + " " + unit;
    }

    /**
     * A copy of {@code t} in which numeric columns are text formatted by what their name says: names ending in
     * "Bytes" or "BytesAtTarget" as bytes, "Ms" / "ms" as milliseconds, "seconds…" as seconds, "error" / "Error" as
     * errors, "exponent" / "Exponent" as exponents. Other columns are kept as they are.
     */
    public static Table readable(Table t) {
        Table out = Table.create(t.name());
        for (Column<?> c : t.columns()) {
            String kind = kind(c.name());
            if (kind == null || !(c instanceof NumericColumn<?> nc) || c.type() == ColumnType.BOOLEAN) {
                out.addColumns(c.copy());
                continue;
            }
            StringColumn s = StringColumn.create(c.name());
            for (int i = 0; i < nc.size(); i++) {
                if (nc.isMissing(i)) { s.appendMissing(); continue; }
                double v = nc.getDouble(i);
                s.append(switch (kind) {
                    case "bytes" -> bytes(v);
                    case "ms" -> millis(v);
                    case "s" -> seconds(v);
                    case "error" -> error(v);
                    default -> exponent(v);
                });
            }
            out.addColumns(s);
        }
        return out;
    }

    private static String kind(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith("bytes") || n.endsWith("bytesattarget")) return "bytes";
        if (n.endsWith("ms") && !n.endsWith("items")) return "ms";
        if (n.startsWith("seconds") || n.endsWith("seconds")) return "s";
        if (n.contains("error")) return "error";
        if (n.contains("exponent")) return "exponent";
        return null;
    }
}
