package dev.jaclab.nd;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * add, sub, mul, div (with a scalar or an array of the same shape) and neg on small host arrays, and the same ops
 * between operands broadcast against each other at any size, as Java loops.
 * Below ~64K elements ND4J's fixed cost per op — an op context, its input and output registrations, JNI calls,
 * ~10 µs — is most of an elementwise op; a loop over the packed buffers costs ~1 ns per element plus the output's
 * allocation. The arithmetic is the same IEEE operation in the same dtype, so results are bit for bit ND4J's.
 * Larger arrays of one shape keep ND4J's (possibly multi-threaded) routines; ND4J's broadcast ops over short rows cost
 * ~25 ns per element ((3, 16384, 3) · (16384, 3), a seed batch times a derivative), the broadcast loop ~8.
 *
 * <pre>{@code
 * INDArray z = SmallOps.scalar("mul", x, 1.5);          // null when x is not a small packed host array
 * }</pre>
 */
final class SmallOps {
    private SmallOps() {}

    private static final boolean HOST = !Backend.kind().equals("CUDA");
    /** Arrays up to this many elements take the loops. */
    static final long MAX = 1 << 16;

    /** Whether x is a packed float32/float64 host array (c order, offset 0) of at most {@link #MAX} elements. */
    static boolean small(INDArray x) {
        DataType t = x.dataType();
        return HOST && (t == DataType.FLOAT || t == DataType.DOUBLE) && x.length() > 0 && x.length() <= MAX && x.ordering() == 'c'
                && x.offset() == 0 && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x);
    }

    private static int code(String op) {
        return switch (op) {
            case "add" -> 0;
            case "sub" -> 1;
            case "mul" -> 2;
            case "div" -> 3;
            default -> throw new IllegalArgumentException("SmallOps: unknown op " + op);
        };
    }

    /** Elements per pass: chunks of thread-local heap arrays, so no op allocates on the Java heap. */
    private static final int CHUNK = 2048;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[2][CHUNK]);
    private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[2][CHUNK]);

    /** x op s, or null when x is not {@link #small}. */
    static INDArray scalar(String op, INDArray x, double s) {
        if (!small(x)) return null;
        return run(code(op), x, null, s);
    }

    /** x op y for two arrays of the same shape and dtype, or null when either is not {@link #small}. */
    static INDArray same(String op, INDArray x, INDArray y) {
        if (!small(x) || !small(y) || x.dataType() != y.dataType()) return null;
        return run(code(op), x, y, 0);
    }

    /**
     * x op y broadcast to {@code out} (both operands packed host arrays of one dtype, of out's rank), or null when the
     * loop does not apply: another dtype or layout, an innermost run (after merging dims) under 16 elements, or rows of
     * 16 elements or more, which ND4J's broadcast walks fast (it loops over the last dim: short rows cost it ~25 ns per
     * element on (3, 16384, 3) · (16384, 3), where the merged run here is 49,152 long).
     */
    static INDArray broadcast(String op, INDArray x, INDArray y, long[] out) {
        DataType t = x.dataType();
        if (!HOST || (t != DataType.FLOAT && t != DataType.DOUBLE) || y.dataType() != t || !packed(x) || !packed(y)
                || x.rank() != out.length || y.rank() != out.length || out.length == 0 || out[out.length - 1] >= 16) return null;
        long n = Shapes.numel(out);
        if (n == 0 || n >= Integer.MAX_VALUE) return null;
        long[] sx = Strided.broadcastStrides(x.shape(), out), sy = Strided.broadcastStrides(y.shape(), out);
        long[] sh = new long[out.length], ax = new long[out.length], ay = new long[out.length];
        int r = 0;
        for (int d = 0; d < out.length; d++) {                 // drop size-1 dims, merge neighbours both operands walk evenly
            if (out[d] == 1) continue;
            if (r > 0 && ax[r - 1] == sx[d] * out[d] && ay[r - 1] == sy[d] * out[d]) {
                sh[r - 1] *= out[d];
                ax[r - 1] = sx[d];
                ay[r - 1] = sy[d];
                continue;
            }
            sh[r] = out[d];
            ax[r] = sx[d];
            ay[r++] = sy[d];
        }
        if (r == 0 || sh[r - 1] < 16) return null;
        INDArray z = Pool.uninitialized(t, out);
        int c = code(op), inner = (int) sh[r - 1];
        boolean xRun = ax[r - 1] != 0, yRun = ay[r - 1] != 0;
        Rows w = new Rows(sh, ax, ay, r);
        ByteBuffer bx = Strided.bytes(x), by = Strided.bytes(y), bz = Strided.bytes(z);
        if (t == DataType.FLOAT) {
            FloatBuffer fx = bx.asFloatBuffer(), fy = by.asFloatBuffer(), fz = bz.asFloatBuffer();
            float[][] tmp = FLOATS.get();
            float[] u = tmp[0], v = tmp[1];
            for (long row = 0; row < n; row += inner) {
                for (int at = 0; at < inner; at += CHUNK) {
                    int len = Math.min(CHUNK, inner - at);
                    if (xRun) fx.get((int) w.px + at, u, 0, len); else java.util.Arrays.fill(u, 0, len, fx.get((int) w.px));
                    if (yRun) fy.get((int) w.py + at, v, 0, len); else java.util.Arrays.fill(v, 0, len, fy.get((int) w.py));
                    floats(c, u, v, len);
                    fz.put((int) row + at, u, 0, len);
                }
                w.next();
            }
        } else {
            DoubleBuffer dx = bx.asDoubleBuffer(), dy = by.asDoubleBuffer(), dz = bz.asDoubleBuffer();
            double[][] tmp = DOUBLES.get();
            double[] u = tmp[0], v = tmp[1];
            for (long row = 0; row < n; row += inner) {
                for (int at = 0; at < inner; at += CHUNK) {
                    int len = Math.min(CHUNK, inner - at);
                    if (xRun) dx.get((int) w.px + at, u, 0, len); else java.util.Arrays.fill(u, 0, len, dx.get((int) w.px));
                    if (yRun) dy.get((int) w.py + at, v, 0, len); else java.util.Arrays.fill(v, 0, len, dy.get((int) w.py));
                    doubles(c, u, v, len);
                    dz.put((int) row + at, u, 0, len);
                }
                w.next();
            }
        }
        return z;
    }

    /**
     * The odometer over the outer dims (all but the last) of a shape walked in two strided arrays: where the current
     * row of each starts ({@code px}, {@code py}). Broadcasts here, in-place block copies in {@link Strided}.
     */
    static final class Rows {
        final long[] sh, ax, ay, idx;
        final int r;
        long px, py;

        Rows(long[] sh, long[] ax, long[] ay, int r) {
            this.sh = sh;
            this.ax = ax;
            this.ay = ay;
            this.r = r;
            idx = new long[r];
        }

        void next() {
            for (int d = r - 2; d >= 0; d--) {
                px += ax[d];
                py += ay[d];
                if (++idx[d] < sh[d]) return;
                px -= ax[d] * sh[d];
                py -= ay[d] * sh[d];
                idx[d] = 0;
            }
        }
    }

    private static boolean packed(INDArray x) {
        return x.length() > 0 && x.ordering() == 'c' && x.offset() == 0 && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x)
                && !x.isEmpty();
    }

    /** z = x op (y, or the scalar s when y is null), chunk by chunk. */
    private static INDArray run(int c, INDArray x, INDArray y, double s) {
        int n = (int) x.length();
        INDArray z = Pool.uninitialized(x.dataType(), x.shape());
        ByteBuffer bx = Strided.bytes(x), by = y == null ? null : Strided.bytes(y), bz = Strided.bytes(z);
        if (x.dataType() == DataType.FLOAT) {
            FloatBuffer fx = bx.asFloatBuffer(), fy = by == null ? null : by.asFloatBuffer(), fz = bz.asFloatBuffer();
            float[][] t = FLOATS.get();
            float[] u = t[0], v = t[1];
            for (int at = 0; at < n; at += CHUNK) {
                int len = Math.min(CHUNK, n - at);
                fx.get(at, u, 0, len);
                if (fy != null) fy.get(at, v, 0, len);
                else java.util.Arrays.fill(v, 0, len, (float) s);
                floats(c, u, v, len);
                fz.put(at, u, 0, len);
            }
        } else {
            DoubleBuffer dx = bx.asDoubleBuffer(), dy = by == null ? null : by.asDoubleBuffer(), dz = bz.asDoubleBuffer();
            double[][] t = DOUBLES.get();
            double[] u = t[0], v = t[1];
            for (int at = 0; at < n; at += CHUNK) {
                int len = Math.min(CHUNK, n - at);
                dx.get(at, u, 0, len);
                if (dy != null) dy.get(at, v, 0, len);
                else java.util.Arrays.fill(v, 0, len, s);
                doubles(c, u, v, len);
                dz.put(at, u, 0, len);
            }
        }
        return z;
    }

    private static void floats(int c, float[] u, float[] v, int len) {
        switch (c) {
            case 0 -> { for (int i = 0; i < len; i++) u[i] = u[i] + v[i]; }
            case 1 -> { for (int i = 0; i < len; i++) u[i] = u[i] - v[i]; }
            case 2 -> { for (int i = 0; i < len; i++) u[i] = u[i] * v[i]; }
            default -> { for (int i = 0; i < len; i++) u[i] = u[i] / v[i]; }
        }
    }

    private static void doubles(int c, double[] u, double[] v, int len) {
        switch (c) {
            case 0 -> { for (int i = 0; i < len; i++) u[i] = u[i] + v[i]; }
            case 1 -> { for (int i = 0; i < len; i++) u[i] = u[i] - v[i]; }
            case 2 -> { for (int i = 0; i < len; i++) u[i] = u[i] * v[i]; }
            default -> { for (int i = 0; i < len; i++) u[i] = u[i] / v[i]; }
        }
    }
}
