package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float32 kernels against java.lang.Math (in double, rounded to float) over wide ranges, dense grids and the edge
 * cases (NaN, ±∞, ±0, subnormals, huge arguments), within the ulp bounds their Javadoc states.
 */
class FloatKernelsTest {
    static final float[] EDGES = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE,
            Float.MIN_NORMAL, 1e-30f, -1e-30f, 1e-7f, -3e-4f, 0x1p-12f, -0x1p-12f, 1f, -1f, (float) Math.PI, (float) (Math.PI / 2), (float) (-Math.PI / 4),
            8191.9f, 8192f, -8192.5f, 1e5f, -3e7f, 1e30f, Float.MAX_VALUE, -Float.MAX_VALUE, 9f, 10f, 20f, -20f, 87f, -87f, 88f, 88.5f, 88.72f, 88.73f,
            -87.5f, -103f, -104f, -150f, 200f};

    /** The largest error in ulps of the reference (float) result; NaN, infinities and signed zeros must match exactly. */
    static double maxUlp(FloatKernels.Fn f, DoubleUnaryOperator ref, float[] xs) {
        double worst = 0;
        float[][] s = new float[5][];
        for (int at = 0; at < xs.length; at += 1024) {
            int len = Math.min(1024, xs.length - at);
            for (int i = 0; i < 5; i++) s[i] = new float[1024];
            System.arraycopy(xs, at, s[0], 0, len);
            FloatKernels.run(f, s, len);
            for (int i = 0; i < len; i++) {
                float x = xs[at + i], want = (float) ref.applyAsDouble(x), got = s[1][i];
                if (Float.isNaN(want) || Float.isInfinite(want) || want == 0) {
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), f + "(" + x + "): " + got + " instead of " + want);
                    continue;
                }
                double ulp = Math.abs((double) got - want) / Math.ulp(want);
                if (ulp > worst) worst = ulp;
            }
        }
        return worst;
    }

    static float[] samples(double lo, double hi, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n + EDGES.length];
        for (int i = 0; i < n / 2; i++) v[i] = (float) (lo + (hi - lo) * i / (n / 2.0));              // a dense grid
        for (int i = n / 2; i < n; i++) v[i] = (float) (r.nextDouble(lo, hi) * Math.pow(2, -r.nextInt(30)));   // all scales
        System.arraycopy(EDGES, 0, v, n, EDGES.length);
        return v;
    }

    /** The range check on the bits agrees with the float comparison on every edge value and at every chunk position. */
    @Test void rangeCheckOnTheBitsMatchesTheComparison() {
        float[][] ranges = {{0x1p-12f, 8192f}, {0x1p-12f, Float.POSITIVE_INFINITY}, {0f, 1f}};
        float[] chunk = new float[1024];
        java.util.Arrays.fill(chunk, 0.5f);
        for (float[] r : ranges) {
            assertTrue(FloatKernels.within(chunk, 1024, r[0], r[1]));
            for (float e : EDGES)
                for (int at : new int[]{0, 7, 1023}) {
                    chunk[at] = e;
                    float m = Math.abs(e);
                    assertEquals(m >= r[0] && m <= r[1], FloatKernels.within(chunk, 1024, r[0], r[1]), e + " at " + at + " in " + r[0] + ".." + r[1]);
                    assertTrue(FloatKernels.within(chunk, at, r[0], r[1]), "only the first " + at + " elements are read");
                    chunk[at] = 0.5f;
                }
        }
    }

    @Test void sinAndCosWithinTwoUlp() {
        float[] xs = samples(-9000, 9000, 400_000, 1);
        assertTrue(maxUlp(FloatKernels.Fn.SIN, Math::sin, xs) <= 2, "sin");
        assertTrue(maxUlp(FloatKernels.Fn.COS, Math::cos, xs) <= 2, "cos");
        float[] small = samples(-7, 7, 200_000, 2);
        assertTrue(maxUlp(FloatKernels.Fn.SIN, Math::sin, small) <= 2, "sin near 0");
        assertTrue(maxUlp(FloatKernels.Fn.COS, Math::cos, small) <= 2, "cos near 0");
    }

    @Test void expWithinOneUlp() {
        assertTrue(maxUlp(FloatKernels.Fn.EXP, Math::exp, samples(-110, 95, 400_000, 3)) <= 1, "exp");
    }

    @Test void tanhWithinThreeUlp() {
        assertTrue(maxUlp(FloatKernels.Fn.TANH, Math::tanh, samples(-25, 25, 400_000, 4)) <= 3, "tanh");
        assertTrue(maxUlp(FloatKernels.Fn.TANH, Math::tanh, samples(-1, 1, 200_000, 5)) <= 3, "tanh near 0");
    }

    @Test void oneMinusSquareIsTheTwoRoundings() {
        float[] xs = samples(-3, 3, 10_000, 6);
        assertEquals(0, maxUlp(FloatKernels.Fn.ONE_MINUS_SQUARE, v -> 1f - (float) v * (float) v, xs));
    }

    @Test void buffersOfEveryLengthAgreeWithTheChunkKernel() {
        for (int n : new int[]{1, 7, 1024, 1025, 5000}) {
            float[] xs = samples(-4, 4, n, n);
            INDArray x = Nd4j.create(java.util.Arrays.copyOf(xs, n), new long[]{n}, 'c');
            assertTrue(FloatKernels.supported(x));
            float[] got = FloatKernels.apply(FloatKernels.Fn.TANH, x).toFloatVector();
            for (int i = 0; i < n; i++) assertEquals((float) Math.tanh(xs[i]), got[i], 3 * Math.ulp((float) Math.tanh(xs[i])) + 1e-30, "at " + i);
        }
        assertFalse(FloatKernels.supported(Nd4j.create(DataType.DOUBLE, 4)), "float64 keeps ND4J's routines");
        assertFalse(FloatKernels.supported(Nd4j.create(DataType.FLOAT, 4, 4).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3))), "strided views keep ND4J's routines");
    }
}
