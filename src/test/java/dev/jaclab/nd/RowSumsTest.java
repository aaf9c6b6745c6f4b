package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Sums over a few leading rows (the loop) and over many (the gemm) against plain loops, float32 and float64. */
class RowSumsTest {
    @Test void sumsOverLeadingDimsMatchPlainLoops() {
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32})
            for (long[] shape : new long[][]{{2, 3, 5000}, {16, 7}, {17, 3}, {1, 4}, {3, 2, 2}}) {
                NdArray x = NdArray.random(t, 11, true, shape);
                double[] v = x.toDoubleArray();
                long rows = shape[0], cols = v.length / rows;
                double[] expected = new double[(int) cols];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) expected[c] = t == DType.FLOAT32 ? (float) (expected[c] + v[(int) (r * cols + c)]) : expected[c] + v[(int) (r * cols + c)];
                double tol = t == DType.FLOAT32 ? 1e-5 : 1e-13;
                assertArrayEquals(expected, x.sum(new int[]{0}, false).toDoubleArray(), tol, t + " " + java.util.Arrays.toString(shape));
            }
    }

    @Test void refusesWhatItDoesNotHandle() {
        NdArray many = NdArray.random(DType.FLOAT64, 1, true, 17, 4);
        assertNull(RowSums.sum(many.a, 17, 4), "more rows than the loop takes");
        NdArray square = NdArray.fromDoubles(DType.FLOAT64, new double[]{1, 2, 3, 4}, 2, 2);
        assertNull(RowSums.sum(square.a.transpose(), 2, 2), "a strided view");
    }
}
