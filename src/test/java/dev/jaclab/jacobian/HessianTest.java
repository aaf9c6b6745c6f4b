package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.autodiff.Func;
import dev.jaclab.autodiff.GradCheck;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-sample Hessians and Laplacians: exact values, differentiability (parameter gradients by finite differences), refusals. */
class HessianTest {
    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static final Tensor W1 = Tensor.randn(11, 3, 6).cast(DType.FLOAT64).mul(0.8), B1 = Tensor.randn(12, 6).cast(DType.FLOAT64).mul(0.3),
            W2 = Tensor.randn(13, 6, 2).cast(DType.FLOAT64).mul(0.8);

    /** A per-sample tanh network (N, 3) → (N, 2). */
    static Tensor net(Tensor x) { return x.matmul(W1).add(B1).tanh().matmul(W2).sin(); }

    @Test void hessianBlocksEqualEachSamplesOwnHessian() {
        Tensor x = Tensor.randn(1, 5, 3).requiresGrad();
        Tensor H = Hessian.of(net(x), x).perSample();                         // (5, 2, 3, 3)
        assertArrayEquals(new long[]{5, 2, 3, 3}, H.shape());
        for (int i = 0; i < 5; i++)
            for (int k = 0; k < 2; k++) {
                int kk = k;
                Function<Tensor, Tensor> single = v -> net(v.reshape(1, 3)).select(1, kk).sum();
                Tensor ref = Func.hessian(single).apply(x.detach().select(0, i));
                assertTrue(H.select(0, i).select(0, k).maxAbsDiff(ref) < 1e-12, "sample " + i + " output " + k);
            }
    }

    @Test void laplacianOfAKnownFunction() {
        // u_i = Σ_j sin(x_ij)·x_ij² + x_i0·x_i1: Δu_i = Σ_j (2 sin x + 4x cos x − x² sin x)
        Tensor x = Tensor.randn(2, 7, 2).requiresGrad();
        Tensor u = x.sin().mul(x.square()).sum(new int[]{1}, true).add(x.select(1, 0).mul(x.select(1, 1)).unsqueeze(1));
        Tensor lap = Hessian.of(u, x).laplacian();
        Tensor xd = x.detach(), s = xd.sin(), c = xd.cos();
        Tensor expected = s.mul(2).add(xd.mul(c).mul(4)).sub(xd.square().mul(s)).sum(new int[]{1}, true);
        assertArrayEquals(new long[]{7, 1}, lap.shape());
        assertTrue(lap.maxAbsDiff(expected) < 1e-12, "Laplacian differs by " + lap.maxAbsDiff(expected));
        Tensor H = Hessian.of(u, x).perSample();                               // mixed term: ∂²/∂x0∂x1 = 1
        assertEquals(1, H.get(3, 0, 0, 1), 1e-12);
        assertEquals(1, H.get(3, 0, 1, 0), 1e-12);
    }

    @Test void laplacianIsDifferentiableInTheWeights() {
        Tensor x = Tensor.rand(3, 6, 3);
        Tensor w1 = W1.detach().add(0).requiresGrad(), w2 = W2.detach().add(0).requiresGrad();
        Tensor f = Tensor.randn(4, 6, 2);
        GradCheck.leaves(() -> {
            Tensor xi = x.detach().requiresGrad();
            Tensor u = xi.matmul(w1).add(B1).tanh().matmul(w2).sin();
            return Hessian.of(u, xi).laplacian().add(f).square().mean();
        }, new Tensor[]{w1, w2}, GradCheck.Options.defaults().tol(1e-6)).orThrow();
        GradCheck.leaves(() -> {                                               // and a loss on the full blocks
            Tensor xi = x.detach().requiresGrad();
            Tensor u = xi.matmul(w1).add(B1).tanh().matmul(w2);
            return Hessian.of(u, xi).perSample().square().sum();
        }, new Tensor[]{w1, w2}, GradCheck.Options.defaults().tol(1e-6)).orThrow();
    }

    /** Every op with a second-order rule: mul and matmul of two moving operands, div by a moving denominator, unary ops. */
    static Tensor everyRule(Tensor x) {
        Tensor h = x.matmul(W1).add(B1).tanh();                                             // (N, 6)
        Tensor g = h.reshape(-1, 2, 3).matmul(h.reshape(-1, 3, 2)).reshape(-1, 4);          // matmul of two moving operands
        Tensor r = g.exp().add(1).log().mul(h.narrow(1, 0, 4)).div(g.square().add(2.0))     // mul, div (moving b), exp, log, pow
                .add(g.sin().pow(3)).sub(x.sum(new int[]{1}, true).mul(g));
        return Tensor.where(r.detach().gt(0), r, r.mul(0.5)).matmul(W2.narrow(0, 0, 4));     // where, sum, narrow, reshape
    }

    @Test void forwardLaplacianEqualsTheTraceOfTheHessianBlocks() {
        Tensor x = Tensor.randn(6, 5, 3).requiresGrad();
        Tensor u = everyRule(x);
        Tensor lap = Hessian.of(u, x).laplacian();                                           // one forward-Laplacian sweep
        Tensor H = Hessian.of(u, x).perSample();                                             // forward-over-reverse blocks
        Tensor trace = H.diagonal().sum(new int[]{2}, false);
        assertTrue(lap.maxAbsDiff(trace) < 1e-10, "Laplacian differs from tr H by " + lap.maxAbsDiff(trace));
        Tensor w1 = W1.detach().add(0).requiresGrad();
        Tensor f = Tensor.randn(7, 5, 2);
        GradCheck.leaves(() -> {
            Tensor xi = x.detach().requiresGrad();
            Tensor h = xi.matmul(w1).tanh();
            Tensor v = h.mul(h.sin()).div(h.square().add(1.5)).matmul(W2);
            return Hessian.of(v, xi).laplacian().add(f).square().mean();
        }, new Tensor[]{w1}, GradCheck.Options.defaults().tol(1e-6)).orThrow();
    }

    static final Tensor WA = Tensor.randn(14, 2, 2).cast(DType.FLOAT64).mul(0.9);

    /** Samples coupled by attention across the batch, then a per-sample nonlinearity: (N, 2) → (N, 1). */
    static Tensor coupled(Tensor x, Tensor w) {
        Tensor q = x.matmul(w);
        return Tensor.attention(q, x, x.tanh(), 0.7).add(x.sin()).sum(new int[]{1}, true).tanh();
    }

    /** Sample i's own Hessian: u_i as a function of x_i alone, the other samples held at their values. */
    static Tensor ownHessian(Tensor x, Tensor w, int i) {
        double[] e = new double[(int) x.size(0)];
        e[i] = 1;
        Tensor row = Tensor.fromArray(e, x.size(0), 1), others = row.neg().add(1);
        Function<Tensor, Tensor> ui = v -> coupled(x.mul(others).add(row.mul(v.reshape(1, 2))), w).select(0, i).sum();
        return Func.hessian(ui).apply(x.select(0, i));
    }

    @Test void coupledSamplesGetExactBlocksAndTheSumTrickDiffers() {
        Tensor x = Tensor.randn(5, 6, 2).requiresGrad();
        Tensor u = coupled(x, WA);
        assertTrue(Hessian.of(u, x).cost().startsWith("exact per-sample second derivatives of coupled samples"), Hessian.of(u, x).cost());
        Tensor H = Hessian.of(u, x).chunkSize(4).perSample();                                 // (6, 1, 2, 2), two chunks
        Tensor lap = Hessian.of(u, x).laplacian();
        Tensor trick = Hessian.of(u, x).unchecked().laplacian();
        double worstTrick = 0;
        for (int i = 0; i < 6; i++) {
            Tensor ref = ownHessian(x.detach(), WA, i);
            assertTrue(H.select(0, i).select(0, 0).maxAbsDiff(ref) < 1e-12, "sample " + i + ": " + H.select(0, i).select(0, 0) + " vs " + ref);
            assertEquals(ref.get(0, 0) + ref.get(1, 1), lap.get(i, 0), 1e-12, "Laplacian of sample " + i);
            worstTrick = Math.max(worstTrick, Math.abs(trick.get(i, 0) - lap.get(i, 0)));
        }
        assertTrue(worstTrick > 1e-3, "the sum trick is wrong on coupled samples (differs by " + worstTrick + ")");
        assertFalse(Hessian.of(u, x).createGraph(false).laplacian().isRequiresGrad(), "createGraph(false) gives constants");
    }

    @Test void coupledLaplacianIsDifferentiableInTheWeights() {
        Tensor x = Tensor.randn(8, 5, 2);
        Tensor w = WA.detach().add(0).requiresGrad();
        Tensor f = Tensor.randn(9, 5, 1);
        GradCheck.leaves(() -> {
            Tensor xi = x.detach().requiresGrad();
            return Hessian.of(coupled(xi, w), xi).chunkSize(3).laplacian().add(f).square().mean();
        }, new Tensor[]{w}, GradCheck.Options.defaults().tol(1e-6)).orThrow();
    }
}
