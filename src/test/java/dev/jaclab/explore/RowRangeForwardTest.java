package dev.jaclab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.nd.AttentionTangents;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Backprop;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The forward by ranges of query rows, gathered layer by layer, against the whole-batch forward and its blocks. */
class RowRangeForwardTest {

    static void assertClose(Tensor want, Tensor got, double rel) {
        double scale = Math.max(1, want.abs().max().toDoubleArray()[0]), d = got.maxAbsDiff(want);
        assertTrue(d <= rel * scale, "largest difference " + d + " for entries up to " + scale);
    }

    /**
     * Blocks from the gathered tape equal the blocks of the ordinary tape, all of them and a range, to {@code rel} of
     * the largest entry. In float32 the ranges' gemms round differently from the whole batch's; through stacked layers
     * that moves the blocks by ~1e-6 of the largest entry, as much as the single-JVM blocks move between two chunk
     * sizes (meetInMiddle(32) against (64): 1.8e-6 of 1.8 on two layers, N = 257). Float64 shows the exactness.
     */
    private static void blocksAgree(String model, long n, int parts, Strategy s, DType t, double rel) {
        DType old = Tensor.defaultDType();
        Tensor.setDefaultDType(t);
        try {
            AttentionLayers m = (AttentionLayers) Models.byName(model);
            Tensor x = m.inputs(n, 3)[0];
            RowRangeForward.State state = RowRangeForward.run(m, x, parts);
            Tensor xg = x.detach().requiresGrad(), y = RowRangeForward.tape(m, xg, state);
            Tensor xw = x.detach().requiresGrad(), yw = m.forward(xw)[0];
            assertClose(yw, y, rel);
            Tensor want = Jacobian.of(yw, xw).perSample(s);
            assertClose(want, Jacobian.of(y, xg).perSample(s), rel);
            assertClose(want.narrow(0, 40, 33), Jacobian.of(y, xg).perSampleRows(s, 40, 73), rel);
        } finally {
            Tensor.setDefaultDType(old);
        }
    }

    @Test void oneLayerSparseRowsFromTheGatheredState() { blocksAgree("attention", 300, 7, Strategies.sparseRows(64), DType.FLOAT32, 1e-6); }

    @Test void twoLayersMeetInMiddleFromTheGatheredState() {
        blocksAgree("attention2", 257, 5, Strategies.meetInMiddle(64), DType.FLOAT64, 1e-12);
        blocksAgree("attention2", 257, 5, Strategies.meetInMiddle(64), DType.FLOAT32, 1e-5);
    }

    @Test void threeLayersFromTheGatheredState() { blocksAgree("attention3", 96, 3, Strategies.meetInMiddle(32), DType.FLOAT64, 1e-12); }

    @Test void theStateIsPerLayerAndTheTapeDoesNotRecomputeAttention() {
        AttentionLayers m = (AttentionLayers) Models.byName("attention2");
        Tensor x = m.inputs(200, 1)[0];
        RowRangeForward.State s = RowRangeForward.run(m, x, 4);
        assertEquals(2, s.layers());
        assertNull(s.rowLogSumExp()[1], "the last layer's statistics are not needed");
        Tensor xg = x.detach().requiresGrad(), y = RowRangeForward.tape(m, xg, s);
        int seen = 0;
        for (Tensor t : Backprop.topologicalOrder(y)) {
            if (t.node() == null || !t.node().primitive().name().equals("attention")) continue;
            assertSame(s.attended()[seen].data(), t.data(), "layer " + seen + "'s output is the gathered array");
            if (seen == 0) {
                Tensor q = t.node().inputs()[0], k = t.node().inputs()[1];
                Tensor lse = Tensor.wrap(AttentionTangents.rowLogSumExp(q.data(), k.data(), 0.25, 64));
                assertClose(lse, s.rowLogSumExp()[0], 1e-5);
            }
            seen++;
        }
        assertEquals(2, seen);
    }

    @Test void aStateThatDoesNotBelongToTheInputsIsRefused() {
        AttentionLayers m = (AttentionLayers) Models.byName("attention");
        Tensor x = m.inputs(64, 1)[0];
        RowRangeForward.State other = RowRangeForward.run(m, m.inputs(64, 2)[0], 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowRangeForward.tape(m, x.detach().requiresGrad(), other));
        assertTrue(e.getMessage().startsWith("gathered attention: row 0 of the given output differs"), e.getMessage());
        RowRangeForward.State shortState = new RowRangeForward.State(new Tensor[]{Tensor.zeros(10, 16)}, new Tensor[1]);
        e = assertThrows(IllegalArgumentException.class, () -> RowRangeForward.tape(m, x.detach().requiresGrad(), shortState));
        assertTrue(e.getMessage().contains("the output is (10,16)"), e.getMessage());
    }

    /** A part that mixes rows (here a batch mean in the embedding) makes the ranges disagree with the whole batch: refused. */
    @Test void aModelWhosePartsMixRowsIsRefused() {
        Models.Stack base = (Models.Stack) Models.byName("attention");
        AttentionLayers mixing = new AttentionLayers() {
            @Override public String name() { return "centred"; }
            @Override public boolean coupled() { return true; }
            @Override public Tensor[] inputs(long n, long seed) { return base.inputs(n, seed); }
            @Override public int layers() { return 1; }
            @Override public Tensor embed(Tensor x) { return base.embed(x.sub(x.mean(new int[]{0}, true))); }
            @Override public Tensor[] project(int l, Tensor h) { return base.project(l, h); }
            @Override public double scale(int l) { return base.scale(l); }
            @Override public Tensor combine(int l, Tensor a, Tensor h) { return base.combine(l, a, h); }
            @Override public Tensor head(Tensor h, Tensor x) { return base.head(h, x); }
        };
        Tensor x = mixing.inputs(64, 1)[0];
        RowRangeForward.State s = RowRangeForward.run(mixing, x, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowRangeForward.tape(mixing, x.detach().requiresGrad(), s));
        assertTrue(e.getMessage().contains("are the model's other parts per-sample?"), e.getMessage());
    }
}
