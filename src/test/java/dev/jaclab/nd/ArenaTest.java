package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** An arena frees what was made inside it, and nothing that was kept, shared with a kept array, or made outside. */
class ArenaTest {
    @Test void freesTemporariesKeepsResultsAndInputs() {
        NdArray input = NdArray.random(DType.FLOAT32, 1, true, 64, 8);
        NdArray temp, kept, keptView;
        try (Arena arena = Arena.open()) {
            temp = input.mul(2.0);
            NdArray t2 = input.add(1.0);
            kept = t2.reshape(8, 64);                 // a view of t2: keeping it keeps t2's buffer
            NdArray transposed = input.permute(1, 0); // shares input's buffer
            keptView = input.matmul(transposed);
            arena.keep(kept, keptView);
        }
        assertTrue(temp.isClosed(), "temporary freed (or recycled: its buffer may hold another value now)");
        assertEquals(64 * 8, kept.toDoubleArray().length);
        assertEquals(input.toDoubleArray()[0] + 1.0, kept.toDoubleArray()[0], 1e-6);
        assertEquals(64 * 64, keptView.toDoubleArray().length);
        assertFalse(input.a.wasClosed(), "arrays made outside are never freed");
        assertEquals(64 * 8, input.toDoubleArray().length);
    }
}
