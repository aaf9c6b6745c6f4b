package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.autodiff.PrimitiveRows.Row;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every rule is batched: for each gradient-check row, one VJP (JVP) with a batch of B cotangents (tangents) equals
 * B single calls.
 */
class BatchedRulesTest extends Float64Scope {
    private static final int B = 3;
    private static final double TOL = 1e-12;

    private static Tensor[] leaves(Row r) {
        Tensor[] x = new Tensor[r.inputs().length];
        for (int i = 0; i < x.length; i++) x[i] = r.inputs()[i].detach().requiresGrad();
        return x;
    }

    private static Tensor slice(Tensor batch, int b) { return batch.select(0, b); }

    @TestFactory Stream<DynamicTest> batchedVjpEqualsLoopOfVjps() {
        return PrimitiveRows.all().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            Tensor[] x = leaves(r);
            Tensor y = r.f().apply(x);
            Tensor u = PrimitiveRows.randn(123, Shapes.concat(new long[]{B}, y.shape())).cast(y.dtype());
            Tensor[] batched = Autograd.grad(new Tensor[]{y}, x, new Tensor[]{u}, Autograd.Options.defaults().batched(true));
            for (int b = 0; b < B; b++) {
                Tensor[] single = Autograd.grad(new Tensor[]{y}, x, new Tensor[]{slice(u, b)}, Autograd.Options.defaults());
                for (int i = 0; i < x.length; i++) {
                    assertArrayEquals(Shapes.concat(new long[]{B}, x[i].shape()), batched[i].shape(), r + ": batched VJP shape, input " + i);
                    double err = slice(batched[i], b).maxAbsDiff(single[i]);
                    assertTrue(err <= TOL * (1 + maxAbs(single[i])), r + ": input " + i + ", cotangent " + b + ": batched VJP differs by " + err);
                }
            }
        }));
    }

    @TestFactory Stream<DynamicTest> batchedJvpEqualsLoopOfJvps() {
        return PrimitiveRows.all().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            Tensor[] x = leaves(r);
            Tensor y = r.f().apply(x);
            Tensor[] v = new Tensor[x.length];
            for (int i = 0; i < x.length; i++) v[i] = PrimitiveRows.randn(200 + i, Shapes.concat(new long[]{B}, x[i].shape()));
            Tensor batched = Autograd.jvp(new Tensor[]{y}, x, v, true, false)[0];
            assertArrayEquals(Shapes.concat(new long[]{B}, y.shape()), batched.shape(), r + ": batched JVP shape");
            for (int b = 0; b < B; b++) {
                Tensor[] vb = new Tensor[x.length];
                for (int i = 0; i < x.length; i++) vb[i] = slice(v[i], b);
                Tensor single = Autograd.jvp(new Tensor[]{y}, x, vb, false, false)[0];
                double err = slice(batched, b).maxAbsDiff(single);
                assertTrue(err <= TOL * (1 + maxAbs(single)), r + ": tangent " + b + ": batched JVP differs by " + err);
            }
        }));
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (double d : t.toDoubleArray()) m = Math.max(m, Math.abs(d));
        return m;
    }
}
