package dev.jaclab.nd;

import java.util.Arrays;

/**
 * Shape arithmetic shared by every layer: NumPy broadcasting, dim normalisation, pretty printing.
 *
 * <pre>{@code
 * Shapes.broadcast("add", new long[]{1024, 1, 3}, new long[]{16, 3});   // [1024, 16, 3]
 * }</pre>
 */
public final class Shapes {
    private Shapes() {}

    /** "(1024,3)" — the shape notation used in every error message. */
    public static String str(long... shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ",").append(shape[i]);
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    public static long numel(long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** NumPy broadcast of two shapes, or an error naming {@code op} and both shapes. */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " do not broadcast (dim " + (i - r) + ": " + da + " vs " + db + ")");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** True when {@code from} broadcasts to exactly {@code to}. */
    public static boolean broadcastsTo(long[] from, long[] to) {
        if (from.length > to.length) return false;
        int off = to.length - from.length;
        for (int i = 0; i < from.length; i++) if (from[i] != 1 && from[i] != to[off + i]) return false;
        return true;
    }

    /** Normalises a possibly negative dim against {@code rank}; errors name the op. */
    public static int dim(String op, int d, int rank) {
        int n = d < 0 ? d + rank : d;
        if (n < 0 || n >= rank) throw new IllegalArgumentException(op + ": dim " + d + " out of range for rank " + rank);
        return n;
    }

    /** {@code shape} with ones prepended to reach {@code rank}. */
    public static long[] padLeft(long[] shape, int rank) {
        if (shape.length >= rank) return shape;
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    public static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public static long[] prefix(long[] s, int n) { return Arrays.copyOfRange(s, 0, n); }

    public static long[] suffix(long[] s, int from) { return Arrays.copyOfRange(s, from, s.length); }

    public static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }
}
