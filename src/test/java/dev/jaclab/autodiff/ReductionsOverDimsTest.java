package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** sum / mean / var / std / max / min over dims given as varargs, like PyTorch: values against loops, gradients by finite differences. */
class ReductionsOverDimsTest extends Float64Scope {
    private static final Tensor X = Tensor.randn(3, 5, 4, 3);

    private static void gradChecks(String what, Function<Tensor, Tensor> f) {
        GradCheck.Result r = GradCheck.check(f, X);
        assertTrue(r.passed(), what + ": " + r);
    }

    @Test void varargDimsMatchArrayForms() {
        assertArrayEquals(new long[]{4, 3}, X.mean(0).shape());
        assertArrayEquals(new long[]{5}, X.sum(1, 2).shape());
        assertArrayEquals(new long[]{5}, X.mean(-1, -2).shape());
        assertEquals(0, X.mean(0).maxAbsDiff(X.mean(new int[]{0}, false)), 0);
        assertEquals(0, X.sum(1, 2).maxAbsDiff(X.sum(new int[]{1, 2}, false)), 0);
        assertEquals(0, X.max(2).maxAbsDiff(X.max(new int[]{2}, false)), 0);
        assertEquals(0, X.min(0, 1).maxAbsDiff(X.min(new int[]{0, 1}, false)), 0);
    }

    @Test void varianceAgainstALoop() {
        double[] v = X.toDoubleArray();                      // (5, 4, 3), var over dim 0 at each (j, k)
        double[] want = new double[12];
        for (int q = 0; q < 12; q++) {
            double mean = 0;
            for (int i = 0; i < 5; i++) mean += v[i * 12 + q] / 5;
            for (int i = 0; i < 5; i++) want[q] += (v[i * 12 + q] - mean) * (v[i * 12 + q] - mean);
        }
        double[] sample = X.var(0).toDoubleArray(), population = X.var(new int[]{0}, true, 0).toDoubleArray(), std = X.std(0).toDoubleArray();
        for (int q = 0; q < 12; q++) {
            assertEquals(want[q] / 4, sample[q], 1e-12);
            assertEquals(want[q] / 5, population[q], 1e-12);
            assertEquals(Math.sqrt(want[q] / 4), std[q], 1e-12);
        }
        assertArrayEquals(new long[]{1, 4, 3}, X.var(new int[]{0}, true, 0).shape());
        assertEquals(X.reshape(60).var(0).item(), X.var().item(), 1e-12);
    }

    @Test void gradientsByFiniteDifferences() {
        gradChecks("mean(0)", x -> x.mean(0));
        gradChecks("mean(1, 2)", x -> x.mean(1, 2));
        gradChecks("sum(-1)", x -> x.sum(-1));
        gradChecks("var(0)", x -> x.var(0));
        gradChecks("var(1, 2) population", x -> x.var(new int[]{1, 2}, true, 0));
        gradChecks("std(0)", x -> x.std(0));
        gradChecks("var()", Tensor::var);
    }

    @Test void badDimsNameTheOp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> X.mean(3));
        assertTrue(e.getMessage().contains("mean"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> X.var(0, 0));
        assertTrue(e.getMessage().contains("var") && e.getMessage().contains("repeated"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.randn(1, 1, 3).var(0));
        assertTrue(e.getMessage().contains("var") && e.getMessage().contains("degrees of freedom"), e.getMessage());
    }
}
