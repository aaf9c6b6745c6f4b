package dev.jaclab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.autodiff.GradCheck;
import dev.jaclab.nd.DType;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tensor used several times gathers the sum of its cotangents. The reverse sweep writes that sum into a buffer it
 * made itself when nothing else holds it; these cases reuse one tensor in every way that could alias (a rule passing
 * its cotangent on to two inputs, the same input twice in one node, broadcasting, matmuls sharing a weight) and check
 * the gradients against hand-derived formulas, against the recorded sweep (createGraph: a new tensor per sum) bit for
 * bit, and against central differences (float64).
 */
class GradientAccumulationTest {
    private static DType saved;

    @BeforeAll static void float64() { saved = Tensor.defaultDType(); Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void restore() { Tensor.setDefaultDType(saved); }

    /** x·x + sin(x)·x + (2x + 3x)·x + x: the Add rule hands one cotangent to two inputs, Mul reads x twice. */
    static Tensor reused(Tensor x) {
        Tensor twoPlusThree = x.mul(2).add(x.mul(3));
        return x.mul(x).add(x.sin().mul(x)).add(twoPlusThree.mul(x)).add(x);
    }

    @Test void aTensorUsedManyTimesGetsTheSumOfItsCotangents() {
        double[] v = {0.3, -1.2, 2.0, 0.7};
        Tensor x = Tensor.of(v).requiresGrad();
        reused(x).sum().backward();
        double[] expected = new double[v.length];
        for (int k = 0; k < v.length; k++) expected[k] = 2 * v[k] + Math.cos(v[k]) * v[k] + Math.sin(v[k]) + 10 * v[k] + 1;
        assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-14);
        assertArrayEquals(recorded(GradientAccumulationTest::reused, x), x.grad().toDoubleArray(), 0.0, "as the recorded sweep");
    }

    /** A weight in three matmuls (a value and its tangents, as the forward Laplacian does), a bias broadcast over rows. */
    static Tensor sharedWeight(Tensor[] in) {
        Tensor w = in[0], b = in[1], x = in[2];
        Tensor z = x.matmul(w).add(b), t = x.mul(2).matmul(w), l = x.square().matmul(w);
        return z.tanh().mul(t).add(l.mul(z)).add(t.mul(t)).sum();
    }

    @Test void sharedWeightsMatchTheRecordedSweepAndCentralDifferences() {
        Tensor w = Tensor.randn(3, 3, 4), b = Tensor.randn(4, 4), x = Tensor.randn(5, 6, 3);
        Tensor[] in = {w.requiresGrad(), b.requiresGrad(), x.requiresGrad()};
        Tensor[] g = Autograd.grad(new Tensor[]{sharedWeight(in)}, in, new Tensor[]{Tensor.of(1.0).reshape()}, Autograd.Options.defaults());
        Tensor[] r = Autograd.grad(new Tensor[]{sharedWeight(in)}, in, new Tensor[]{Tensor.of(1.0).reshape()},
                Autograd.Options.defaults().createGraph(true));
        for (int i = 0; i < in.length; i++) assertArrayEquals(r[i].toDoubleArray(), g[i].toDoubleArray(), 0.0, "input " + i);
        GradCheck.assertGradients(GradientAccumulationTest::sharedWeight, new Tensor[]{w, b, x}, GradCheck.Options.defaults());
    }

    /** The gradient through a sweep that records itself: each sum is a new tensor on the tape. */
    private static double[] recorded(Function<Tensor, Tensor> f, Tensor x) {
        Tensor y = f.apply(x).sum();
        return Autograd.grad(new Tensor[]{y}, new Tensor[]{x}, new Tensor[]{Tensor.of(1.0).reshape()},
                Autograd.Options.defaults().createGraph(true))[0].toDoubleArray();
    }
}
