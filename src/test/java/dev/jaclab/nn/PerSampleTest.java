package dev.jaclab.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.autodiff.GradCheck;
import dev.jaclab.jacobian.Hessian;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Per-sample parameter gradients: against a per-sample loop (each sample alone for independent models, each loss_i
 * backward through the whole batch for coupled ones) and against central differences of one sample's loss (float64).
 */
class PerSampleTest extends F64 {
    static final Tensor X = Tensor.randn(31, 7, 3).cast(DType.FLOAT64), Y = Tensor.randn(32, 7, 2).cast(DType.FLOAT64);

    static Function<Tensor[], Tensor> squaredError(Module m) {
        return b -> m.forward(b[0]).tanh().sub(b[1]).square().sum(new int[]{1}, false);
    }

    /** One sample's parameter gradient, by backward on loss_i, the model run on {@code input}. */
    static Map<String, Tensor> backwardOf(Module m, Tensor input, Tensor target, int row) {
        m.zeroGrad();
        squaredError(m).apply(new Tensor[]{input, target}).select(0, row).backward();
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        m.namedParameters().forEach((k, p) -> out.put(k, p.grad().detach().add(0)));
        m.zeroGrad();
        return out;
    }

    @Test void independentSamplesMatchALoopOverSamplesAndFiniteDifferences() {
        Sequential net = new Sequential(new Linear(3, 5, 1), new LayerNorm(5), Activation.tanh(), new Linear(5, 2, 2));
        PerSample.Grads g = PerSample.grads(net, squaredError(net), X, Y);
        assertTrue(g.method().startsWith("independent samples"), g.method());
        assertEquals(7, g.samples());
        for (int i = 0; i < 7; i++) {
            Map<String, Tensor> alone = backwardOf(net, X.narrow(0, i, 1), Y.narrow(0, i, 1), 0);
            for (var e : alone.entrySet()) {
                Tensor mine = g.get(e.getKey()).select(0, i);
                assertTrue(mine.maxAbsDiff(e.getValue()) < 1e-12, "sample " + i + " " + e.getKey() + " differs by " + mine.maxAbsDiff(e.getValue()));
            }
        }
        checkOneSample(net, g, 4);
        Tensor norms = g.norms();
        double n4 = 0;
        for (Tensor t : g.byName().values()) n4 += t.select(0, 4).square().sum().item();
        assertEquals(Math.sqrt(n4), norms.get(4), 1e-12);
    }

    @Test void coupledSamplesAreExactAndSayWhatCouplesThem() {
        Sequential net = new Sequential(new Linear(3, 4, 3), new SelfAttention(4, 2, 4), Activation.tanh(), new Linear(4, 2, 5));
        PerSample.Grads g = PerSample.grads(net, squaredError(net), 3, X, Y);                   // chunks of 3: three sweeps
        assertTrue(g.method().startsWith("samples are coupled") && g.method().contains("rows of ∂loss/∂θ"), g.method());
        for (int i = 0; i < 7; i++) {
            Map<String, Tensor> throughBatch = backwardOf(net, X, Y, i);
            for (var e : throughBatch.entrySet()) {
                Tensor mine = g.get(e.getKey()).select(0, i);
                assertTrue(mine.maxAbsDiff(e.getValue()) < 1e-12, "sample " + i + " " + e.getKey() + " differs by " + mine.maxAbsDiff(e.getValue()));
            }
        }
        checkOneSample(net, g, 2);
        Tensor xi = X.detach().requiresGrad();
        PerSample.Grads recorded = PerSample.grads(squaredError(net).apply(new Tensor[]{xi, Y}), net);
        for (String k : g.byName().keySet()) assertTrue(recorded.get(k).maxAbsDiff(g.get(k)) < 1e-12, k);
    }

    /** Sample i's gradient against central differences of loss_i. */
    static void checkOneSample(Module m, PerSample.Grads g, int i) {
        Parameter[] ps = m.parameters().toArray(new Parameter[0]);
        Tensor[] leaves = new Tensor[ps.length];
        for (int k = 0; k < ps.length; k++) leaves[k] = ps[k].value();
        GradCheck.LeafResult r = GradCheck.leaves(() -> squaredError(m).apply(new Tensor[]{X, Y}).select(0, i), leaves,
                GradCheck.Options.defaults().eps(1e-6).tol(1e-6)).orThrow();
        assertNotNull(r);
        m.zeroGrad();
        squaredError(m).apply(new Tensor[]{X, Y}).select(0, i).backward();
        String[] names = m.namedParameters().keySet().toArray(new String[0]);
        for (int k = 0; k < ps.length; k++)
            assertTrue(g.get(names[k]).select(0, i).maxAbsDiff(ps[k].grad()) < 1e-12, names[k] + ": the checked gradient is the per-sample one");
        m.zeroGrad();
    }

    static final Tensor P = Tensor.rand(33, 6, 2).cast(DType.FLOAT64), F = Tensor.randn(34, 6, 1).cast(DType.FLOAT64);

    /** loss_i = (Δu(x_i) − f_i)², the PINN residual: a per-sample Laplacian inside the per-sample loss. */
    static Tensor residualLoss(Module m, Tensor x) {
        return Hessian.of(m.forward(x), x).laplacian().sub(F).square().reshape(x.size(0));
    }

    @Test void aLossContainingALaplacianGivesEachSamplesGradientThroughTheSecondDerivatives() {
        Sequential net = Sequential.mlp(6, Activation.tanh(), 2, 5, 5, 1);
        Tensor x = P.detach().requiresGrad();
        PerSample.Grads recorded = PerSample.grads(residualLoss(net, x), net);
        PerSample.Grads closure = PerSample.grads(net, b -> residualLoss(net, b[0]), P);
        // The forward-Laplacian sweep sums over its input directions (a logical axis 0 of its own); the structure
        // analysis reads that as batch mixing, so the closure takes the exact rows path, not the vmapped sweep (whose
        // per-sample stand-ins would hide x from Hessian.of). Exact either way; this pins which path runs.
        assertTrue(closure.method().contains("rows of ∂loss/∂θ"), closure.method());
        Parameter[] ps = net.parameters().toArray(new Parameter[0]);
        Tensor[] leaves = new Tensor[ps.length];
        for (int k = 0; k < ps.length; k++) leaves[k] = ps[k].value();
        String[] names = net.namedParameters().keySet().toArray(new String[0]);
        for (int i = 0; i < 6; i++) {
            final int row = i;
            Supplier<Tensor> lossI = () -> residualLoss(net, P.detach().requiresGrad()).select(0, row);
            GradCheck.leaves(lossI, leaves, GradCheck.Options.defaults().eps(1e-6).tol(1e-6)).orThrow();    // backward of loss_i vs central differences
            net.zeroGrad();
            lossI.get().backward();
            for (int k = 0; k < ps.length; k++) {
                Tensor want = ps[k].grad() != null ? ps[k].grad() : Tensor.zeros(DType.FLOAT64, ps[k].shape());   // the Laplacian ignores the last bias
                assertTrue(recorded.get(names[k]).select(0, i).maxAbsDiff(want) < 1e-12, "recorded loss, sample " + i + " " + names[k]);
                assertTrue(closure.get(names[k]).select(0, i).maxAbsDiff(want) < 1e-12, "closure, sample " + i + " " + names[k]);
            }
            net.zeroGrad();
        }
    }

    @Test void badInputIsOneClearError() {
        Sequential net = Sequential.mlp(0, Activation.tanh(), 3, 4, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> PerSample.grads(net, b -> net.forward(b[0]).sum(), X));
        assertTrue(e.getMessage().contains("one value per sample"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> PerSample.grads(net, b -> b[0].sum(new int[]{1}, false), X, Tensor.randn(0, 5, 2)));
        assertTrue(f.getMessage().contains("share dim 0"), f.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerSample.grads(net, squaredError(net), X, Y).get("nope"));
    }
}
