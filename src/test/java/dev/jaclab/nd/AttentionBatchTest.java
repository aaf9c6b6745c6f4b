package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batched dense JVP and VJP of attention equal, seed by seed, the forward- and reverse-mode derivatives of the
 * plain formula softmax(q·kᵀ·scale)·v (float64), whatever the sub-batch and block sizes (remainders included).
 */
class AttentionBatchTest {
    static final long N = 7, M = 9, D = 4, W = 3, C = 5;
    static final double SCALE = 0.7;

    private static Tensor plain(Tensor q, Tensor k, Tensor v) { return q.matmul(k.mT()).mul(SCALE).softmax(1).matmul(v); }

    @ParameterizedTest @ValueSource(longs = {9, 20, 100, 1L << 21})
    void jvpEqualsForwardModePerSeed(long block) {
        Tensor q = Tensor.randn(1, N, D).cast(DType.FLOAT64), k = Tensor.randn(2, M, D).cast(DType.FLOAT64), v = Tensor.randn(3, M, W).cast(DType.FLOAT64);
        Tensor y = plain(q, k, v);
        Tensor dq = Tensor.randn(4, C, N, D).cast(DType.FLOAT64), dk = Tensor.randn(5, C, M, D).cast(DType.FLOAT64), dv = Tensor.randn(6, C, M, W).cast(DType.FLOAT64);
        boolean[][] which = {{true, true, true}, {false, true, false}, {true, false, false}, {false, false, true}};
        for (boolean[] on : which) {
            NdArray got = AttentionBatch.jvp(q.data(), k.data(), v.data(), y.data(), on[0] ? dq.data() : null, on[1] ? dk.data() : null,
                    on[2] ? dv.data() : null, SCALE, block);
            for (int c = 0; c < C; c++) {
                Tensor[] t = {on[0] ? dq.select(0, c) : Tensor.zeros(q.dtype(), N, D), on[1] ? dk.select(0, c) : Tensor.zeros(q.dtype(), M, D),
                        on[2] ? dv.select(0, c) : Tensor.zeros(q.dtype(), M, W)};
                Tensor[] qkv = {q.requiresGrad(), k.requiresGrad(), v.requiresGrad()};
                Tensor want = Autograd.jvp(new Tensor[]{plain(qkv[0], qkv[1], qkv[2])}, qkv, t, false, false)[0];
                assertClose(want, Tensor.wrap(got).select(0, c), "jvp seed " + c + ", block " + block);
            }
        }
    }

    @ParameterizedTest @ValueSource(longs = {9, 20, 100, 1L << 21})
    void vjpEqualsReverseModePerSeed(long block) {
        Tensor q = Tensor.randn(1, N, D).cast(DType.FLOAT64).requiresGrad(), k = Tensor.randn(2, M, D).cast(DType.FLOAT64).requiresGrad(), v = Tensor.randn(3, M, W).cast(DType.FLOAT64).requiresGrad();
        Tensor y = plain(q, k, v);
        Tensor g = Tensor.randn(7, C, N, W).cast(DType.FLOAT64);
        NdArray[] got = AttentionBatch.vjp(q.data(), k.data(), v.data(), y.data(), g.data(), SCALE, true, true, true, block);
        NdArray[] onlyK = AttentionBatch.vjp(q.data(), k.data(), v.data(), y.data(), g.data(), SCALE, false, true, false, block);
        assertNull(onlyK[0]);
        assertNull(onlyK[2]);
        for (int c = 0; c < C; c++) {
            Tensor[] want = Autograd.grad(new Tensor[]{y}, new Tensor[]{q, k, v}, new Tensor[]{g.select(0, c)}, Autograd.Options.defaults());
            for (int i = 0; i < 3; i++) assertClose(want[i], Tensor.wrap(got[i]).select(0, c), "vjp input " + i + ", seed " + c + ", block " + block);
            assertClose(want[1], Tensor.wrap(onlyK[1]).select(0, c), "vjp dk alone, seed " + c);
        }
    }

    @Test
    void mismatchedSeedBatchNamesTheShapes() {
        NdArray q = NdArray.zeros(DType.FLOAT64, 4, 2), v = NdArray.zeros(DType.FLOAT64, 4, 3);
        var e = assertThrows(IllegalArgumentException.class,
                () -> AttentionBatch.vjp(q, q, v, v, NdArray.zeros(DType.FLOAT64, 2, 5, 3), 1.0, true, true, true));
        assertTrue(e.getMessage().contains("(2,5,3)") && e.getMessage().contains("(C, 4, 3)"), e.getMessage());
    }

    private static void assertClose(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        double[] a = want.data().toDoubleArray(), b = got.data().toDoubleArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-12 * (1 + Math.abs(a[i])), what + " at " + i);
    }
}
