package dev.jaclab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.nd.DType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tensor values: factories, composite ops against their definitions, batch levels, the per-sample flag. */
class TensorTest {
    private static DType saved;

    @BeforeAll static void float64() { saved = Tensor.defaultDType(); Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void restore() { Tensor.setDefaultDType(saved); }

    @Test void factoriesAndAccessors() {
        Tensor t = Tensor.of(new double[][]{{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(new long[]{2, 3}, t.shape());
        assertEquals(6, t.get(1, 2));
        assertEquals(DType.FLOAT64, t.dtype());
        assertArrayEquals(new double[]{0, 1, 2}, Tensor.arange(3).toDoubleArray());
        assertArrayEquals(new double[]{0, 0.5, 1}, Tensor.linspace(0, 1, 3).toDoubleArray());
        assertArrayEquals(Tensor.randn(5, 4).toDoubleArray(), Tensor.randn(5, 4).toDoubleArray(), "seeded");
        assertEquals(21, t.sum().item(), 1e-12);
        assertEquals(DType.FLOAT32, Tensor.zeros(DType.FLOAT32, 2).dtype());
        assertEquals(DType.FLOAT64, Tensor.zeros(DType.FLOAT32, 2).add(Tensor.zeros(2)).dtype(), "promotion");
    }

    @Test void compositesMatchTheirDefinitions() {
        Tensor x = Tensor.randn(1, 4, 5);
        double[] v = x.toDoubleArray();
        double[] relu = new double[v.length], sig = new double[v.length], sp = new double[v.length], abs = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            relu[i] = Math.max(0, v[i]);
            sig[i] = 1 / (1 + Math.exp(-v[i]));
            sp[i] = Math.log1p(Math.exp(v[i]));
            abs[i] = Math.abs(v[i]);
        }
        assertArrayEquals(relu, x.relu().toDoubleArray(), 1e-15);
        assertArrayEquals(sig, x.sigmoid().toDoubleArray(), 1e-15);
        assertArrayEquals(sp, x.softplus().toDoubleArray(), 1e-14);
        assertArrayEquals(abs, x.abs().toDoubleArray(), 1e-15);
        Tensor sm = x.softmax(1);
        assertTrue(sm.sum(new int[]{1}, false).allClose(Tensor.ones(4), 1e-14, 1e-14));
        assertTrue(x.logSoftmax(1).exp().allClose(sm, 1e-14, 1e-14));
        assertTrue(x.mul(100).logSumExp(new int[]{1}, false).allClose(x.mul(100).max(new int[]{1}, false), 1e-2, 0.7), "stable for large values");
        assertTrue(x.mean(new int[]{0}, true).allClose(x.sum(new int[]{0}, true).div(4), 1e-15, 0));
        assertTrue(x.cos().allClose(Tensor.fromArray(java.util.Arrays.stream(v).map(Math::cos).toArray(), 4, 5), 1e-14, 1e-15));
        assertTrue(x.abs().add(0.5).pow(Tensor.full(1.5, 4, 5)).allClose(x.abs().add(0.5).pow(1.5), 1e-14, 0));
        assertTrue(x.minimum(x.neg()).allClose(x.abs().neg(), 0, 0));
    }

    @Test void matmulVectorCasesFollowNumpy() {
        Tensor m = Tensor.randn(2, 3, 4), v = Tensor.randn(3, 4), w = Tensor.randn(4, 3);
        assertArrayEquals(new long[]{3}, m.matmul(v).shape());
        assertArrayEquals(new long[]{4}, w.matmul(m).shape());
        assertArrayEquals(new long[]{}, v.matmul(v).shape());
        assertEquals(v.square().sum().item(), v.matmul(v).item(), 1e-12);
        assertArrayEquals(new long[]{4, 4}, v.outer(v).shape());
    }

    @Test void batchLevelsRoundTripAndHideFromTheLogicalShape() {
        Tensor x = Tensor.randn(4, 5, 3);
        int level = Tensor.newLevel();
        Tensor b = x.toBatch(level);
        assertArrayEquals(new long[]{3}, b.shape());
        assertTrue(b.hasLevel(level));
        assertThrows(IllegalStateException.class, b::toDoubleArray);
        Tensor back = b.sin().toLogical(level, 5);
        assertFalse(back.hasLevel(level));
        assertTrue(back.allClose(x.sin(), 0, 0));
        // an unbatched operand broadcasts across the level; toLogical of a tensor lacking it broadcasts too
        Tensor c = Tensor.randn(6, 3);
        assertTrue(b.mul(c).toLogical(level, 5).allClose(x.mul(c), 0, 0));
        assertTrue(c.toLogical(level, 5).allClose(c.expand(5, 3), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> b.toLogical(level, 4));
    }

    @Test void perSampleFlagsFollowTheSampleAxis() {
        Tensor x = Tensor.randn(7, 8, 3).requiresGrad(), w = Tensor.randn(8, 3, 3);
        assertTrue(x.sin().node().primitive().perSample(x.sin().node(), 0));
        Tensor y = x.matmul(w);
        assertTrue(y.node().primitive().perSample(y.node(), 0), "rows of x stay rows");
        Tensor mixed = w.mT().matmul(x.mT());   // (3,3) @ (3,8): x's samples become columns, not a batch dim
        assertFalse(mixed.node().primitive().perSample(mixed.node(), 1));
        Tensor s0 = x.sum(new int[]{0}, true), s1 = x.sum(new int[]{1}, true);
        assertFalse(s0.node().primitive().perSample(s0.node(), 0));
        assertTrue(s1.node().primitive().perSample(s1.node(), 0));
        Tensor sh = x.narrow(0, 1, 7);
        assertFalse(sh.node().primitive().perSample(sh.node(), 0), "shifting samples mixes them");
    }

    @Test void primitiveNamesAreRecordedOnTheTape() {
        Tensor x = Tensor.randn(9, 2, 3).requiresGrad();
        Tensor y = x.sin();
        assertEquals("sin", y.node().primitive().name());
        assertTrue(y.node().inputs()[0] == x);
        assertEquals("sin(2,3)", y.node().toString());
        assertTrue(x.isLeaf() && !y.isLeaf());
    }
}
