package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Second derivatives: gradients taken with createGraph are differentiable again, in reverse and forward mode. */
class HigherOrderTest extends Float64Scope {
    private static final Autograd.Options CREATE_GRAPH = Autograd.Options.defaults().createGraph(true);

    /** ∇f(x) as a recorded tensor (createGraph), so it can be differentiated again. */
    static Tensor gradient(Function<Tensor, Tensor> f, Tensor x) {
        return Autograd.grad(new Tensor[]{f.apply(x)}, new Tensor[]{x}, new Tensor[]{Tensor.scalar(1.0)}, CREATE_GRAPH)[0];
    }

    /** (∇f(x + ε v) − ∇f(x − ε v)) / 2ε: a Hessian-vector product from differences of first derivatives. */
    static Tensor fdHessianVector(Function<Tensor, Tensor> f, Tensor x, Tensor v, double eps) {
        Tensor p = x.detach().add(v.mul(eps)).requiresGrad(), m = x.detach().sub(v.mul(eps)).requiresGrad();
        return gradient(f, p).sub(gradient(f, m)).div(2 * eps).detach();
    }

    static final Function<Tensor, Tensor> SIN_X_SQUARED = x -> x.sin().mul(x.square()).sum();

    static Function<Tensor, Tensor> tanhMlp() {
        Tensor w1 = PrimitiveRows.randn(11, 3, 5).mul(0.7), b1 = PrimitiveRows.randn(12, 5).mul(0.1);
        Tensor w2 = PrimitiveRows.randn(13, 5, 2).mul(0.7);
        return x -> x.matmul(w1).add(b1).tanh().matmul(w2).tanh().square().sum();
    }

    private static void checkHessianVector(Function<Tensor, Tensor> f, Tensor x0) {
        Tensor x = x0.detach().requiresGrad();
        Tensor v = PrimitiveRows.randn(77, x.shape());
        Tensor g = gradient(f, x);
        Tensor reverseOverReverse = Autograd.vjp(g, x, v, false);   // H v (H symmetric)
        Tensor forwardOverReverse = Autograd.jvp(g, x, v, false);   // H v through the recorded gradient graph
        Tensor fd = fdHessianVector(f, x, v, 1e-5);
        double scale = 1 + BatchedRulesTest.maxAbs(fd);
        assertTrue(reverseOverReverse.maxAbsDiff(fd) < 1e-7 * scale, "reverse-over-reverse H v: " + reverseOverReverse.maxAbsDiff(fd));
        assertTrue(forwardOverReverse.maxAbsDiff(fd) < 1e-7 * scale, "forward-over-reverse H v: " + forwardOverReverse.maxAbsDiff(fd));
    }

    @Test void hessianVectorOfSumSinTimesSquareMatchesFiniteDifferences() {
        checkHessianVector(SIN_X_SQUARED, PrimitiveRows.randn(1, 4, 3));
    }

    @Test void hessianVectorOfTanhMlpMatchesFiniteDifferences() {
        checkHessianVector(tanhMlp(), PrimitiveRows.randn(2, 4, 3));
    }

    @Test void fullHessianFromBatchedSecondVjpIsExactForElementwiseFunction() {
        // f = Σ sin(x)·x²  ⇒  H is diagonal with 2 sin x + 4x cos x − x² sin x
        Tensor x = PrimitiveRows.randn(3, 5).requiresGrad();
        Tensor g = gradient(SIN_X_SQUARED, x);
        Tensor h = Autograd.vjp(g, x, Tensor.eye(5), true);                         // rows of H, one batched sweep
        Tensor s = x.detach().sin(), c = x.detach().cos(), xd = x.detach();
        Tensor expected = s.mul(2).add(xd.mul(c).mul(4)).sub(xd.square().mul(s)).diagEmbed();
        assertArrayEquals(new long[]{5, 5}, h.shape());
        assertTrue(h.maxAbsDiff(expected) < 1e-12, "Hessian differs by " + h.maxAbsDiff(expected));
    }

    @Test void gradientOfGradientPassesGradCheck() {
        // the whole first-derivative map x -> ∇f(x) is itself checked (its JVP and VJP are second derivatives)
        GradCheck.assertGradients(xs -> gradient(tanhMlp(), xs[0]), new Tensor[]{PrimitiveRows.randn(4, 3, 3)},
                GradCheck.Options.defaults().tol(1e-6));
    }

    @Test void thirdDerivativeOfSinIsMinusCos() {
        Tensor x = PrimitiveRows.randn(5, 6).requiresGrad();
        Tensor g1 = gradient(t -> t.sin().sum(), x);
        Tensor g2 = Autograd.grad(new Tensor[]{g1.sum()}, new Tensor[]{x}, new Tensor[]{Tensor.scalar(1.0)}, CREATE_GRAPH)[0];
        Tensor g3 = Autograd.grad(new Tensor[]{g2.sum()}, new Tensor[]{x}, new Tensor[]{Tensor.scalar(1.0)}, CREATE_GRAPH)[0];
        assertTrue(g3.maxAbsDiff(x.detach().cos().neg()) < 1e-12);
    }
}
