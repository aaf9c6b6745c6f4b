package dev.jaclab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.nd.DType;
import org.junit.jupiter.api.Test;

/**
 * x·W + b as one node: bit for bit the product then the sum, the bias broadcast or per row, dtypes promoted, one
 * clear error for a bias that does not fit, and per-sample Jacobians through it equal to those through matmul + add
 * by every strategy that reads the product's row rules.
 */
class AffineTest {
    private static Tensor f32(long seed, long... shape) { return Tensor.randn(seed, shape).cast(DType.FLOAT32); }

    private static Tensor f64(long seed, long... shape) { return Tensor.randn(seed, shape).cast(DType.FLOAT64); }

    private static void assertBitwise(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertEquals(expected.dtype(), actual.dtype(), what);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) assertEquals(Double.doubleToLongBits(e[i]), Double.doubleToLongBits(a[i]), what + " at " + i);
    }

    @Test void equalsTheProductThenTheSumBitwise() {
        Tensor x = f32(1, 300, 7), w = f32(2, 7, 64);
        for (Tensor b : new Tensor[]{f32(3, 64), f32(4, 1, 64), f32(5, 300, 64)})
            assertBitwise(x.matmul(w).add(b), x.affine(w, b), "bias " + java.util.Arrays.toString(b.shape()));
        Tensor xb = f32(6, 2, 5, 7);                                   // broadcast batch dims of the product
        assertBitwise(xb.matmul(w).add(f32(7, 5, 64)), xb.affine(w, f32(7, 5, 64)), "batched product");
        assertBitwise(x.matmul(w), x.affine(w, null), "no bias");
    }

    @Test void promotesToTheWidestDtype() {
        Tensor x = f32(1, 4, 3), w = f32(2, 3, 2), b = Tensor.randn(3, 2).cast(DType.FLOAT64);
        Tensor y = x.affine(w, b);
        assertEquals(DType.FLOAT64, y.dtype());
        assertBitwise(x.matmul(w).add(b), y, "float32 product, float64 bias");
    }

    @Test void aBiasThatDoesNotFitIsOneClearError() {
        Tensor x = Tensor.randn(1, 4, 3), w = Tensor.randn(2, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.affine(w, Tensor.randn(3, 5)));
        assertTrue(e.getMessage().startsWith("affine: bias (5,)") && e.getMessage().contains("(4,3) @ (3,2) = (4,2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.affine(w, Tensor.randn(3, 2, 4, 2)));
        assertTrue(e.getMessage().startsWith("affine: bias (2,4,2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.affine(Tensor.randn(4, 2, 2), Tensor.randn(3, 2)));
        assertTrue(e.getMessage().startsWith("matmul: (4,3) @ (2,2)"), e.getMessage());
    }

    @Test void perSampleJacobiansThroughItEqualThoseThroughMatmulAndAdd() {
        Tensor w1 = f64(11, 3, 16), b1 = f64(12, 16), w2 = f64(13, 16, 2), b2 = f64(14, 2);
        Tensor x = f64(15, 40, 3).requiresGrad();
        java.util.function.Function<Tensor, Tensor> fused = v -> v.affine(w1, b1).tanh().affine(w2, b2);
        java.util.function.Function<Tensor, Tensor> plain = v -> v.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
        Tensor yFused = fused.apply(x), yPlain = plain.apply(x);
        for (String s : new String[]{"reverseSum", "forwardSum", "sparseRows(8)", "meetInMiddle(8)", "rowBlocks", "vmapJacrev"}) {
            boolean needsF = s.equals("rowBlocks") || s.equals("vmapJacrev");
            Tensor expected = (needsF ? Jacobian.of(plain, x) : Jacobian.of(yPlain, x)).perSample(Strategies.byName(s));
            Tensor actual = (needsF ? Jacobian.of(fused, x) : Jacobian.of(yFused, x)).perSample(Strategies.byName(s));
            double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
            for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-12 * Math.max(1, Math.abs(e[i])), s + " at " + i);
        }
    }
}
