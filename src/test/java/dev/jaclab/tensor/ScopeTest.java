package dev.jaclab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.nd.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Memory freed when it is dead: a {@link Scope} keeps only the saved values of a kept tape, a noGrad forward keeps
 * nothing, a tape nobody kept is freed when its scope closes, and the sweeps free cotangents and tangents at their
 * last use. Counted on the buffers themselves ({@code isClosed}), never on time.
 */
class ScopeTest {
    private DType saved;
    private final Tensor w1 = Tensor.randn(1, 3, 16).cast(DType.FLOAT64), b1 = Tensor.randn(2, 16).cast(DType.FLOAT64);
    private final Tensor w2 = Tensor.randn(3, 16, 3).cast(DType.FLOAT64);

    @BeforeEach void float64() { saved = Tensor.defaultDType(); Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterEach void restore() { Tensor.setDefaultDType(saved); }

    /** x·W1 + b1 → tanh → ·W2, every intermediate returned: [h, a, t, y]. */
    private Tensor[] mlp(Tensor x) {
        Tensor h = x.matmul(w1), a = h.add(b1), t = a.tanh();
        return new Tensor[]{h, a, t, t.matmul(w2)};
    }

    @Test void releaseKeepsOnlyWhatTheRulesRead() {
        Tensor x = Tensor.randn(4, 64, 3).requiresGrad();
        Tensor expected = Autograd.vjp(mlp(x)[3], x, Tensor.ones(64, 3), false);
        try (Scope s = Tensor.scope()) {
            Tensor[] f = mlp(x);
            s.keep(f[3]);
            s.release();
            assertTrue(f[0].data().isClosed(), "x·W1 is read by no rule (add saves nothing)");
            assertTrue(f[1].data().isClosed(), "x·W1 + b1 is read by no rule (tanh saves its output)");
            assertFalse(f[2].data().isClosed(), "tanh's output is saved (tanh's and the matmul's rules read it)");
            assertFalse(f[3].data().isClosed(), "the kept output stays");
            assertFalse(x.data().isClosed(), "a leaf made outside the scope is never freed");
            assertEquals(0, Autograd.vjp(f[3], x, Tensor.ones(64, 3), false).maxAbsDiff(expected), 0.0);
            assertEquals(0, Autograd.vjp(f[3], x, Tensor.ones(64, 3), false).maxAbsDiff(expected), 0.0);   // twice: nothing consumed
        }
    }

    @Test void aTapeNobodyKeptIsFreedWhenItsScopeCloses() {
        Tensor x = Tensor.randn(4, 64, 3).requiresGrad();
        Tensor[] f;
        Tensor g;
        try (Scope s = Tensor.scope()) {
            f = mlp(x);
            g = s.keep(Autograd.vjp(f[3], x, Tensor.ones(64, 3), false));
        }
        for (Tensor t : f) assertTrue(t.data().isClosed(), "tape value " + t.node() + " still allocated after its scope");
        assertFalse(g.data().isClosed());
        assertEquals(64 * 3, g.toDoubleArray().length);
    }

    @Test void aNoGradForwardKeepsNothingButItsOutput() {
        Tensor x = Tensor.randn(4, 64, 3);
        Tensor[] f;
        try (Scope s = Tensor.scope(); var off = Tensor.noGrad()) {
            f = mlp(x.requiresGrad());
            s.keep(f[3]);
            assertFalse(f[3].isRequiresGrad());
        }
        for (int i = 0; i < 3; i++) assertTrue(f[i].data().isClosed(), "noGrad intermediate " + i + " not freed");
        assertFalse(f[3].data().isClosed());
    }

    /** d/dx Σ (d/dx Σ sin(x²)) = Σ over the recorded reverse sweep: 2cos(x²) − 4x² sin(x²), after the release. */
    @Test void secondOrderGradientAfterRelease() {
        Tensor x = Tensor.randn(5, 32, 3).requiresGrad();
        try (Scope s = Tensor.scope()) {
            Tensor y = s.keep(x.mul(x).sin().sum());
            s.release();
            Tensor g = Autograd.grad(new Tensor[]{y}, new Tensor[]{x}, new Tensor[]{Tensor.scalar(1.0)},
                    Autograd.Options.defaults().createGraph(true))[0];
            s.keep(g);
            s.release();                                          // the recorded sweep keeps what its own rules read
            Tensor h = Autograd.grad(new Tensor[]{g.sum()}, new Tensor[]{x}, new Tensor[]{Tensor.scalar(1.0)}, Autograd.Options.defaults())[0];
            Tensor x2 = x.detach().mul(x.detach());
            Tensor expected = x2.cos().mul(2.0).sub(x2.mul(x2.sin()).mul(4.0));
            assertTrue(h.maxAbsDiff(expected) < 1e-12, "second order after release off by " + h.maxAbsDiff(expected));
        }
    }

    @Test void aReleasedValueFailsNamingTheOp() {
        Tensor x = Tensor.randn(4, 64, 3).requiresGrad();
        try (Scope s = Tensor.scope()) {
            Tensor[] f = mlp(x);
            s.keep(f[3]);
            s.release();
            var e = assertThrows(IllegalStateException.class, () -> f[0].sin());
            assertTrue(e.getMessage().startsWith("sin: input 0 of shape (64,16) was released"), e.getMessage());
        }
    }

    /** y = c(b(a(x))), each a user op whose rule notes, when it runs, whether the cotangents seen before were freed. */
    /** Its buffer reissued by the pool to a new value, a released tensor still fails loudly, and the new value is its own. */
    @Test void aReleasedValueWhoseBufferWasReusedStillFailsNamingTheOp() {
        Tensor x = Tensor.randn(9, 64, 8);
        Tensor[] f = new Tensor[1];
        try (Scope s = Tensor.scope()) {
            f[0] = x.mul(2.0);
        }
        Tensor u = x.add(1.0);                                       // same dtype and shape: may take f[0]'s buffer
        var e = assertThrows(IllegalStateException.class, () -> f[0].sin());
        assertTrue(e.getMessage().contains("sin") && e.getMessage().contains("released"), e.getMessage());
        assertEquals(x.get(3, 5) + 1.0, u.get(3, 5), 1e-6);
    }

    @Test void theReverseSweepFreesEachCotangentAfterItsLastUse() {
        List<Tensor> seen = new ArrayList<>();
        List<Boolean> freedBefore = new ArrayList<>();
        CustomPrimitive op = Tensor.function("twice", v -> v[0].mul(2.0), (g, v, y) -> {
            if (!seen.isEmpty()) freedBefore.add(seen.get(seen.size() - 1).data().isClosed());   // the previous rule's cotangent
            seen.add(g);
            return new Tensor[]{g.mul(2.0)};
        }, (t, v, y) -> t[0].mul(2.0)).perSample(true);
        Tensor x = Tensor.randn(4, 256, 3).requiresGrad();
        Tensor y = op.apply(op.apply(op.apply(op.apply(x))));
        Tensor g = Autograd.vjp(y, x, Tensor.ones(256, 3), false);
        assertEquals(16.0, g.get(7, 1), 0.0);
        assertEquals(4, seen.size());
        assertEquals(List.of(false, true, true), freedBefore,
                "the seed is the caller's; each later cotangent is freed once the rule that read it has run");
    }

    @Test void theForwardSweepFreesEachTangentAfterItsLastUse() {
        List<Tensor> seen = new ArrayList<>();
        List<Boolean> freedBefore = new ArrayList<>();
        CustomPrimitive op = Tensor.function("twice", v -> v[0].mul(2.0), (g, v, y) -> new Tensor[]{g.mul(2.0)}, (t, v, y) -> {
            if (!seen.isEmpty()) freedBefore.add(seen.get(seen.size() - 1).data().isClosed());   // the previous rule's tangent
            seen.add(t[0]);
            return t[0].mul(2.0);
        }).perSample(true);
        Tensor x = Tensor.randn(4, 256, 3).requiresGrad();
        Tensor y = op.apply(op.apply(op.apply(op.apply(x))));
        Tensor t = Autograd.jvp(y, x, Tensor.ones(256, 3), false);
        assertEquals(16.0, t.get(7, 1), 0.0);
        assertEquals(4, seen.size());
        assertEquals(List.of(false, true, true), freedBefore,
                "the seed is the caller's; each later tangent is freed once the rule that read it has run");
    }
}
