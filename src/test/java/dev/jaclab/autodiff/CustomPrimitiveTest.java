package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.tensor.CustomPrimitive;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The public way to add an op: Tensor.function with hand-written forward, VJP and JVP rules is gradient-checked,
 * a wrong rule is caught, the per-sample flag decides what strategies may do, and the rules differentiate again.
 */
class CustomPrimitiveTest extends Float64Scope {
    /** softplus(x) = log(1 + e^x), derivative sigmoid(x). */
    static CustomPrimitive softplus(boolean rightDerivative) {
        return Tensor.function("softplus", x -> x[0].exp().add(1.0).log(),
                (g, x, y) -> new Tensor[]{g.mul(rightDerivative ? x[0].sigmoid() : x[0].tanh())},
                (t, x, y) -> t[0].mul(x[0].sigmoid()));
    }

    /** Mixes samples on purpose: y = x − mean over the batch (axis 0). */
    static final CustomPrimitive CENTER = Tensor.function("center", x -> x[0].sub(x[0].mean(new int[]{0}, true)),
            (g, x, y) -> new Tensor[]{g.sub(g.mean(new int[]{0}, true))},
            (t, x, y) -> t[0].sub(t[0].mean(new int[]{0}, true)));

    @Test void handWrittenRulesPassTheGradientCheck() {
        Tensor x = PrimitiveRows.randn(1, 4, 3);
        GradCheck.Result r = GradCheck.check(v -> softplus(true).apply(v), x);
        assertTrue(r.passed(), r.toString());
        assertTrue(GradCheck.check(v -> CENTER.apply(v.sin()).square(), x).passed());
        Tensor y = softplus(true).apply(x.detach().requiresGrad());
        assertEquals("softplus", y.node().primitive().name());
        assertTrue(y.allClose(x.softplus(), 1e-12, 1e-12), "forward");
    }

    @Test void aWrongRuleIsCaught() {
        GradCheck.Result r = GradCheck.check(v -> softplus(false).apply(v), PrimitiveRows.randn(2, 4, 3));
        assertFalse(r.passed());
        assertTrue(r.failures().stream().anyMatch(f -> f.startsWith("VJP")), r.failures().toString());
    }

    @Test void thePerSampleFlagDecidesTheStrategies() {
        Tensor x = PrimitiveRows.randn(3, 6, 3).requiresGrad();
        Problem coupled = Jacobian.of(softplus(true).apply(x), x).problem();
        assertFalse(coupled.structure().independent(), "inputs mix samples unless declared");
        assertNotNull(Strategies.forwardSum().refusal(coupled));
        Tensor exact = Strategies.sparseRows(4).run(coupled);

        Problem rows = Jacobian.of(softplus(true).perSample(true).apply(x), x).problem();
        assertTrue(rows.structure().independent());
        Tensor ref = Strategies.perElement().run(rows);
        for (Tensor J : new Tensor[]{Strategies.forwardSum().run(rows), Strategies.reverseSum().run(rows), Strategies.sparseRows(4).run(rows), exact})
            assertTrue(J.maxAbsDiff(ref) < 1e-12, "blocks differ by " + J.maxAbsDiff(ref));

        Problem centered = Jacobian.of(CENTER.perSample(true).apply(x).sin(), x).problem();
        assertTrue(centered.structure().independent(), "a declared flag is trusted (so declare it only when true)");
        Problem honest = Jacobian.of(CENTER.apply(x).sin(), x).problem();
        assertTrue(Strategies.sparseRows(4).run(honest).maxAbsDiff(Strategies.perElement().run(honest)) < 1e-12);
    }

    @Test void rulesDifferentiateAgain() {
        Tensor x = PrimitiveRows.randn(4, 5);
        Tensor H = Func.hessian(v -> softplus(true).apply(v).sum()).apply(x);
        Tensor s = x.sigmoid();
        assertTrue(H.allClose(s.mul(s.neg().add(1.0)).diagEmbed(), 1e-10, 1e-10), "Hessian = diag(σ(x)(1 − σ(x)))");
    }

    @Test void wrongShapesAreOneClearError() {
        CustomPrimitive bad = Tensor.function("bad", x -> x[0].sin(), (g, x, y) -> new Tensor[]{g.sum()}, (t, x, y) -> t[0].sum());
        Tensor x = PrimitiveRows.randn(5, 2, 3).requiresGrad();
        Tensor y = bad.apply(x);
        IllegalStateException v = assertThrows(IllegalStateException.class, () -> Autograd.vjp(y, x, y.detach(), false));
        assertTrue(v.getMessage().contains("bad") && v.getMessage().contains("(2,3)"), v.getMessage());
        IllegalStateException j = assertThrows(IllegalStateException.class, () -> Autograd.jvp(y, x, x.detach(), false));
        assertTrue(j.getMessage().contains("bad") && j.getMessage().contains("(2,3)"), j.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.function("noRules", x2 -> x2[0], null, null));
    }
}
