package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.RowSparseSweep;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The mixed-mode strategy equals the dense reference (perElement) on stacked and composed mixing ops, in float64. */
class MeetInMiddleTest {
    static final int N = 9;

    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static Stream<Arguments> stacks() {
        return Stream.of(1, 2, 3, 4).flatMap(l -> Stream.of(Arguments.of(l, true), Arguments.of(l, false)));
    }

    @ParameterizedTest(name = "{0} attention layer(s), fused = {1}") @MethodSource("stacks")
    void stackedAttentionEqualsPerElement(int layers, boolean fused) {
        Model m = Models.attentionStack(7, 3, 8, layers, fused);
        Tensor x = m.inputs(N, 3)[0].requiresGrad();
        Tensor y = m.forward(x)[0];
        Tensor ref = Jacobian.of(y, x).perSample(Strategies.perElement());
        for (int chunk : new int[]{1, 7, 256}) {
            Tensor J = Jacobian.of(y, x).perSample(Strategies.meetInMiddle(chunk));
            assertTrue(J.maxAbsDiff(ref) < 1e-10, layers + " layers, chunk " + chunk + ": max diff " + J.maxAbsDiff(ref));
        }
    }

    static Stream<Arguments> composed() {
        Tensor w = Tensor.randn(12, 3, 3), big = Tensor.randn(13, 3 * N, 3 * N).div(4), a = Tensor.randn(11, N, N).div(3);
        return Stream.of(
                Arguments.of("attention, then a dense layer over the flattened batch", (Function<Tensor, Tensor>) x -> {
                    Tensor h = Tensor.attention(x.matmul(w), x, x.tanh(), 0.7).add(x);
                    return big.matmul(h.reshape(3 * N, 1)).reshape(N, 3).sigmoid().add(x);
                }),
                Arguments.of("batch mean, then attention", (Function<Tensor, Tensor>) x -> {
                    Tensor h = x.sub(x.mean(new int[]{0}, true)).tanh();
                    return Tensor.attention(h.matmul(w), h, h, 0.5).mul(x);
                }),
                Arguments.of("mixing matmul twice with a per-sample op between", (Function<Tensor, Tensor>) x -> a.matmul(a.matmul(x).sin()).mul(x)),
                Arguments.of("attention with keys already mixed, twice", (Function<Tensor, Tensor>) x -> {
                    Tensor m1 = a.matmul(x);
                    Tensor h = Tensor.attention(x.matmul(w), m1, m1.tanh(), 0.7);
                    return Tensor.attention(h, h.mul(0.5), h.sin(), 0.9).add(h);
                }));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("composed")
    void composedMixingEqualsPerElement(String name, Function<Tensor, Tensor> f) {
        Tensor x = Tensor.randn(5, N, 3).requiresGrad();
        Tensor y = f.apply(x);
        Tensor ref = Jacobian.of(y, x).perSample(Strategies.perElement());
        Tensor J = Jacobian.of(y, x).perSample(Strategies.meetInMiddle(6));
        assertTrue(J.maxAbsDiff(ref) < 1e-10, name + ": max diff " + J.maxAbsDiff(ref));
    }

    @Test void twoLayersNeverDensifyACotangent() {
        Model m = Models.attentionStack(7, 3, 8, 2, true);
        Tensor x = m.inputs(40, 3)[0].requiresGrad();
        Problem p = Jacobian.of(m.forward(x)[0], x).problem();
        RowSparseSweep.resetWork();
        Strategies.meetInMiddle(12).run(p);
        var w = RowSparseSweep.work();
        assertEquals(0, w.denseRows(), "cotangents stay row-sparse or factored down to the meeting point: " + w);
        assertTrue(w.sparseRows() > 0, w.toString());
        MeetInMiddle.Cut cut = MeetInMiddle.cut(p);
        assertEquals(2, cut.depth());
        for (Tensor t : cut.upper())
            assertFalse(t.node().primitive().name().equals("attention") && !cut.upper().containsAll(java.util.List.of(t.node().inputs())) && t == firstAttention(p),
                    "the first attention layer lies below the cut");
    }

    private static Tensor firstAttention(Problem p) {
        for (Tensor t : p.structure().path()) if (t.node().primitive().name().equals("attention")) return t;
        return null;
    }

    @Test void batchMeanCostsNoDenseCotangent() {
        Model m = Models.globalMean();
        Tensor x = m.inputs(50, 3)[0].requiresGrad();
        Tensor y = m.forward(x)[0];
        RowSparseSweep.resetWork();
        Tensor J = Jacobian.of(y, x).perSample(Strategies.sparseRows(16));
        assertTrue(RowSparseSweep.work().denseRows() <= 50 * 3,
                "only the (1, 3) mean is dense, one row per seed; its VJP hands each seed its own row of x: " + RowSparseSweep.work());
        assertTrue(J.maxAbsDiff(Jacobian.of(y, x).perSample(Strategies.perElement())) < 1e-12);
    }

    @Test void workerThreadsGiveTheSerialBlocks() {
        Model m = Models.attentionStack(5, 3, 8, 2, true);
        Tensor x = m.inputs(33, 2)[0].requiresGrad();
        Tensor y = m.forward(x)[0];
        for (Strategy s : java.util.List.of(Strategies.meetInMiddle(6), Strategies.sparseRows(7))) {
            Tensor serial = Jacobian.of(y, x).parallelism(1).perSample(s);
            for (int workers : new int[]{2, 3, 8})
                assertEquals(0.0, Jacobian.of(y, x).parallelism(workers).perSample(s).maxAbsDiff(serial), s.name() + " on " + workers + " workers");
        }
        assertThrows(IllegalArgumentException.class, () -> Jacobian.of(y, x).parallelism(0).problem());
        for (Strategy s : java.util.List.of(Strategies.meetInMiddle(6), Strategies.sparseRows(7))) {
            Tensor all = Jacobian.of(y, x).perSample(s);
            Tensor part = Jacobian.of(y, x).perSampleRows(s, 10, 23);
            assertTrue(part.maxAbsDiff(all.narrow(0, 10, 13)) < 1e-12, s.name() + " on rows 10..22 (chunks start elsewhere: rounding only)");
            assertThrows(IllegalArgumentException.class, () -> Jacobian.of(y, x).perSampleRows(s, 30, 40));
        }
        assertThrows(UnsupportedOperationException.class, () -> Jacobian.of(y, x).perSampleRows(Strategies.chunked(4), 0, 5));
    }

    @Test void pinnWithTwoInputsAndMasks() {
        Model m = Models.pinn(11);
        Tensor[] in = m.inputs(N, 2);
        in[0].requiresGrad();
        Tensor out1 = m.forward(in)[0];
        Tensor ref = Jacobian.of(out1, in[0]).perSample(Strategies.perElement());
        assertTrue(Jacobian.of(out1, in[0]).perSample(Strategies.meetInMiddle(4)).maxAbsDiff(ref) < 1e-10);
    }

    @Test void twoLayersAgreeWithFiniteDifferences() {
        Model m = Models.attentionStack(3, 3, 8, 2, true);
        Tensor x = m.inputs(6, 1)[0];
        Tensor xg = x.detach().requiresGrad();
        Tensor J = Jacobian.of(m.forward(xg)[0], xg).perSample(Strategies.meetInMiddle(4));
        double[] base = x.toDoubleArray(), h = {1e-6};
        for (int i = 0; i < 6; i++)
            for (int k = 0; k < 3; k++) {
                double[] plus = base.clone(), minus = base.clone();
                plus[i * 3 + k] += h[0];
                minus[i * 3 + k] -= h[0];
                double[] yp = m.forward(Tensor.fromArray(plus, 6, 3))[0].toDoubleArray(), ym = m.forward(Tensor.fromArray(minus, 6, 3))[0].toDoubleArray();
                for (int a = 0; a < 3; a++)
                    assertEquals((yp[i * 3 + a] - ym[i * 3 + a]) / (2 * h[0]), J.get(i, a, k), 1e-7, "block " + i + " [" + a + ", " + k + "]");
            }
    }
}
