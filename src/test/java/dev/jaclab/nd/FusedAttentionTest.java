package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The streamed forward equals softmax(q·kᵀ·scale)·v for any block size; the fused row-restricted VJP equals the full
 * attention VJP with a one-hot-row cotangent, seed by seed: dq is row r_c of dQ, OWN_ROW parts are row r_c of dK / dV,
 * ALL_ROWS parts are the whole of dK / dV.
 */
class FusedAttentionTest {
    static final long N = 9, D = 4, DV = 3;
    static final double SCALE = 0.6;

    @ParameterizedTest @EnumSource(DType.class)
    void equalsTheDenseVjpPerSeed(DType t) {
        Tensor q = Tensor.randn(1, N, D).cast(t).requiresGrad(), k = Tensor.randn(2, N, D).cast(t).requiresGrad();
        Tensor v = Tensor.randn(3, N, DV).cast(t).requiresGrad();
        Tensor y = Tensor.attention(q, k, v, SCALE);
        long[] rows = {4, 4, 0, 8, 8, 4};          // runs of one row share their softmax row
        Tensor g = Tensor.randn(4, rows.length, DV).cast(t);
        FusedAttention.Grads own = FusedAttention.vjp(q.detach().indexSelect(0, rows).data(), k.data(), v.data(), g.data(),
                y.detach().indexSelect(0, rows).data(), rows, SCALE, true, FusedAttention.Part.OWN_ROW, FusedAttention.Part.OWN_ROW);
        FusedAttention.Grads all = FusedAttention.vjp(q.detach().indexSelect(0, rows).data(), k.data(), v.data(), g.data(),
                y.detach().indexSelect(0, rows).data(), rows, SCALE, false, FusedAttention.Part.ALL_ROWS, FusedAttention.Part.ALL_ROWS);
        assertNull(all.dq());
        double tol = t == DType.FLOAT64 ? 1e-12 : 1e-5;
        for (int c = 0; c < rows.length; c++) {
            Tensor ct = g.narrow(0, c, 1).scatterAdd(0, new long[]{rows[c]}, N);             // one-hot row r_c
            Tensor[] ref = Autograd.grad(new Tensor[]{y}, new Tensor[]{q, k, v}, new Tensor[]{ct}, Autograd.Options.defaults());
            long r = rows[c];
            assertClose(ref[0].narrow(0, r, 1), row(own.dq(), c), tol, "dq");
            assertClose(ref[1].narrow(0, r, 1), row(own.dk(), c), tol, "dk own row");
            assertClose(ref[2].narrow(0, r, 1), row(own.dv(), c), tol, "dv own row");
            assertClose(ref[1], Tensor.wrap(all.dk()).select(0, c), tol, "dk all rows");
            assertClose(ref[2], Tensor.wrap(all.dv()).select(0, c), tol, "dv all rows");
        }
    }

    @ParameterizedTest @EnumSource(DType.class)
    void streamedForwardEqualsSoftmaxTimesValues(DType t) {
        Tensor q = Tensor.randn(1, N, D).cast(t), k = Tensor.randn(2, N + 2, D).cast(t), v = Tensor.randn(3, N + 2, DV).cast(t);
        Tensor want = q.matmul(k.mT()).mul(SCALE).softmax(1).matmul(v);
        for (long block : new long[]{1, 4, N, 100})                      // one row, blocks with a remainder, whole, more than all
            assertClose(want, Tensor.wrap(FusedAttention.forward(q.data(), k.data(), v.data(), SCALE, block)),
                    t == DType.FLOAT64 ? 1e-12 : 1e-5, "forward, blocks of " + block);
    }

    @org.junit.jupiter.api.Test
    void mismatchedRowsNameTheShapes() {
        NdArray a = NdArray.zeros(DType.FLOAT64, 2, 4), k = NdArray.zeros(DType.FLOAT64, 5, 4), v = NdArray.zeros(DType.FLOAT64, 5, 3);
        NdArray g = NdArray.zeros(DType.FLOAT64, 2, 3);
        var e = assertThrows(IllegalArgumentException.class,
                () -> FusedAttention.vjp(a, k, v, g, g, new long[]{1}, 1.0, true, FusedAttention.Part.NONE, FusedAttention.Part.NONE));
        assertTrue(e.getMessage().contains("(2,4)") && e.getMessage().contains("1 rows"), e.getMessage());
    }

    private static Tensor row(NdArray a, int c) { return Tensor.wrap(a).narrow(0, c, 1); }

    private static void assertClose(Tensor want, Tensor got, double tol, String what) {
        double diff = want.cast(DType.FLOAT64).maxAbsDiff(got.cast(DType.FLOAT64));
        assertTrue(diff < tol, what + " differs by " + diff);
    }
}
