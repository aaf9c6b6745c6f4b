package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** In-place helpers write into the target's buffer, check operands, and survive arenas when owned. */
class InPlaceTest {
    static NdArray v(double... d) { return NdArray.fromDoubles(DType.FLOAT64, d, d.length); }

    /** Rows written in place, the permutation done by the copy (packed source: the host loop; a strided one: ND4J's). */
    @Test void assignRowsWritesABlockOfRowsPermuted() {
        for (DType t : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            NdArray dst = NdArray.zeros(t, 5, 2, 3);
            double[] vals = new double[2 * 2 * 3];
            for (int i = 0; i < vals.length; i++) vals[i] = i + 1;
            NdArray src = NdArray.fromDoubles(t, vals, 2, 2, 3);                     // (m = 2, k = 2 rows, n = 3)
            InPlace.assignRows(dst, 2, src, new int[]{1, 0, 2});                      // rows 2, 3 = src.permute(1, 0, 2)
            InPlace.assignRows(dst, 4, src.narrow(1, 0, 1).permute(1, 0, 2));          // row 4 = src[:, 0, :]
            for (int i = 0; i < 5; i++)
                for (int k = 0; k < 2; k++)
                    for (int j = 0; j < 3; j++) {
                        double want = i < 2 ? 0 : i < 4 ? vals[k * 6 + (i - 2) * 3 + j] : vals[k * 6 + j];
                        assertEquals(want, dst.getDouble(i, k, j), t + " at " + i + "," + k + "," + j);
                    }
            NdArray view = src.permute(1, 0, 2);                                      // a strided source: ND4J's route
            NdArray dst2 = NdArray.zeros(t, 2, 2, 3);
            InPlace.assignRows(dst2, 0, view.permute(1, 0, 2), new int[]{1, 0, 2});
            assertArrayEquals(view.toDoubleArray(), dst2.toDoubleArray());
        }
        String e = assertThrows(IllegalArgumentException.class,
                () -> InPlace.assignRows(NdArray.zeros(DType.FLOAT64, 3, 2), 2, NdArray.zeros(DType.FLOAT64, 2, 2))).getMessage();
        assertTrue(e.contains("assignRows") && e.contains("at row 2") && e.contains("(3,2)"), e);
    }

    @Test void axpyScaleAssignAndElementwiseHelpers() {
        NdArray y = InPlace.copyOwned(v(1, 2, 3), DType.FLOAT64);
        InPlace.axpy(2, v(1, 1, 1), y);
        assertArrayEquals(new double[]{3, 4, 5}, y.toDoubleArray());
        InPlace.scale(y, 0.5);
        InPlace.addScalar(y, 1);
        assertArrayEquals(new double[]{2.5, 3, 3.5}, y.toDoubleArray());
        InPlace.mul(y, v(2, 2, 4));
        InPlace.sqrt(y);
        assertArrayEquals(new double[]{Math.sqrt(5), Math.sqrt(6), Math.sqrt(14)}, y.toDoubleArray(), 1e-15);
        InPlace.assign(y, v(1, 2, 4));
        InPlace.divideInto(v(2, 2, 2), y);
        assertArrayEquals(new double[]{2, 1, 0.5}, y.toDoubleArray());
        InPlace.maximum(y, v(1, 1, 1));
        assertArrayEquals(new double[]{2, 1, 1}, y.toDoubleArray());
        assertEquals(2 * 1 + 1 * 2 + 1 * 3, InPlace.dot(y, v(1, 2, 3)), 1e-15);
        assertEquals(6, InPlace.squaredNorm(y), 1e-14);
        assertEquals(2, InPlace.maxAbs(y));
        InPlace.addAt(y, 2, 0.25);
        assertArrayEquals(new double[]{2, 1, 1.25}, y.toDoubleArray());
    }

    @Test void dotWorksOnMatrices() {
        NdArray a = NdArray.fromDoubles(DType.FLOAT64, new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(91, InPlace.dot(a, a), 1e-12);
        NdArray m = InPlace.copyOwned(a, DType.FLOAT64);
        InPlace.addAt(m, 4, 1);
        assertEquals(6, m.getDouble(1, 1));
    }

    @Test void mismatchedOperandsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InPlace.axpy(1, v(1, 2), InPlace.zerosOwned(DType.FLOAT64, 3)));
        assertTrue(e.getMessage().contains("axpy") && e.getMessage().contains("(2,)") && e.getMessage().contains("(3,)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InPlace.addAt(v(1), 1, 1));
    }

    @Test void ownedArraysOutliveAnArena() {
        NdArray owned;
        try (Arena arena = Arena.open()) {
            owned = InPlace.zerosOwned(DType.FLOAT32, 4);
            NdArray copy = InPlace.copyOwned(v(1, 2, 3, 4), DType.FLOAT32);
            InPlace.axpy(1, copy, owned);
        }
        assertArrayEquals(new double[]{1, 2, 3, 4}, owned.toDoubleArray());
    }
}
