package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The per-sample block products against the sums written out, float64; a factored side against its dense values. */
class BlockDotsTest {
    @Test void denseBlocksAreTheSamplesDotProducts() {
        long c = 4, p = 3, q = 2, x = 37;
        double[] a = NdArray.random(DType.FLOAT64, 1, true, c, p, x).toDoubleArray(), b = NdArray.random(DType.FLOAT64, 2, true, c, q, x).toDoubleArray();
        double[] out = BlockDots.of(NdArray.fromDoubles(DType.FLOAT64, a, c, p, x), NdArray.fromDoubles(DType.FLOAT64, b, c, q, x)).toDoubleArray();
        for (int s = 0; s < c; s++)
            for (int i = 0; i < p; i++)
                for (int k = 0; k < q; k++) {
                    double e = 0;
                    for (int j = 0; j < x; j++) e += a[(int) ((s * p + i) * x + j)] * b[(int) ((s * q + k) * x + j)];
                    assertEquals(e, out[(int) ((s * p + i) * q + k)], 1e-12);
                }
    }

    @Test void factoredSideEqualsItsDenseValues() {
        long c = 3, p = 2, q = 3, n = 11, w = 5;
        NdArray d = NdArray.random(DType.FLOAT64, 3, true, c, p, n * w), rowWeights = NdArray.random(DType.FLOAT64, 4, true, c * q, n);
        for (boolean shared : new boolean[]{false, true}) {
            NdArray f = NdArray.random(DType.FLOAT64, 5, true, shared ? n : c * q, w);
            double[] a = rowWeights.toDoubleArray(), fv = f.toDoubleArray(), dense = new double[(int) (c * q * n * w)];
            for (int s = 0; s < c * q; s++)                                   // seed s at row r: a[s, r]·f[s or r]
                for (int r = 0; r < n; r++)
                    for (int e = 0; e < w; e++) dense[(int) ((s * n + r) * w + e)] = a[(int) (s * n + r)] * fv[(int) ((shared ? r : s) * w + e)];
            double[] expected = BlockDots.of(d, NdArray.fromDoubles(DType.FLOAT64, dense, c, q, n * w)).toDoubleArray();
            double[] got = BlockDots.withFactor(d, rowWeights, f, shared).toDoubleArray();
            assertArrayEquals(expected, got, 1e-12, shared ? "shared features" : "per-seed features");
        }
    }

    @Test void mismatchedShapesAreNamed() {
        NdArray d = NdArray.zeros(DType.FLOAT64, 2, 3, 20), w = NdArray.zeros(DType.FLOAT64, 4, 5), f = NdArray.zeros(DType.FLOAT64, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockDots.withFactor(d, w, f, false));
        assertTrue(e.getMessage().contains("(2,3,20)") && e.getMessage().contains("(4,5)"), e.getMessage());
    }
}
