package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.Test;

/**
 * The pool reissues a buffer only once every value in it is dead: never while a kept or live array shares it, never
 * twice at once, and a wrapper or view of a reissued buffer reads as closed instead of showing the new value.
 */
class PoolTest {
    static NdArray input() { return NdArray.random(DType.FLOAT32, 7, true, 64, 8); }

    @Test void aFreedBufferIsReissuedAndItsOldWrapperReadsAsClosed() {
        NdArray x = input();
        NdArray dead, kept;
        try (Arena arena = Arena.open()) {
            dead = x.mul(2.0);
            kept = x.add(1.0);
            arena.keep(kept);
        }
        long deadAt = Pool.address(dead.a), keptAt = Pool.address(kept.a);
        assertTrue(dead.isClosed(), "the temporary is released");
        NdArray next = x.sin();                                   // same dtype and shape: the dead buffer comes back
        assertEquals(deadAt, Pool.address(next.a), "the freed buffer is reused");
        assertNotEquals(keptAt, Pool.address(next.a), "a kept buffer is never reissued");
        assertTrue(dead.isClosed(), "the old wrapper of the reissued buffer still reads as closed");
        assertFalse(next.isClosed());
        double[] xv = x.toDoubleArray(), kv = kept.toDoubleArray(), nv = next.toDoubleArray();
        for (int i = 0; i < xv.length; i++) {
            assertEquals((float) (xv[i] + 1.0), kv[i], 0, "the kept value is intact at " + i);
            assertEquals(Math.sin(xv[i]), nv[i], 1e-6, "the new value at " + i);
        }
    }

    @Test void aLiveArrayIsNeverReissuedInsideItsArena() {
        NdArray x = input();
        try (Arena arena = Arena.open()) {
            NdArray live = x.mul(3.0), dead = x.mul(4.0);
            long deadAt = Pool.address(dead.a);
            arena.collect(List.of(live));                         // dead is pooled, live stays
            NdArray a = x.add(5.0), b = x.add(6.0);               // the first takes dead's buffer, the second a fresh one
            assertEquals(deadAt, Pool.address(a.a));
            assertNotEquals(Pool.address(live.a), Pool.address(b.a));
            assertNotEquals(Pool.address(live.a), Pool.address(a.a));
            double[] xv = x.toDoubleArray(), lv = live.toDoubleArray();
            for (int i = 0; i < xv.length; i++) assertEquals((float) (xv[i] * 3.0), lv[i], 0, "live value intact at " + i);
        }
    }

    @Test void aViewOfAReissuedBufferReadsAsClosed() {
        NdArray x = input(), view;
        try (Arena arena = Arena.open()) {
            view = x.mul(2.0).reshape(8, 64);                    // a view of a temporary nobody keeps
        }
        NdArray next = x.cos();
        assertEquals(Pool.address(view.a), Pool.address(next.a), "the view's buffer was reissued");
        assertTrue(view.isClosed(), "so the view reads as closed, not as the new value");
    }

    @Test void twoOwnersOfOneBufferPoolItOnce() {
        INDArray raw = Nd4j.createUninitialized(DataType.FLOAT, 64, 8);
        try (Arena arena = Arena.open()) {
            new NdArray(raw);
            new NdArray(raw);                                     // a second owner wrapper of the same array
        }
        INDArray a = Pool.uninitialized(DataType.FLOAT, 64, 8), b = Pool.uninitialized(DataType.FLOAT, 64, 8);
        assertNotEquals(Pool.address(a), Pool.address(b), "one buffer is issued to one array at a time");
    }

    /** Outputs written by gemm or ND4J's matmul (beta = 0) over a reissued buffer full of NaN: no old value leaks in. */
    @Test void aReissuedBuffersOldContentsNeverReachAResult() {
        for (DType t : DType.values()) {
            long[][][] cases = {{{5, 7}, {7, 6}}, {{3, 5, 7}, {3, 7, 6}}, {{3, 5, 7}, {7, 6}}};
            for (long[][] c : cases) {
                NdArray p = NdArray.random(t, 1, true, c[0]), q = NdArray.random(t, 2, true, c[1]);
                long[] out = NdArrayTest.naiveMatmul(p, q).shape();
                try (Arena arena = Arena.open()) {
                    for (int k = 0; k < 3; k++) NdArray.zeros(t, out).add(Double.NaN);   // NaN buffers of the output's shape
                }
                NdArray z = p.matmul(q);
                NdArrayTest.assertClose(NdArrayTest.naiveMatmul(p, q), z, t == DType.FLOAT32 ? 1e-5 : 1e-12);
            }
        }
    }

    @Test void freedArraysOfOneShapePileUpToABound() {
        long before = Pool.pooledBytes();
        try (Arena arena = Arena.open()) {
            for (int k = 0; k < Pool.MAX_PER_SHAPE + 10; k++) NdArray.zeros(DType.FLOAT32, 13, 17).add(1.0);
        }
        assertTrue(Pool.pooledBytes() - before <= Pool.MAX_PER_SHAPE * 13 * 17 * 4L, "at most " + Pool.MAX_PER_SHAPE + " arrays of a shape");
        assertTrue(Pool.pooledBytes() <= Pool.MAX_THREAD_BYTES);
    }

    @Test void largeArraysAreFreedNotPooled() {
        long before = Pool.pooledBytes();
        NdArray big;
        try (Arena arena = Arena.open()) {
            big = NdArray.zeros(DType.FLOAT32, 1, (Pool.MAX_ARRAY_BYTES / 4) + 1).add(1.0);
        }
        assertTrue(big.a.wasClosed(), "freed at once");
        assertEquals(before, Pool.pooledBytes());
    }

    /** (2049, 2048) float32: just over the 16 MiB of a small pooled array. */
    static NdArray largeInput(long seed) { return NdArray.random(DType.FLOAT32, seed, true, 2049, 2048); }

    /**
     * A large freed buffer is held until the thread's next large request: reissued when dtype and element count match
     * (packed in the asked shape; its old wrapper reads as closed, the other stays held), all freed before anything
     * large is made, and when the outermost arena closes; at most MAX_LARGE are held.
     */
    @Test void largeBuffersAreHeldUntilTheNextLargeRequestOnly() {
        NdArray x = largeInput(3), last;
        try (Arena outer = Arena.open()) {
            NdArray a, b, c;
            try (Arena inner = Arena.open()) {
                a = x.mul(2.0);
                b = x.add(1.0);
                c = x.add(-1.0);
            }
            assertEquals(2, Pool.MAX_LARGE);
            assertTrue(a.isClosed() && b.isClosed() && c.isClosed(), "released");
            assertEquals(2, (a.a.wasClosed() ? 0 : 1) + (b.a.wasClosed() ? 0 : 1) + (c.a.wasClosed() ? 0 : 1), "two held, one freed");
            NdArray next = x.reshape(2048, 2049).sin();             // same element count, another shape: a held one comes back
            long at = Pool.address(next.a);
            assertTrue(List.of(a, b, c).stream().anyMatch(h -> !h.a.wasClosed() && Pool.address(h.a) == at), "a held buffer is reused");
            List<NdArray> stillHeld = List.of(a, b, c).stream().filter(h -> !h.a.wasClosed() && Pool.address(h.a) != at).toList();
            assertEquals(1, stillHeld.size(), "the other held buffer stays held for the next large request");
            long heldAt = Pool.address(stillHeld.get(0).a);
            assertArrayEquals(new long[]{2048, 2049}, next.shape());
            assertFalse(next.a.isView(), "a whole array an arena can free");
            assertTrue(a.isClosed() && b.isClosed(), "old wrappers of a reissued buffer read as closed");
            double[] xv = x.toDoubleArray(), nv = next.toDoubleArray();
            for (int i = 0; i < xv.length; i += 4099) assertEquals(Math.sin(xv[i]), nv[i], 1e-6, "the new value at " + i);
            NdArray d;
            try (Arena inner = Arena.open()) {
                d = x.mul(3.0);
                assertEquals(heldAt, Pool.address(d.a), "the buffer held since the matching request is reissued");
            }
            assertFalse(d.a.wasClosed(), "held");
            NdArray other = NdArray.random(DType.FLOAT32, 4, true, 4097, 2048).mul(1.0);   // another element count
            assertTrue(d.a.wasClosed(), "freed before the other large array is made");
            assertFalse(other.isClosed());
            try (Arena inner = Arena.open()) {
                d = x.mul(4.0);
            }
            assertFalse(d.a.wasClosed(), "held");
            last = d;
        }
        assertTrue(last.a.wasClosed(), "the outermost arena frees what is held");
    }
}
