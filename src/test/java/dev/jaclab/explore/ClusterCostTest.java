package dev.jaclab.explore;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import dev.jaclab.tensor.WorkMeter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan on a Spark cluster of K executors: the split O(N²) parts, the per-executor ones, and what it does not run. */
class ClusterCostTest {
    private static final Model ATTENTION = Models.attention(7, 3, 16);

    @Test void oneExecutorIsTheOneThreadPartsPlusThePerExecutorTerms() {
        Problem far = CostModel.trace(ATTENTION, 1_000_000, 0, Bytes.gib(8));
        Strategy s = Strategies.sparseRows(256);
        CostModel.Calibration cal = new CostModel.Calibration(1, 1.5, 0.2, 3);
        ClusterCost.Prediction one = ClusterCost.predict(ATTENTION, far, s, 1, Rates.NOMINAL, cal, 2.0);
        assertTrue(one.runs() && one.forwardByRows(), one.breakdown());
        assertEquals(CostModel.predict(far, s, 1, Rates.NOMINAL, cal).seconds(), one.blockSeconds(), 1e-12 * one.blockSeconds());
        ClusterCost.Parts parts = ClusterCost.parts(far);
        assertEquals(1, parts.layers());
        assertEquals(Rates.NOMINAL.seconds(parts.all().plus(parts.statistics())), one.forwardSeconds(), 1e-12 * one.forwardSeconds());
        assertEquals(Rates.NOMINAL.seconds(parts.perSample().plus(parts.checks())), one.tapeSeconds(), 1e-12 * one.tapeSeconds());
        assertEquals(3, one.stages());                                   // K_0 V_0, the layer's rows, the blocks
        assertEquals(6.0, one.stageSeconds(), 1e-12);
        assertEquals(one.forwardSeconds() + one.blockSeconds() + one.tapeSeconds() + one.stageSeconds(), one.seconds(), 1e-9 * one.seconds());
        // the O(N²) forward dwarfs each executor's O(N·d²) tape at N = 10^6
        assertTrue(one.forwardSeconds() > 1000 * one.tapeSeconds(), one.breakdown());
    }

    @Test void doublingTheExecutorsHalvesTheSplitPart() {
        Problem far = CostModel.trace(Models.attentionStack(7, 3, 16, 2, true), 65536, 0, Bytes.gib(8));
        Model m = Models.attentionStack(7, 3, 16, 2, true);
        for (Strategy s : List.of(Strategies.sparseRows(64), Strategies.meetInMiddle(256))) {
            ClusterCost.Prediction k8 = ClusterCost.predict(m, far, s, 8, Rates.NOMINAL, CostModel.Calibration.NONE),
                    k16 = ClusterCost.predict(m, far, s, 16, Rates.NOMINAL, CostModel.Calibration.NONE);
            assertEquals(k8.splitSeconds() / 2, k16.splitSeconds(), 1e-12 * k8.splitSeconds(), s.name());
            assertEquals(k8.perExecutorSeconds(), k16.perExecutorSeconds(), 0, s.name());
            assertEquals(4, k16.stages(), s.name());                     // two layers: K_0 V_0, layer 0, layer 1, the blocks
        }
        ClusterCost.Parts parts = ClusterCost.parts(far);
        assertEquals(2, parts.layers());
        assertTrue(parts.statistics().gemmFlops() == 2.0 * 65536 * 65536 * 16, "one layer's row statistics: " + parts.statistics());
    }

    /** The forward's work the cluster splits is the work the model's forward counts when it runs. */
    @Test void forwardWorkEqualsCountedWork() {
        for (Model m : List.of(ATTENTION, Models.attentionStack(7, 3, 16, 2, true), Models.mlp(1))) {
            Tensor[] in = m.inputs(96, 0);
            in[m.inputIndex()].requiresGrad();
            Work counted;
            Tensor y;
            try (WorkMeter meter = WorkMeter.open()) {
                y = m.forward(in)[m.outputIndex()];
                counted = meter.work();
            }
            Work predicted = ClusterCost.parts(dev.jaclab.jacobian.Jacobian.of(y, in[m.inputIndex()]).parallelism(1).problem()).all();
            assertTrue(predicted.closeTo(counted, 1e-9), m.name() + ": predicted " + predicted + ", counted " + counted);
        }
    }

    @Test void aModelNotMadeOfAttentionLayersKeepsOneWholeForwardPerExecutor() {
        Model mlp = Models.mlp(1);
        Problem far = CostModel.trace(mlp, 1 << 20, 0, Bytes.gib(8));
        ClusterCost.Prediction p = ClusterCost.predict(mlp, far, Strategies.sparseRows(256), 4, Rates.NOMINAL, CostModel.Calibration.NONE, 1.0);
        assertFalse(p.forwardByRows());
        assertEquals(0, p.forwardSeconds());
        assertEquals(1, p.stages());
        assertEquals(Rates.NOMINAL.seconds(ClusterCost.parts(far).all()), p.tapeSeconds(), 1e-12 * p.tapeSeconds());
    }

    @Test void aStrategyTheClusterDoesNotRunGetsNoFigureAndAReason() {
        Problem far = CostModel.trace(ATTENTION, 4096, 0, Bytes.gib(8));
        ClusterCost.Prediction p = ClusterCost.predict(ATTENTION, far, Strategies.chunked(64), 16, Rates.NOMINAL, CostModel.Calibration.NONE);
        assertFalse(p.runs());
        assertTrue(Double.isNaN(p.seconds()));
        assertTrue(p.refusal().contains("chunked(64)") && p.refusal().contains("sparseRows"), p.refusal());
        TargetPlan plan = TargetPlan.choose(far, List.of(Strategies.chunked(64)), Map.of(), Bytes.gib(8), 2, Rates.NOMINAL, true, ATTENTION, 16);
        assertEquals("chunked(64)", plan.strategy().name());
        assertTrue(plan.reason().contains("the cluster does not run chunked(64)"), plan.reason());
        assertThrows(IllegalArgumentException.class, () -> ClusterCost.predict(ATTENTION, far, Strategies.sparseRows(64), 0, Rates.NOMINAL,
                CostModel.Calibration.NONE));
    }

    @Test void thePlanSaysItsTimeOnTheCluster() {
        Problem far = CostModel.trace(ATTENTION, 1_000_000, 0, Bytes.gib(8));
        TargetPlan plan = TargetPlan.choose(far, List.of(Strategies.sparseRows(256)), Map.of(), Bytes.gib(8), 2, Rates.NOMINAL, true, ATTENTION, 16);
        assertEquals(16, plan.cluster().executors());
        assertEquals(plan.strategy().name(), plan.cluster().strategy());
        assertTrue(plan.reason().contains(Units.seconds(plan.cluster().seconds()) + " on 16 executors (Spark, 1 thread each)"), plan.reason());
        assertTrue(plan.cluster().seconds() < plan.parallel().seconds(), plan.reason());
        assertNull(TargetPlan.choose(far, List.of(Strategies.sparseRows(256)), Map.of(), Bytes.gib(8), 2, Rates.NOMINAL, true).cluster());
        assertThrows(IllegalArgumentException.class, () -> Explorer.of(ATTENTION).executors(0));
    }
}
