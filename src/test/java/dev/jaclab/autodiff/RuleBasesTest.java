package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.tensor.Tensor;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The shared rule bases: a binary op's JVP is the sum of its inputs' parts shaped like the output (also when only a
 * broadcast input carries a tangent), and a linear op's JVP is the op applied to the tangent.
 */
class RuleBasesTest extends Float64Scope {

    @Test void aBroadcastInputsTangentTakesTheOutputsShape() {
        Tensor c = PrimitiveRows.randn(1, 3, 4), x = PrimitiveRows.randn(2, 4).requiresGrad(), v = PrimitiveRows.randn(3, 4);
        List<BiFunction<Tensor, Tensor, Tensor>> ops = List.of(Tensor::add, Tensor::sub, (a, b) -> b.sub(a), Tensor::mul, Tensor::div);
        for (BiFunction<Tensor, Tensor, Tensor> op : ops) {
            Tensor y = op.apply(c, x);
            Tensor t = Autograd.jvp(y, x, v, false);
            assertArrayEquals(new long[]{3, 4}, t.shape(), "JVP through a broadcast operand");
            Tensor fd = op.apply(c, x.detach().add(v.mul(1e-6))).sub(op.apply(c, x.detach().sub(v.mul(1e-6)))).div(2e-6);
            assertTrue(t.maxAbsDiff(fd) < 1e-6, "JVP against finite differences: " + t.maxAbsDiff(fd));
        }
    }

    @Test void linearOpsPushTheTangentThroughThemselves() {
        Tensor x = PrimitiveRows.randn(4, 2, 3, 4).requiresGrad(), v = PrimitiveRows.randn(5, 2, 3, 4);
        List<java.util.function.Function<Tensor, Tensor>> ops = List.of(Tensor::neg, a -> a.sum(new int[]{1}, true), a -> a.reshape(6, 4),
                a -> a.permute(2, 0, 1), a -> a.narrow(2, 1, 2), a -> a.indexSelect(1, 2, 0, 2), a -> a.expand(5, 2, 3, 4),
                a -> a.narrow(1, 0, 3).narrow(2, 0, 3).diagonal(), a -> a.diagEmbed(), a -> a.cast(dev.jaclab.nd.DType.FLOAT32),
                a -> Tensor.concat(1, a, a.neg()));
        for (var op : ops) {
            Tensor y = op.apply(x);
            assertEquals(0, Autograd.jvp(y, x, v, false).maxAbsDiff(op.apply(v)), "JVP of a linear op is the op on the tangent");
        }
    }
}
