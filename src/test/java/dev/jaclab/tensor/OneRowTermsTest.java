package dev.jaclab.tensor;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.explore.Models;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Structure;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one-row rules state the factored terms they hand back ({@link RowSparseJvp#oneRowTerms},
 * {@link RowSparseVjp#ownRowTerms}: what the cost model counts as a two-layer meet-in-the-middle chunk's working set):
 * the sweeps on a real two-layer attention tape deliver exactly those terms at the first layer's output, and
 * {@link RowTerm#contractionElements} counts the arrays the contraction of the two sides makes.
 */
class OneRowTermsTest {
    private static final int C = 5;

    @Test void oneRowRulesHandBackTheTermsTheyState() {
        var m = Models.attentionStack(7, 3, 16, 2, true);
        Tensor x = m.inputs(48, 0)[0].requiresGrad();
        Tensor y = m.forward(new Tensor[]{x})[0];
        Structure s = Jacobian.of(y, x).problem().structure();
        Set<Tensor> onPath = IdentitySets.of();
        onPath.addAll(s.path());
        onPath.add(x);
        List<Tensor> mixing = new ArrayList<>();
        for (Tensor t : s.path()) if (t.node().primitive() instanceof Attention.Fused) mixing.add(t);
        assertEquals(2, mixing.size());
        Tensor first = mixing.get(0), last = mixing.get(1);
        long[] rows = {3, 3, 3, 17, 17, 17, 40, 40, 40, 11, 11, 11, 0, 0, 0};   // C samples, 3 seeds each
        boolean[] all = {true, true, true};

        SeedBatch.Chunk up = new SeedBatch.Chunk(rows, Tensor.newLevel());
        Map<Tensor, SeedBatch> tan = RowSparseForward.sweep(x, oneHots(3), List.of(first), t -> true, onPath::contains, up, new NodeCache());
        RowTerm.Counts stated = ((RowSparseJvp) first.node().primitive()).oneRowTerms(first.node(), all);
        assertEquals(stated, counted(tan.get(first).terms(), rows.length), "one-row JVP");

        SeedBatch.Chunk down = new SeedBatch.Chunk(rows, Tensor.newLevel());
        Map<Tensor, SeedBatch> cot = RowSparseSweep.sweep(y, oneHots(3), s::isRowLocal, onPath::contains, t -> t == first, down);
        RowTerm.Counts said = ((RowSparseVjp) last.node().primitive()).ownRowTerms(last.node(), all);
        assertEquals(said, counted(cot.get(first).terms(), rows.length), "one-row VJP with factored keys and values");

        long elements = RowTerm.contractionElements(said, stated, C, 3, 3, first.size(0));
        double made;
        Tensor blocks;
        try (WorkMeter meter = WorkMeter.open()) {                   // elements written by the contraction's ops
            blocks = RowTerm.contractAll(cot.get(first).terms(), tan.get(first).terms(), C);
            made = meter.work().bytesWritten() / x.dtype().bytes();
        }
        assertArrayEquals(new long[]{C, 3, 3}, blocks.shape());
        long small = 64L * C * 9;                                      // the (C, ·, ·) products and block sums
        assertTrue(made >= elements && made <= elements + small, "contraction wrote " + made + " elements, stated " + elements);
    }

    /** Per-seed and shared terms, and distinct row-weight arrays in elements per seed. */
    private static RowTerm.Counts counted(List<RowTerm> terms, long seeds) {
        Map<Object, Boolean> weights = new IdentityHashMap<>();
        int perSeed = 0, shared = 0;
        long elements = 0;
        for (RowTerm t : terms) {
            if (t.shared()) shared++; else perSeed++;
            if (weights.put(t.a().data(), true) == null) elements += t.a().numel() / seeds;
        }
        return new RowTerm.Counts(perSeed, shared, elements);
    }

    private static Tensor oneHots(int w) {
        double[] v = new double[C * w * w];
        for (int s = 0; s < C * w; s++) v[s * w + s % w] = 1;
        return Tensor.fromArray(v, C * w, w).cast(dev.jaclab.nd.DType.FLOAT32);   // the model's dtype
    }
}
