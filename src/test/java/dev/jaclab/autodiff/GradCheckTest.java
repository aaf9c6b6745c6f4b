package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** GradCheck itself: its documented example runs, and it fails loudly on wrong derivatives. */
class GradCheckTest extends Float64Scope {

    @Test void javadocExampleRuns() {
        Tensor.setDefaultDType(DType.FLOAT64);
        Tensor a = Tensor.randn(1, 4, 3), b = Tensor.rand(2, 3).add(0.5);
        GradCheck.Result r = GradCheck.check(xs -> xs[0].sin().mul(xs[1]).div(xs[1].square().add(1)), a, b);
        assertTrue(r.passed(), r.toString());
        GradCheck.assertGradients(x -> x.tanh().sum(new int[]{1}, false), a);
    }

    @Test void detectsADerivativeHiddenFromAutodiff() {
        Tensor x = PrimitiveRows.randn(5, 3, 4);
        // detach() hides the dependence from AD but not from finite differences
        GradCheck.Result bad = GradCheck.check(t -> t.sin().add(t.detach().square()), x);
        assertFalse(bad.passed(), bad.toString());
        assertTrue(bad.jvpError() > 1e-2 && bad.vjpError() > 1e-2, bad.toString());
        AssertionError e = assertThrows(AssertionError.class, bad::orThrow);
        assertTrue(e.getMessage().contains("JVP: max relative error") && e.getMessage().contains("VJP input 0 (3,4)"), e.getMessage());
    }

    @Test void adjointIdentityHoldsToRoundoff() {
        // <u, J v> and <J^T u, v> come from the two modes without differences: they agree to roundoff
        Tensor x = PrimitiveRows.randn(6, 2, 3);
        GradCheck.Result ok = GradCheck.check(t -> t.exp().mul(t), x);
        assertTrue(ok.passed() && ok.adjointError() < 1e-12, ok.toString());
    }

    @Test void rejectsAFunctionThatIgnoresItsInputs() {
        Tensor c = Tensor.ones(2);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(t -> c.mul(2), PrimitiveRows.randn(7, 2)));
    }
}
