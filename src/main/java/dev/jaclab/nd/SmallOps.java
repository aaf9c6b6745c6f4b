package dev.jaclab.nd;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * add, sub, mul, div (with a scalar or an array of the same shape) and neg on small host arrays, as Java loops.
 * Below ~64K elements ND4J's fixed cost per op — an op context, its input and output registrations, JNI calls,
 * ~10 µs — is most of an elementwise op; a loop over the packed buffers costs ~1 ns per element plus the output's
 * allocation. The arithmetic is the same IEEE operation in the same dtype, so results are bit for bit ND4J's.
 * Larger arrays keep ND4J's (possibly multi-threaded) routines.
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

    /** z = x op (y, or the scalar s when y is null), chunk by chunk. */
    private static INDArray run(int c, INDArray x, INDArray y, double s) {
        int n = (int) x.length();
        INDArray z = Nd4j.createUninitialized(x.dataType(), x.shape());
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
