package dev.jaclab.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.jacobian.Hessian;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Models trained through their own derivatives: losses built from per-sample Jacobians (createGraph) and Laplacians
 * have parameter gradients equal to central differences (float64), for every strategy that records its blocks, on
 * independent and coupled models; the others refuse.
 */
class DerivativesInTheLossTest extends F64 {
    static final Tensor X = Tensor.randn(21, 4, 3).cast(dev.jaclab.nd.DType.FLOAT64);

    /** loss(J) = Σ J² + Σ R·J: every block entry matters, with its own weight. */
    static Tensor lossOfBlocks(Tensor J) {
        Tensor r = Tensor.randn(22, J.shape()).cast(J.dtype());
        return J.square().sum().add(J.mul(r).sum());
    }

    static Tensor blocks(Module model, Strategy s, Tensor x, boolean closure) {
        Tensor xi = x.detach().requiresGrad();
        Jacobian jac = closure ? Jacobian.of((Function<Tensor, Tensor>) model, xi) : Jacobian.of(model.forward(xi), xi);
        return jac.chunkSize(3).createGraph().perSample(s);
    }

    @Test void everyRecordingStrategyOnAnMlp() {
        Sequential mlp = Sequential.mlp(3, Activation.tanh(), 3, 5, 2);
        List<Strategy> all = List.of(Strategies.reverseSum(), Strategies.forwardSum(), Strategies.vmapJacrev(), Strategies.perElement(),
                Strategies.chunked(3), Strategies.fullBatched(), Strategies.detached(), Strategies.auto());
        Tensor xi = X.detach().requiresGrad();
        Tensor reference = Jacobian.of(mlp.forward(xi), xi).perSample(Strategies.perElement());
        assertFalse(reference.isRequiresGrad(), "without createGraph the blocks are constants");
        for (Strategy s : all) {
            boolean closure = s.name().equals("vmapJacrev");
            Tensor J = blocks(mlp, s, X, closure);
            assertTrue(J.isRequiresGrad(), s.name() + " records its blocks");
            assertTrue(J.maxAbsDiff(reference) < 1e-12, s.name() + " blocks differ by " + J.maxAbsDiff(reference));
            checkParameters(mlp, () -> lossOfBlocks(blocks(mlp, s, X, closure)), 1e-6);
        }
    }

    @Test void exactStrategiesOnSamplesCoupledByAttention() {
        Sequential model = new Sequential(new SelfAttention(3, 1, 5), Activation.tanh());
        Tensor xi = X.detach().requiresGrad();
        Tensor reference = Jacobian.of(model.forward(xi), xi).perSample(Strategies.perElement());
        for (Strategy s : List.of(Strategies.perElement(), Strategies.chunked(3), Strategies.fullBatched(), Strategies.auto())) {
            Tensor J = blocks(model, s, X, false);
            assertTrue(J.maxAbsDiff(reference) < 1e-12, s.name() + " blocks differ by " + J.maxAbsDiff(reference));
            if (!s.name().equals("auto")) checkParameters(model, () -> lossOfBlocks(blocks(model, s, X, false)), 1e-6);
        }
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class, () -> blocks(model, Strategies.reverseSum(), X, false));
        assertTrue(sum.getMessage().contains("would return wrong blocks"), sum.getMessage());
    }

    @Test void strategiesThatCannotRecordRefuseClearly() {
        Sequential mlp = Sequential.mlp(3, Activation.tanh(), 3, 5, 2);
        for (Strategy s : List.of(Strategies.sparseRows(4), Strategies.meetInMiddle(4), Strategies.colored(), Strategies.stochastic(8, 0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> blocks(mlp, s, X, false), s.name());
            assertTrue(e.getMessage().startsWith(s.name()) && e.getMessage().contains("createGraph is not supported"), e.getMessage());
        }
        Tensor xi = X.detach().requiresGrad();
        assertFalse(Jacobian.of(mlp.forward(xi), xi).perSample(Strategies.sparseRows(4)).isRequiresGrad(), "still runs without createGraph");
    }

    @Test void jacobianTraceAndLaplacianLossesOnModuleParameters() {
        // divergence-free flavour: (N,3) → (N,3), tr J_i in the loss; Poisson flavour: Δu_i in the loss
        Sequential field = Sequential.mlp(4, Activation.tanh(), 3, 4, 3);
        checkParameters(field, () -> {
            Tensor J = blocks(field, Strategies.forwardSum(), X, false);
            return J.diagonal().sum(new int[]{1}, false).square().mean();
        }, 1e-6);
        Sequential u = Sequential.mlp(5, Activation.tanh(), 3, 5, 5, 1);
        Tensor f = Tensor.randn(23, 4, 1).cast(dev.jaclab.nd.DType.FLOAT64);
        checkParameters(u, () -> {
            Tensor xi = X.detach().requiresGrad();
            Tensor out = u.forward(xi);
            return Hessian.of(out, xi).laplacian().add(f).square().mean().add(out.square().mean());
        }, 1e-6);
    }
}
