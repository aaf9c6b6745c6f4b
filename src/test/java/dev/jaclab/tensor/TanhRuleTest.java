package dev.jaclab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.nd.DType;
import org.junit.jupiter.api.Test;

/**
 * tanh's VJP and JVP from its output in one pass (nothing recorded): bit for bit the two-op product v · (1 − h²) in
 * float32, plain and batched, a float64 tape through the two ops, and the work it states equal to what its shape trace
 * counts.
 */
class TanhRuleTest {
    private static Tensor f32(long seed, long... shape) { return Tensor.randn(seed, shape).cast(DType.FLOAT32); }

    /** v · (1 − h²) by two ops, without recording. */
    private static Tensor twoOps(Tensor v, Tensor h) {
        try (var off = Tensor.noGrad()) {
            return v.mul(h.mul(h).neg().add(1.0));
        }
    }

    private static void assertBitwise(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) assertEquals(Double.doubleToLongBits(e[i]), Double.doubleToLongBits(a[i]), what + " at " + i);
    }

    @Test void vjpAndJvpEqualTheTwoOpProductBitwise() {
        for (DType t : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.randn(1, 300, 7).cast(t).requiresGrad(), h = x.tanh();
            Tensor g = Tensor.randn(2, 300, 7).cast(t), gb = Tensor.randn(3, 4, 300, 7).cast(t);
            assertBitwise(twoOps(g, h), Autograd.grad(new Tensor[]{h}, new Tensor[]{x}, new Tensor[]{g}, new Autograd.Options(false, false))[0], t + " VJP");
            Tensor batched = Autograd.grad(new Tensor[]{h}, new Tensor[]{x}, new Tensor[]{gb}, new Autograd.Options(true, false))[0];
            assertBitwise(twoOps(gb, h), batched, t + " batched VJP");
            Tensor jvp = Autograd.jvp(new Tensor[]{h}, new Tensor[]{x}, new Tensor[]{gb}, true, false)[0];
            assertBitwise(twoOps(gb, h), jvp, t + " batched JVP");
        }
    }

    /** Recorded (createGraph) the product stays differentiable: the second derivative of Σ tanh is −2h(1 − h²). */
    @Test void recordedVjpIsDifferentiable() {
        Tensor x = Tensor.randn(4, 5, 3).cast(DType.FLOAT64).requiresGrad(), h = x.tanh();
        Tensor d = Autograd.grad(new Tensor[]{h}, new Tensor[]{x}, new Tensor[]{Tensor.ones(5, 3).cast(x.dtype())}, new Autograd.Options(false, true))[0];
        Tensor dd = Autograd.grad(new Tensor[]{d.sum()}, new Tensor[]{x}, new Tensor[]{Tensor.scalar(1, x.dtype())}, new Autograd.Options(false, false))[0];
        double[] hv = h.toDoubleArray(), ddv = dd.toDoubleArray();
        for (int i = 0; i < hv.length; i++) assertEquals(-2 * hv[i] * (1 - hv[i] * hv[i]), ddv[i], 1e-12, "at " + i);
    }

    @Test void statedWorkIsTheTracedWork() {
        Tensor x = f32(5, 64, 16).requiresGrad(), h = x.tanh(), gb = f32(6, 3, 64, 16);
        Work counted, traced;
        try (WorkMeter m = WorkMeter.open()) {
            Autograd.grad(new Tensor[]{h}, new Tensor[]{x}, new Tensor[]{gb}, new Autograd.Options(true, false));
            counted = m.work();
        }
        try (ShapeTrace t = ShapeTrace.open(); WorkMeter m = WorkMeter.open()) {
            Autograd.grad(new Tensor[]{h}, new Tensor[]{x}, new Tensor[]{gb}, new Autograd.Options(true, false));
            traced = m.work();
        }
        assertTrue(traced.closeTo(counted, 1e-12), "traced " + traced + "; counted " + counted);
        double e = 64 * 16, o = 3 * e;
        assertEquals(2 * e + o, counted.elementwise(), 1e-9, counted.toString());   // 1 − h², then the product
    }
}
