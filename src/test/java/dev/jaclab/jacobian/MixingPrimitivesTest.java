package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.nd.DType;
import dev.jaclab.tensor.RowSparseSweep;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One small graph per kind of sample-mixing primitive: the row-sparse sweep (row-sparse cotangents in, densified or
 * restricted rules out) gives the same blocks as perElement's dense VJPs, and it did go through a mixing op.
 */
class MixingPrimitivesTest {
    static final int N = 7;

    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static Stream<Arguments> mixingOps() {
        Tensor a = Tensor.randn(11, N, N), w = Tensor.randn(12, 3, 3), big = Tensor.randn(13, 3 * N, 3 * N).div(4);
        long[] perm = {3, 0, 6, 1, 5, 2, 4};
        return Stream.of(
                Arguments.of("matmul left operand mixes rows (A @ x)", (Function<Tensor, Tensor>) x -> a.matmul(x).tanh()),
                Arguments.of("matmul right operand from x (x xᵀ) x", (Function<Tensor, Tensor>) x -> x.matmul(x.mT()).mul(0.1).matmul(x)),
                Arguments.of("sum over the sample axis", (Function<Tensor, Tensor>) x -> x.mul(x.sum(new int[]{0}, true)).sin()),
                Arguments.of("max over the sample axis", (Function<Tensor, Tensor>) x -> x.sub(x.max(new int[]{0}, true)).exp()),
                Arguments.of("narrow + concat along samples (shift)", (Function<Tensor, Tensor>) x ->
                        Tensor.concat(0, x.narrow(0, 1, N - 1), x.narrow(0, 0, 1)).mul(x)),
                Arguments.of("indexSelect along samples (permutation)", (Function<Tensor, Tensor>) x -> x.indexSelect(0, perm).matmul(w).add(x)),
                Arguments.of("scatterAdd along samples", (Function<Tensor, Tensor>) x -> x.scatterAdd(0, perm, N).tanh().mul(x)),
                Arguments.of("reshape across the sample axis", (Function<Tensor, Tensor>) x -> x.reshape(3, N).softmax(1).reshape(N, 3)),
                Arguments.of("reshapes splitting and merging whole rows", (Function<Tensor, Tensor>) x -> x.reshape(3 * N, 1).sin().reshape(N, 3).mul(x)),
                Arguments.of("the forum's Linear(3N, 3N) over the flattened batch", (Function<Tensor, Tensor>) x ->
                        big.matmul(x.reshape(3 * N, 1)).reshape(N, 3).sigmoid()),
                Arguments.of("two row sets reaching one tensor", (Function<Tensor, Tensor>) x -> {
                    Tensor t = x.sin();
                    return t.add(t.reshape(3 * N, 1).tanh().reshape(N, 3)).mul(x);
                }),
                Arguments.of("permute moving the sample axis", (Function<Tensor, Tensor>) x -> x.permute(1, 0).matmul(x).sum(new int[]{0}, true).expand(N, 3).mul(x)),
                Arguments.of("expand of one sample to all", (Function<Tensor, Tensor>) x -> x.narrow(0, 2, 1).expand(N, 3).mul(x)),
                Arguments.of("fused attention", (Function<Tensor, Tensor>) x -> Tensor.attention(x.matmul(w), x, x.tanh(), 0.7)),
                Arguments.of("fused attention, keys/values already mixed", (Function<Tensor, Tensor>) x -> {
                    Tensor m = a.matmul(x);
                    return Tensor.attention(x.matmul(w), m, m.tanh(), 0.7);
                }));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("mixingOps")
    void rowSparseEqualsDense(String name, Function<Tensor, Tensor> f) {
        Tensor x = Tensor.randn(5, N, 3).requiresGrad();
        Jacobian j = Jacobian.of(f.apply(x), x);
        assertFalse(j.problem().structure().independent(), name + " must couple samples");
        Tensor ref = j.perSample(Strategies.perElement());
        RowSparseSweep.resetWork();
        Tensor got = j.perSample(Strategies.sparseRows(4));
        assertTrue(got.maxAbsDiff(ref) < 1e-10, name + ": differs by " + got.maxAbsDiff(ref));
        assertTrue(j.perSample(Strategies.chunked(5)).maxAbsDiff(ref) < 1e-10, name + ": chunked");
        var w = RowSparseSweep.work();
        assertTrue(w.sparseRows() + w.denseRows() > 0, name + ": the sweep ran");
    }
}
