package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.RowSparseSweep;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sparsity, coloring, estimators, partial Jacobians, shapes and axes of the Jacobian API (float64, small N). */
class JacobianFeaturesTest {
    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static Jacobian jac(Model model, int n) {
        Tensor[] in = model.inputs(n, 4);
        in[model.inputIndex()].requiresGrad();
        return Jacobian.of(model.forward(in)[model.outputIndex()], in[model.inputIndex()]);
    }

    @Test void couplingClassesAndOptimalColorCounts() {
        SparsityPattern sin = jac(Models.sin(), 12).sparsity();
        assertEquals(SparsityPattern.Kind.INDEPENDENT, sin.kind());
        assertEquals(1, Coloring.count(sin.colors()));
        SparsityPattern conv = jac(Models.conv(5), 12).sparsity();
        assertEquals(SparsityPattern.Kind.BANDED, conv.kind());
        assertEquals(1, conv.bandwidth());
        assertEquals(2, Coloring.count(conv.colors()), "diagonal blocks of a band of half-width w need w+1 colors (the full Jacobian would need 2w+1)");
        assertEquals(SparsityPattern.Kind.DENSE, jac(Models.attention(7, 3, 16), 12).sparsity().kind());
        assertEquals(SparsityPattern.Kind.DENSE, jac(Models.globalMean(), 12).sparsity().kind());
        assertTrue(jac(Models.attention(7, 3, 16), 12).sparsity().explain().contains("attention"), "mixing op named");
    }

    @Test void colorCountIndependentOfN() {
        assertEquals(2, Coloring.count(jac(Models.conv(5), 40).sparsity().colors()));
        Jacobian j = jac(Models.conv(5), 40);
        assertTrue(Strategies.colored().run(j.problem()).maxAbsDiff(Strategies.chunked(64).run(j.problem())) < 1e-12);
    }

    @Test void elementPatternOfIndependentModelIsBlockDiagonal() {
        SparsityPattern p = jac(Models.mlp(1), 6).sparsity();
        assertEquals(6 * 3 * 3, p.nonzeros());
        SparsityPattern s = jac(Models.sin(), 6).sparsity();
        assertEquals(6 * 3, s.nonzeros(), "sin has diagonal blocks");
    }

    @Test void sumTricksRefuseOnCoupledModelsAndSayWhy() {
        Jacobian j = jac(Models.attention(7, 3, 16), 8);
        var e = assertThrows(IllegalArgumentException.class, () -> j.perSample(Strategies.reverseSum()));
        assertTrue(e.getMessage().contains("wrong blocks") && e.getMessage().contains("attention"), e.getMessage());
        Tensor wrong = j.perSample(Strategies.reverseSum().unchecked()), right = j.perSample();
        assertTrue(wrong.maxAbsDiff(right) > 1e-3, "the sum trick is wrong under coupling");
        assertFalse(j.plan().chosen().needsIndependentSamples());
    }

    @Test void exactBlocksMatchCentralDifferences() {
        Model m = Models.attention(7, 3, 16);
        Tensor x0 = m.inputs(6, 4)[0];
        Tensor J = Jacobian.of(v -> m.forward(v)[0], x0).perSample(Strategies.sparseRows(7));
        double eps = 1e-6;
        double[] x = x0.toDoubleArray();
        for (int i = 0; i < 6; i++)
            for (int b = 0; b < 3; b++) {
                double[] xp = x.clone(), xm = x.clone();
                xp[i * 3 + b] += eps;
                xm[i * 3 + b] -= eps;
                double[] yp = m.forward(Tensor.fromArray(xp, 6, 3))[0].toDoubleArray(), ym = m.forward(Tensor.fromArray(xm, 6, 3))[0].toDoubleArray();
                for (int k = 0; k < 3; k++)
                    assertEquals((yp[i * 3 + k] - ym[i * 3 + k]) / (2 * eps), J.get(i, k, b), 1e-6);
            }
    }

    @Test void stochasticIsExactWhenIndependentAndCalibratedWhenCoupled() {
        Jacobian sin = jac(Models.sin(), 16);
        Stochastic.Estimate e = Strategies.stochastic(4, 1).estimate(sin.problem());
        assertTrue(e.blocks().maxAbsDiff(Strategies.forwardSum().run(sin.problem())) < 1e-12);
        assertEquals(0, e.standardError().max().item(), 1e-12);

        Jacobian mean = jac(Models.globalMean(), 6);
        Tensor exact = Strategies.perElement().run(mean.problem());
        Stochastic.Estimate est = Strategies.stochastic(400, 9).estimate(mean.problem());
        double[] err = est.blocks().sub(exact).toDoubleArray(), se = est.standardError().toDoubleArray();
        int covered = 0;
        for (int i = 0; i < err.length; i++) if (Math.abs(err[i]) <= 2 * se[i] + 1e-12) covered++;
        assertTrue(covered >= 0.85 * err.length, "2·SE covers " + covered + " of " + err.length);
        Tensor avg = Tensor.zeros(exact.shape());
        for (int s = 0; s < 20; s++) avg = avg.add(Strategies.stochastic(50, 100 + s).run(mean.problem()));
        assertTrue(avg.div(20).maxAbsDiff(exact) < est.blocks().sub(exact).abs().max().item() + 0.02, "averaging seeds converges");
    }

    @Test void detachedCutsContextAndChecksTheCut() {
        Tensor x = Tensor.randn(3, 8, 3).requiresGrad();
        Tensor wq = Tensor.randn(4, 3, 4), wk = Tensor.randn(5, 3, 4), wv = Tensor.randn(6, 3, 3);
        Tensor q = x.matmul(wq), k = x.matmul(wk), v = x.matmul(wv);
        Tensor y = Tensor.attention(q, k, v, 0.5).add(x);
        Jacobian j = Jacobian.of(y, x);
        var e = assertThrows(IllegalArgumentException.class, () -> j.perSample(Strategies.detached(k)));
        assertTrue(e.getMessage().contains("attention"), e.getMessage());
        Tensor jd = j.perSample(Strategies.detached(k, v));
        Tensor manual = Jacobian.of(Tensor.attention(x.matmul(wq), k.detach(), v.detach(), 0.5).add(x), x).perSample(Strategies.forwardSum());
        assertTrue(jd.maxAbsDiff(manual) < 1e-12);
        double[] err = Strategies.detached(k, v).errorAgainstExact(j.problem(), 4);
        assertTrue(err[0] > 1e-6, "the partial Jacobian differs from the exact one");
    }

    @Test void closureVmapJacrevAndRectangularTrailingShapes() {
        Tensor w = Tensor.randn(2, 2, 3, 4);
        Tensor x = Tensor.randn(1, 10, 2, 3);
        var f = (java.util.function.Function<Tensor, Tensor>) v -> v.reshape(v.size(0), 1, 6).matmul(w.reshape(6, 4)).squeeze(1).tanh();
        Jacobian j = Jacobian.of(f, x);
        Tensor a = j.perSample(Strategies.vmapJacrev());
        assertArrayEquals(new long[]{10, 4, 2, 3}, a.shape());
        assertTrue(a.maxAbsDiff(j.perSample(Strategies.forwardSum())) < 1e-12);
        assertTrue(a.maxAbsDiff(j.perSample(Strategies.perElement())) < 1e-12);
        assertTrue(a.maxAbsDiff(j.perSample(Strategies.sparseRows(8))) < 1e-12);
    }

    @Test void otherBatchAxis() {
        Tensor x = Tensor.randn(2, 3, 9).requiresGrad();
        Tensor y = x.sin().mul(x.sum(new int[]{0}, true));
        Jacobian j = Jacobian.of(y, x).batchAxis(1);
        Tensor ref = j.perSample(Strategies.perElement());
        assertArrayEquals(new long[]{9, 3, 3}, ref.shape());
        assertTrue(ref.maxAbsDiff(j.perSample(Strategies.reverseSum().unchecked())) < 1e-12);
        assertTrue(ref.maxAbsDiff(j.perSample(Strategies.chunked(4))) < 1e-12);
        assertTrue(ref.maxAbsDiff(j.perSample(Strategies.forwardSum().unchecked())) < 1e-12);
    }

    @Test void fullJacobianAndItsBudget() {
        Jacobian j = jac(Models.globalMean(), 5);
        Tensor full = j.full();
        assertArrayEquals(new long[]{5, 3, 5, 3}, full.shape());
        Tensor blocks = j.perSample(Strategies.fullBatched());
        for (int i = 0; i < 5; i++) assertTrue(full.select(0, i).select(1, i).maxAbsDiff(blocks.select(0, i)) < 1e-14);
        var e = assertThrows(IllegalArgumentException.class, () -> jac(Models.globalMean(), 5).budget(1000).full());
        assertTrue(e.getMessage().contains("budget"), e.getMessage());
        assertNotNull(Strategies.fullBatched().refusal(jac(Models.globalMean(), 64).budget(Bytes.kib(64)).problem()));
    }

    @Test void multiInputMultiOutputModelKeepsOutputsUsable() {
        Model m = Models.pinn(11);
        Tensor[] in = m.inputs(16, 2);
        in[0].requiresGrad();
        Tensor[] out = m.forward(in);
        Tensor J = Jacobian.of(out[0], in[0]).perSample();
        assertTrue(J.maxAbsDiff(Jacobian.of(out[0], in[0]).perSample(Strategies.perElement())) < 1e-12);
        out[0].square().sum().add(out[1].sum()).backward();
        assertNotNull(in[0].grad());
    }

    @Test void rowSparsePerSamplePartsCostRowsNotBatches() {
        Jacobian mlp = jac(Models.mlp(1), 64);
        RowSparseSweep.resetWork();
        Strategies.sparseRows(16).run(mlp.problem());
        assertEquals(0, RowSparseSweep.work().denseRows(), "an independent model never densifies");
        Jacobian att = jac(Models.attentionPlain(7, 3, 16), 64);
        RowSparseSweep.resetWork();
        Strategies.sparseRows(16).run(att.problem());
        var w = RowSparseSweep.work();
        long chunks = 64 * 3 / 16;
        assertEquals(0, w.denseRows(), "q·kᵀ and P·v hand back only the seed's own rows of k and v, so nothing densifies: " + w);
        assertTrue(w.sparseRows() > 0, "per-sample ops run on C rows per chunk: " + w);
        Jacobian forum = jac(Models.dense(3), 64);                 // sigmoid((W·x.reshape(3N, 1)).reshape(N, 3))
        RowSparseSweep.resetWork();
        Strategies.sparseRows(16).run(forum.problem());
        w = RowSparseSweep.work();
        assertEquals(0, w.denseRows(), "W's VJP gathers 3 rows and hands back only the 3 rows of x.reshape(3N, 1) that hold the seed's sample: " + w);
    }
}
