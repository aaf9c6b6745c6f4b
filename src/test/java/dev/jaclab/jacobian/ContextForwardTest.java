package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * contextForward equals the dense reference (perElement, itself checked against finite differences) on models
 * coupled through batch-wide sums, in float64; it refuses mixing it cannot handle, naming the op; auto() takes it
 * for batch statistics.
 */
class ContextForwardTest {
    static final int N = 11;

    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static Stream<Arguments> coupled() {
        Tensor w1 = Tensor.randn(21, 3, 5), w2 = Tensor.randn(22, 5, 2), g = Tensor.randn(23, 1, 5);
        return Stream.of(
                Arguments.of("batch mean subtracted", (Function<Tensor, Tensor>) x -> x.sub(x.mean(new int[]{0}, true)).tanh()),
                Arguments.of("batch norm inside an MLP", (Function<Tensor, Tensor>) x -> {
                    Tensor h = x.matmul(w1), c = h.sub(h.mean(new int[]{0}, true));
                    return c.div(c.mul(c).mean(new int[]{0}, true).add(1e-3).sqrt()).mul(g).tanh().matmul(w2);
                }),
                Arguments.of("mean of an MLP added back, no keepdim", (Function<Tensor, Tensor>) x -> {
                    Tensor h = x.matmul(w1).sin();
                    return h.add(h.mean(new int[]{0}, false).exp()).matmul(w2);
                }),
                Arguments.of("a scalar context: the total sum", (Function<Tensor, Tensor>) x -> x.mul(x.sum(new int[]{0, 1}, false).tanh()).add(x.sin())),
                Arguments.of("a context spread through a feature-mixing matmul (full spread)", (Function<Tensor, Tensor>) x -> {
                    Tensor h = x.matmul(w1), m = h.mean(new int[]{0}, true);
                    Tensor v = h.sub(m).matmul(w1.mT()).tanh().sum(new int[]{0}, true);
                    return x.mul(v).add(h.sub(m).matmul(w2).sum(new int[]{1}, true));
                }),
                Arguments.of("two contexts from each other, one used twice", (Function<Tensor, Tensor>) x -> {
                    Tensor m = x.sin().sum(new int[]{0}, true).mul(0.1), s = x.mul(m).sum(new int[]{0}, true).tanh();
                    return x.mul(s).add(m.mul(x.cos())).sub(s.mul(m));
                }));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("coupled")
    void equalsPerElement(String name, Function<Tensor, Tensor> f) {
        Tensor x = Tensor.randn(5, N, 3).requiresGrad();
        Tensor y = f.apply(x);
        assertNull(Strategies.contextForward().refusal(Jacobian.of(y, x).problem()), name);
        Tensor ref = Jacobian.of(y, x).perSample(Strategies.perElement());
        Tensor J = Jacobian.of(y, x).perSample(Strategies.contextForward());
        assertTrue(J.maxAbsDiff(ref) < 1e-10, name + ": max diff " + J.maxAbsDiff(ref));
        Tensor sumTrick = Jacobian.of(y, x).perSample(Strategies.forwardSum().unchecked());
        assertTrue(sumTrick.maxAbsDiff(ref) > 1e-6, name + ": the sum trick differs here (the coupling is real)");
    }

    @Test void independentSamplesAreTheSumTrick() {
        Tensor x = Tensor.randn(6, N, 3).requiresGrad();
        Tensor y = x.sin().mul(x);
        assertTrue(Jacobian.of(y, x).perSample(Strategies.contextForward()).maxAbsDiff(Jacobian.of(y, x).perSample(Strategies.forwardSum())) < 1e-14);
    }

    @Test void batchNormCostsAFewForwardPasses() {
        Model m = Models.batchNorm(13);
        Tensor x = m.inputs(200, 3)[0].requiresGrad();
        Problem p = Jacobian.of(m.forward(x)[0], x).problem();
        Cost c = Strategies.contextForward().cost(p);
        assertEquals(2 * 3 + 1, c.forwardVectors(), "n total and n direct tangents, and one tangent for the (1, 16) mean's spread into the variance (elementwise: diagonal): " + c);
        try (Rates.Fixed nominal = Rates.fix(Rates.NOMINAL)) {
            assertEquals("contextForward", Strategies.auto().choose(p).name(), "auto takes the sum-trick-cost exact strategy");
        }
        Passes.reset();
        Tensor J = Strategies.contextForward().run(p);
        assertTrue(J.maxAbsDiff(Strategies.chunked(64).run(p)) < 1e-4, "f32 blocks agree with chunked");
    }

    @Test void refusesOtherMixingNamingTheOp() {
        Tensor x = Tensor.randn(7, N, 3).requiresGrad();
        String attention = Strategies.contextForward().refusal(Jacobian.of(Tensor.attention(x, x, x, 0.5), x).problem());
        assertTrue(attention != null && attention.contains("attention") && attention.contains("mixes samples"), attention);
        String max = Strategies.contextForward().refusal(Jacobian.of(x.sub(x.max(new int[]{0}, true)), x).problem());
        assertTrue(max != null && max.contains("max"), max);
    }
}
