package dev.jaclab.nd;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sum of the few rows of a wide (m, k) host array (m ≤ {@link #MAX_ROWS}) as a Java loop: the sum over the
 * directions of a forward-Laplacian sweep or over a batch level of a cotangent, (2, N·64) → (N·64). ND4J's reduction
 * over a leading dim, and a ones(1, m) · X gemm with a tiny inner dimension, run an order of magnitude below memory
 * speed on such shapes; this reads each element once, a chunk of columns at a time, adding the rows in order.
 *
 * <pre>{@code
 * INDArray z = RowSums.sum(x, 2, 262144);   // (1, 262144); null when x is not a packed float host array of few rows
 * }</pre>
 */
final class RowSums {
    private RowSums() {}

    private static final boolean HOST = !Backend.kind().equals("CUDA");
    /** Arrays with up to this many rows take the loop. */
    static final long MAX_ROWS = 16;
    private static final int CHUNK = 2048;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[2][CHUNK]);
    private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[2][CHUNK]);

    /** Σ_r x[r, :] into a fresh (1, k) array, or null when x is not a packed float32/float64 host array of ≤ MAX_ROWS rows. */
    static INDArray sum(INDArray x, long m, long k) {
        DataType t = x.dataType();
        if (!HOST || m < 1 || m > MAX_ROWS || k < 1 || (t != DataType.FLOAT && t != DataType.DOUBLE) || x.length() != m * k
                || m * k > Integer.MAX_VALUE || x.ordering() != 'c' || x.offset() != 0
                || !org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x)) return null;
        INDArray z = Nd4j.createUninitialized(t, 1, k);
        ByteBuffer in = Strided.bytes(x), out = Strided.bytes(z);
        int rows = (int) m, cols = (int) k;
        if (t == DataType.FLOAT) floats(in.asFloatBuffer(), out.asFloatBuffer(), rows, cols);
        else doubles(in.asDoubleBuffer(), out.asDoubleBuffer(), rows, cols);
        return z;
    }

    private static void floats(FloatBuffer in, FloatBuffer out, int rows, int cols) {
        float[][] s = FLOATS.get();
        float[] acc = s[0], row = s[1];
        for (int pos = 0; pos < cols; pos += CHUNK) {
            int len = Math.min(CHUNK, cols - pos);
            in.get(pos, acc, 0, len);
            for (int r = 1; r < rows; r++) {
                in.get(r * cols + pos, row, 0, len);
                for (int i = 0; i < len; i++) acc[i] += row[i];
            }
            out.put(pos, acc, 0, len);
        }
    }

    private static void doubles(DoubleBuffer in, DoubleBuffer out, int rows, int cols) {
        double[][] s = DOUBLES.get();
        double[] acc = s[0], row = s[1];
        for (int pos = 0; pos < cols; pos += CHUNK) {
            int len = Math.min(CHUNK, cols - pos);
            in.get(pos, acc, 0, len);
            for (int r = 1; r < rows; r++) {
                in.get(r * cols + pos, row, 0, len);
                for (int i = 0; i < len; i++) acc[i] += row[i];
            }
            out.put(pos, acc, 0, len);
        }
    }
}
