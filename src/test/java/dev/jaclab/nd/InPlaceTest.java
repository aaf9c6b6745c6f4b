package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** In-place helpers write into the target's buffer, check operands, and survive arenas when owned. */
class InPlaceTest {
    static NdArray v(double... d) { return NdArray.fromDoubles(DType.FLOAT64, d, d.length); }

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
