package dev.jaclab.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Modules: names and shapes as PyTorch has them, forward values, parameter gradients by finite differences. */
class ModuleTest extends F64 {
    @Test void mlpHasPyTorchNamesShapesAndCount() {
        Sequential net = Sequential.mlp(0, Activation.tanh(), 2, 64, 64, 1);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), List.copyOf(net.namedParameters().keySet()));
        assertArrayEquals(new long[]{64, 2}, net.namedParameters().get("0.weight").shape());
        assertArrayEquals(new long[]{1}, net.namedParameters().get("4.bias").shape());
        assertEquals(2 * 64 + 64 + 64 * 64 + 64 + 64 + 1, net.parameterCount());
        assertEquals(5, net.size());
        assertTrue(net.toString().contains("Linear(2 → 64)"), net.toString());
    }

    @Test void linearComputesXTimesWTransposedPlusB() {
        Linear l = new Linear(3, 2, 5);
        Tensor x = Tensor.randn(1, 4, 3);
        Tensor expected = x.matmul(l.weight.value().detach().transpose(0, 1)).add(l.bias.value().detach());
        assertTrue(l.forward(x).allClose(expected, 0, 1e-14));
        double bound = 1 / Math.sqrt(3);
        assertTrue(l.weight.value().abs().max().item() <= bound, "PyTorch's default bound 1/sqrt(in)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.randn(1, 4, 5)));
        assertTrue(e.getMessage().contains("Linear(3 → 2)") && e.getMessage().contains("(4,5)"), e.getMessage());
    }

    @Test void sameSeedSameValuesAndLayersDiffer() {
        Sequential a = Sequential.mlp(7, Activation.tanh(), 3, 8, 8, 2), b = Sequential.mlp(7, Activation.tanh(), 3, 8, 8, 2);
        Sequential c = Sequential.mlp(8, Activation.tanh(), 3, 8, 8, 2);
        Tensor wa = a.namedParameters().get("2.weight").value(), wb = b.namedParameters().get("2.weight").value();
        assertEquals(0, wa.maxAbsDiff(wb));
        assertTrue(wa.maxAbsDiff(c.namedParameters().get("2.weight").value()) > 1e-3);
        Tensor w0 = a.namedParameters().get("0.weight").value();
        assertTrue(a.namedParameters().get("0.bias").value().maxAbsDiff(w0.select(1, 0)) > 1e-3, "weight and bias seeds differ");
    }

    @Test void xavierNormalHasTheGlorotSpread() {
        Tensor w = Init.xavierNormal().create(3, 200, 300, new long[]{300, 200});
        double std = Math.sqrt(w.square().mean().item());
        assertEquals(Math.sqrt(2.0 / 500), std, 0.002);
        Tensor u = Init.xavierUniform().create(3, 200, 300, new long[]{300, 200});
        assertTrue(u.abs().max().item() <= Math.sqrt(6.0 / 500));
    }

    @Test void parametersAreOwnedCopiesThatRequireGrad() {
        Tensor init = Tensor.randn(0, 3);
        Parameter p = new Parameter(init);
        assertTrue(p.value().isLeaf() && p.value().isRequiresGrad());
        p.assign(Tensor.zeros(3));
        assertTrue(init.abs().sum().item() > 0, "the initial tensor is not written through");
        assertEquals(0, p.value().abs().sum().item());
        assertThrows(IllegalArgumentException.class, () -> p.assign(Tensor.zeros(4)));
    }

    @Test void trainAndEvalReachEverySubmoduleAndZeroGradClears() {
        Sequential net = new Sequential(new Linear(2, 4, 0), Activation.tanh(), new Sequential(new Linear(4, 1, 1)));
        net.eval();
        assertFalse(((Sequential) net.get(2)).get(0).isTraining());
        net.train();
        assertTrue(((Sequential) net.get(2)).get(0).isTraining());
        net.forward(Tensor.randn(0, 5, 2)).sum().backward();
        assertNotNull(net.parameters().get(0).grad());
        net.zeroGrad();
        assertTrue(net.parameters().stream().allMatch(p -> p.grad() == null));
        assertEquals(List.of("0.weight", "0.bias", "2.0.weight", "2.0.bias"), List.copyOf(net.namedParameters().keySet()));
    }

    @Test void sharedModuleIsCountedOnce() {
        Linear shared = new Linear(3, 3, 0);
        Sequential net = new Sequential(shared, Activation.sin(), shared);
        assertEquals(2, net.parameters().size());
        assertEquals(12, net.parameterCount());
    }

    @Test void mlpParameterGradientsMatchFiniteDifferences() {
        for (String act : List.of("tanh", "gelu")) {
            Sequential net = Sequential.mlp(1, Activation.named(act), 3, 5, 4, 2);
            Tensor x = Tensor.randn(2, 6, 3), target = Tensor.randn(3, 6, 2);
            checkParameters(net, () -> net.forward(x).sub(target).square().mean(), 1e-7);
        }
    }

    @Test void layerNormNormalisesEachSampleAndItsGradientsMatch() {
        LayerNorm ln = new LayerNorm(6);
        Tensor x = Tensor.randn(4, 5, 6).mul(3).add(1);
        Tensor y = ln.forward(x);
        assertTrue(y.mean(new int[]{1}, false).abs().max().item() < 1e-12);
        Tensor var = y.square().mean(new int[]{1}, false);
        assertTrue(var.sub(1).abs().max().item() < 1e-4, "variance ≈ 1 (eps 1e-5)");
        ln.weight.assign(Tensor.randn(5, 6));
        ln.bias.assign(Tensor.randn(6, 6));
        Tensor w = Tensor.randn(7, 5, 6);
        checkParameters(ln, () -> ln.forward(x).mul(w).sum(), 1e-7);
        dev.jaclab.autodiff.GradCheck.check(v -> ln.forward(v), x).orThrow();
        // per sample: changing sample 0 leaves sample 1 unchanged
        Tensor x2 = Tensor.concat(0, x.narrow(0, 0, 1).add(1), x.narrow(0, 1, 4));
        assertEquals(0, ln.forward(x2).select(0, 1).maxAbsDiff(ln.forward(x).select(0, 1)), 1e-15);
    }

    @Test void selfAttentionCouplesSamplesMatchesItsDefinitionAndGradientsMatch() {
        SelfAttention attn = new SelfAttention(4, 2, 3);
        Tensor x = Tensor.randn(8, 6, 4);
        // reference: per head softmax(q kᵀ/√dh) v by explicit matrices
        Tensor q = attn.query.forward(x), k = attn.key.forward(x), v = attn.value.forward(x);
        Tensor[] heads = new Tensor[2];
        for (int h = 0; h < 2; h++) {
            Tensor qh = q.narrow(1, 2 * h, 2), kh = k.narrow(1, 2 * h, 2), vh = v.narrow(1, 2 * h, 2);
            heads[h] = qh.matmul(kh.transpose(0, 1)).div(Math.sqrt(2)).softmax(1).matmul(vh);
        }
        Tensor expected = attn.output.forward(Tensor.concat(1, heads));
        assertTrue(attn.forward(x).allClose(expected, 1e-12, 1e-12), "differs by " + attn.forward(x).maxAbsDiff(expected));
        Tensor x2 = Tensor.concat(0, x.narrow(0, 0, 1).add(1), x.narrow(0, 1, 5));
        assertTrue(attn.forward(x2).select(0, 3).maxAbsDiff(attn.forward(x).select(0, 3)) > 1e-6, "samples are coupled");
        Tensor w = Tensor.randn(9, 6, 4);
        checkParameters(attn, () -> attn.forward(x).mul(w).sum(), 1e-7);
        assertEquals(List.of("query.weight", "query.bias", "key.weight", "key.bias", "value.weight", "value.bias", "output.weight", "output.bias"),
                List.copyOf(attn.namedParameters().keySet()));
    }
}
