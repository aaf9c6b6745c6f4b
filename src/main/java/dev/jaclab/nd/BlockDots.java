package dev.jaclab.nd;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * out[c, i, k] = Σ_x a[c, i, x]·b[c, k, x] for a (C, p, X), b (C, q, X): many tiny products with a long contraction,
 * the shape of a per-sample block assembled from tangents and cotangents over a whole tensor (p, q = 3, X = N·width).
 * ND4J's batched matmul runs each of the C products as its own gemm call (~0.3 ms apiece at C = 85, X = 8,192); this
 * is one pass over both operands, the sums accumulated in double.
 *
 * <pre>{@code
 * NdArray a = NdArray.random(DType.FLOAT32, 1, true, 85, 3, 8192), b = NdArray.random(DType.FLOAT32, 2, true, 85, 3, 8192);
 * NdArray blocks = BlockDots.of(a, b);     // (85, 3, 3)
 * }</pre>
 */
public final class BlockDots {
    private BlockDots() {}

    /** The C blocks a[c]·b[c]ᵀ, (C, p, q), in the operands' promoted dtype. */
    public static NdArray of(NdArray a, NdArray b) {
        long[] sa = a.shape(), sb = b.shape();
        if (sa.length != 3 || sb.length != 3 || sa[0] != sb[0] || sa[2] != sb[2])
            throw new IllegalArgumentException("block dots: a " + Shapes.str(sa) + " and b " + Shapes.str(sb) + " are not (C, p, X) and (C, q, X)");
        DType t = DType.promote(a.dtype(), b.dtype());
        long c = sa[0], p = sa[1], q = sb[1], x = sa[2];
        INDArray pa = NdArray.packedCopy(a.cast(t).a), pb = NdArray.packedCopy(b.cast(t).a);
        if (pa.length() > Integer.MAX_VALUE - 8 || pb.length() > Integer.MAX_VALUE - 8) return a.matmul(b.permute(0, 2, 1));
        double[] out = new double[(int) (c * p * q)];
        if (pa.dataType() == DataType.FLOAT) dotsFloat(buffer(pa).asFloatBuffer(), buffer(pb).asFloatBuffer(), c, p, q, x, out);
        else dotsDouble(buffer(pa).asDoubleBuffer(), buffer(pb).asDoubleBuffer(), c, p, q, x, out);
        return NdArray.fromDoubles(t, out, new long[]{c, p, q});
    }

    private static java.nio.ByteBuffer buffer(INDArray x) {
        long len = x.length() * x.dataType().width();
        return new org.bytedeco.javacpp.BytePointer(x.data().addressPointer()).capacity(len).limit(len).asByteBuffer().order(java.nio.ByteOrder.nativeOrder());
    }

    private static void dotsFloat(FloatBuffer a, FloatBuffer b, long c, long p, long q, long x, double[] out) {
        int n = (int) x;
        float[] ra = new float[(int) (p * x)], rb = new float[(int) (q * x)];
        for (int s = 0; s < c; s++) {
            a.get((int) (s * p * x), ra);
            b.get((int) (s * q * x), rb);
            for (int i = 0; i < p; i++)
                for (int k = 0; k < q; k++) {
                    double s0 = 0, s1 = 0;
                    int oa = i * n, ob = k * n, j = 0;
                    for (; j + 1 < n; j += 2) {
                        s0 += (double) ra[oa + j] * rb[ob + j];
                        s1 += (double) ra[oa + j + 1] * rb[ob + j + 1];
                    }
                    if (j < n) s0 += (double) ra[oa + j] * rb[ob + j];
                    out[(int) ((s * p + i) * q + k)] = s0 + s1;
                }
        }
    }

    private static void dotsDouble(DoubleBuffer a, DoubleBuffer b, long c, long p, long q, long x, double[] out) {
        int n = (int) x;
        double[] ra = new double[(int) (p * x)], rb = new double[(int) (q * x)];
        for (int s = 0; s < c; s++) {
            a.get((int) (s * p * x), ra);
            b.get((int) (s * q * x), rb);
            for (int i = 0; i < p; i++)
                for (int k = 0; k < q; k++) {
                    double s0 = 0, s1 = 0;
                    int oa = i * n, ob = k * n, j = 0;
                    for (; j + 1 < n; j += 2) {
                        s0 += ra[oa + j] * rb[ob + j];
                        s1 += ra[oa + j + 1] * rb[ob + j + 1];
                    }
                    if (j < n) s0 += ra[oa + j] * rb[ob + j];
                    out[(int) ((s * p + i) * q + k)] = s0 + s1;
                }
        }
    }
}
