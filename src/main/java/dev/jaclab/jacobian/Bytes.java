package dev.jaclab.jacobian;

import java.util.Locale;

/**
 * Byte sizes for budgets and reports.
 *
 * <pre>{@code
 * Jacobian.of(y, x).budget(Bytes.gib(8));
 * Bytes.format(3L << 30);   // "3.00 GiB"
 * Bytes.parse("512m");      // 536870912
 * }</pre>
 */
public final class Bytes {
    private Bytes() {}

    public static long kib(double k) { return (long) (k * 1024); }

    public static long mib(double m) { return (long) (m * 1024 * 1024); }

    public static long gib(double g) { return (long) (g * 1024 * 1024 * 1024); }

    /** "8g", "512m", "64k", "1000" (bytes). */
    public static long parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        if (t.isEmpty()) throw new IllegalArgumentException("bytes: empty size");
        char u = t.charAt(t.length() - 1);
        double mult = u == 'k' ? 1024 : u == 'm' ? 1024 * 1024 : u == 'g' ? 1024.0 * 1024 * 1024 : u == 't' ? 1024.0 * 1024 * 1024 * 1024 : 1;
        String num = Character.isDigit(u) ? t : t.substring(0, t.length() - 1);
        try {
            return (long) (Double.parseDouble(num) * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bytes: cannot read size '" + s + "' (use e.g. 8g, 512m)");
        }
    }

    /** Binary units with a dot as decimal separator whatever the locale: "512 B", "1.5 KiB", "3.00 GiB". */
    public static String format(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
        if (b < 1024L * 1024 * 1024 * 1024) return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
        return String.format(Locale.ROOT, "%.2f TiB", b / 1099511627776.0);
    }
}
