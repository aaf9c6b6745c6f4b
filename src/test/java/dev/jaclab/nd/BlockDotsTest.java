package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
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

    /** Seed s's values written out from a dense part (or zeros) plus terms: (S, n·w). */
    private static double[] written(double[] dense, long seeds, long n, long w, List<BlockDots.Term> terms) {
        double[] out = dense == null ? new double[(int) (seeds * n * w)] : dense.clone();
        for (BlockDots.Term t : terms) {
            double[] a = t.a().toDoubleArray(), f = t.f().toDoubleArray();
            for (int s = 0; s < seeds; s++)
                for (int r = 0; r < n; r++)
                    for (int e = 0; e < w; e++) out[(int) ((s * n + r) * w + e)] += a[(int) (s * n + r)] * f[(int) ((t.shared() ? r : s) * w + e)];
        }
        return out;
    }

    @Test void sumsOfDenseAndTermsMeetAsTheirWrittenOutValues() {
        long c = 3, p = 2, q = 3, n = 7, w = 4;
        NdArray da = NdArray.random(DType.FLOAT64, 6, true, c, p, n * w), db = NdArray.random(DType.FLOAT64, 7, true, c, q, n * w);
        List<BlockDots.Term> ta = List.of(new BlockDots.Term(NdArray.random(DType.FLOAT64, 8, true, c * p, n), NdArray.random(DType.FLOAT64, 9, true, c * p, w), false),
                new BlockDots.Term(NdArray.random(DType.FLOAT64, 10, true, c * p, n), NdArray.random(DType.FLOAT64, 11, true, n, w), true));
        List<BlockDots.Term> tb = List.of(new BlockDots.Term(NdArray.random(DType.FLOAT64, 12, true, c * q, n), NdArray.random(DType.FLOAT64, 13, true, n, w), true));
        for (boolean denseB : new boolean[]{true, false}) {
            double[] a = written(da.toDoubleArray(), c * p, n, w, ta), b = written(denseB ? db.toDoubleArray() : null, c * q, n, w, tb);
            double[] expected = BlockDots.of(NdArray.fromDoubles(DType.FLOAT64, a, c, p, n * w), NdArray.fromDoubles(DType.FLOAT64, b, c, q, n * w)).toDoubleArray();
            double[] got = BlockDots.ofSums(da, ta, denseB ? db : null, tb, c, new long[]{p, q}, n, w).toDoubleArray();
            assertArrayEquals(expected, got, 1e-12, denseB ? "both sides dense" : "one side terms only");
        }
    }

    @Test void sumsNameMismatchedShapes() {
        NdArray d = NdArray.zeros(DType.FLOAT64, 2, 3, 20);
        List<BlockDots.Term> bad = List.of(new BlockDots.Term(NdArray.zeros(DType.FLOAT64, 6, 5), NdArray.zeros(DType.FLOAT64, 6, 3), false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockDots.ofSums(d, List.of(), null, bad, 2, new long[]{3, 3}, 5, 4));
        assertTrue(e.getMessage().contains("(6,5)") && e.getMessage().contains("(6,3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BlockDots.ofSums(NdArray.zeros(DType.FLOAT64, 2, 3, 21), List.of(), d, List.of(), 2, new long[]{3, 3}, 5, 4));
        assertTrue(e.getMessage().contains("(2,3,21)"), e.getMessage());
    }
}
