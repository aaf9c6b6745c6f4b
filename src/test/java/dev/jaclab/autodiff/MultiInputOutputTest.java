package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.tensor.GradMode;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Ordinary model code with several inputs and outputs, recorded once: Jacobians with respect to one input, outputs
 * reused for a loss and backward() afterwards, graphs reused for several sweeps, noGrad, detach, accumulation.
 */
class MultiInputOutputTest extends Float64Scope {
    private static final int N = 6;
    private final Tensor w = PrimitiveRows.randn(50, 3, 3);
    private final Tensor mask = PrimitiveRows.mask(N, 3);

    /** y1 = where(mask, sin(x1)·x2, x1), y2 = tanh(x1 W + x2). */
    private Tensor[] model(Tensor x1, Tensor x2) {
        return new Tensor[]{Tensor.where(mask, x1.sin().mul(x2), x1), x1.matmul(w).add(x2).tanh()};
    }

    private static double close(Tensor a, Tensor b) { return a.maxAbsDiff(b); }

    @Test void jacobianWithRespectToOneInputThenLossAndBackward() {
        Tensor x1 = PrimitiveRows.randn(1, N, 3).requiresGrad(), x2 = PrimitiveRows.randn(2, N, 3).requiresGrad();
        Tensor[] y = model(x1, x2);
        // per-sample blocks of y1 w.r.t. x1 only: diag(mask ? cos(x1)·x2 : 1)
        Tensor cot = Tensor.eye(3).reshape(3, 1, 3).expand(3, N, 3);
        Tensor blocks = Autograd.vjp(y[0], x1, cot, true).permute(1, 0, 2);
        Tensor expected = Tensor.where(mask, x1.detach().cos().mul(x2.detach()), Tensor.ones(N, 3)).diagEmbed();
        assertTrue(close(blocks, expected) < 1e-14);
        // forward mode on the same graph, y2 w.r.t. x1: t[b, i, :] = (1 − y2²)[i] ⊙ W[b, :]
        Tensor t = Autograd.jvp(y[1], x1, cot, true);
        Tensor sech2 = y[1].detach().square().neg().add(1);
        for (int b = 0; b < 3; b++) assertTrue(close(t.select(0, b), sech2.mul(w.select(0, b))) < 1e-14);
        assertNull(x1.grad(), "Autograd calls must not touch .grad");
        // the outputs are still usable for a loss
        Tensor loss = y[0].sum().add(y[1].square().sum());
        Tensor[] g = Autograd.grad(new Tensor[]{loss}, new Tensor[]{x1, x2}, new Tensor[]{Tensor.scalar(1)}, Autograd.Options.defaults());
        loss.backward();
        assertTrue(close(x1.grad(), g[0]) < 1e-15 && close(x2.grad(), g[1]) < 1e-15);
        GradCheck.assertGradients(xs -> { Tensor[] o = model(xs[0], xs[1]); return o[0].sum().add(o[1].square().sum()); },
                new Tensor[]{x1, x2}, GradCheck.Options.defaults());
    }

    @Test void severalOutputsSumTheirVjpsAndUnusedInputsGetZeros() {
        Tensor x1 = PrimitiveRows.randn(3, N, 3).requiresGrad(), x2 = PrimitiveRows.randn(4, N, 3).requiresGrad();
        Tensor unused = PrimitiveRows.randn(5, 2).requiresGrad();
        Tensor[] y = model(x1, x2);
        Tensor u1 = PrimitiveRows.randn(6, N, 3), u2 = PrimitiveRows.randn(7, N, 3);
        Tensor[] both = Autograd.grad(y, new Tensor[]{x1, unused}, new Tensor[]{u1, u2}, Autograd.Options.defaults());
        Tensor a = Autograd.vjp(y[0], x1, u1, false), b = Autograd.vjp(y[1], x1, u2, false);
        assertTrue(close(both[0], a.add(b)) < 1e-14);
        assertArrayEquals(new long[]{2}, both[1].shape());
        assertTrue(close(both[1], Tensor.zeros(2)) == 0);
    }

    @Test void graphIsReusableAndBackwardAccumulates() {
        Tensor x = PrimitiveRows.randn(8, N, 3).requiresGrad();
        Tensor y = x.sin().mul(x).sum();
        Tensor first = Autograd.vjp(y, x, Tensor.scalar(1), false), second = Autograd.vjp(y, x, Tensor.scalar(1), false);
        assertTrue(close(first, second) == 0);
        y.backward();
        y.backward();
        assertTrue(close(x.grad(), first.mul(2)) < 1e-14, "two backward() calls accumulate");
        x.zeroGrad();
        assertNull(x.grad());
        y.backward();
        assertTrue(close(x.grad(), first) < 1e-15);
    }

    @Test void noGradScopeRecordsNothingAndRestoresRecording() {
        Tensor x = PrimitiveRows.randn(9, N, 3).requiresGrad();
        try (var outer = Tensor.noGrad()) {
            Tensor y = x.sin();
            assertFalse(y.isRequiresGrad());
            assertTrue(y.isLeaf());
            try (var inner = GradMode.set(true)) {
                assertTrue(x.sin().isRequiresGrad(), "an inner enabled scope records");
            }
            assertFalse(x.exp().isRequiresGrad(), "closing the inner scope restores noGrad");
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(x.sin().isRequiresGrad());
    }

    @Test void detachCutsTheTape() {
        Tensor x = PrimitiveRows.randn(10, N, 3).requiresGrad();
        Tensor d = x.detach();
        assertFalse(d.isRequiresGrad());
        assertArrayEquals(x.toDoubleArray(), d.toDoubleArray());
        // d(x · stop(x))/dx = stop(x) = x, not 2x
        Tensor g = Autograd.vjp(x.mul(x.detach()).sum(), x, Tensor.scalar(1), false);
        assertTrue(close(g, x.detach()) == 0);
        Tensor y = x.sin();
        assertTrue(y.detach().isLeaf() && !y.detach().isRequiresGrad() && y.isRequiresGrad());
    }
}
