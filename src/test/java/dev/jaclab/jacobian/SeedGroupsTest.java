package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.ShapeTrace;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import dev.jaclab.tensor.WorkMeter;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sum strategies' seed directions in groups: the blocks equal the single sweep's whatever the cap (m ≤ n and m > n,
 * groups of one, spread groups, a batch axis other than 0), the groups are chosen by the size of the batched tensors,
 * and cost and counted work follow the sweeps actually run.
 */
class SeedGroupsTest {
    private DType saved;

    @BeforeEach void float64() { saved = Tensor.defaultDType(); Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterEach void restore() { Tensor.setDefaultDType(saved); }

    private static final Tensor W = Tensor.randn(9, 3, 5), V = Tensor.randn(10, 5, 2), U = Tensor.randn(11, 3, 7);

    /** m = n = 3 (the MLP), m = 5 > n = 3, m = 2 < n = 3, m = 7 (groups of 3, 3 and 1 under a cap of three directions). */
    private static final List<Function<Tensor, Tensor>> MODELS = List.of(v -> Models.mlp(1).forward(v)[0], v -> v.matmul(W).tanh(),
            v -> v.matmul(W).sin().matmul(V).add(v.narrow(1, 0, 2)), v -> v.matmul(U).tanh().mul(v.narrow(1, 0, 1)));

    private static Problem problem(Function<Tensor, Tensor> f, long n, long seed) {
        Tensor x = Tensor.randn(seed, n, 3).requiresGrad();
        return Jacobian.of(f.apply(x), x).parallelism(1).problem();
    }

    @Test void groupsEqualTheSingleSweepExactly() {
        for (int k = 0; k < MODELS.size(); k++) {
            Problem p = problem(MODELS.get(k), 37, k);
            long widest = SeedGroups.widestBytes(p);
            Tensor reverse = ReverseSum.sampleMajor(p).permute(1, 0, 2), forward = ForwardSum.sampleMajor(p).permute(1, 2, 0);
            for (long directions : new long[]{1, 2, 3}) {
                Tensor r = SeedGroups.reverse(p, directions * widest), f = SeedGroups.forward(p, directions * widest);
                assertArrayEquals(reverse.shape(), r.shape());
                assertEquals(0, r.maxAbsDiff(reverse), 1e-12, "model " + k + " reverse, groups of " + directions);
                assertEquals(0, f.maxAbsDiff(forward), 1e-12, "model " + k + " forward, groups of " + directions);
            }
        }
    }

    /** Batch axis 1: the groups' results come back through the sample-major permutation. */
    @Test void groupsOnBatchAxisOne() {
        Tensor x = Tensor.randn(3, 3, 21).requiresGrad();
        Tensor y = x.mT().matmul(W).tanh().mT();                                // (5, 21): m = 5, n = 3
        Problem p = Jacobian.of(y, x).batchAxis(1).parallelism(1).problem();
        long widest = SeedGroups.widestBytes(p);
        assertEquals(0, SeedGroups.reverse(p, widest).maxAbsDiff(ReverseSum.sampleMajor(p).permute(1, 0, 2)), 1e-12);
        assertEquals(0, SeedGroups.forward(p, 2 * widest).maxAbsDiff(ForwardSum.sampleMajor(p).permute(1, 2, 0)), 1e-12);
    }

    /** The rule: all directions while a batched tensor stays within the cap, else groups of ⌈d/G⌉ spread evenly; createGraph never splits. */
    @Test void groupSizeFollowsTheBatchedTensorsBytes() {
        Problem p = problem(MODELS.get(3), 16, 1);                             // m = 7
        long widest = SeedGroups.widestBytes(p);
        assertEquals(7, SeedGroups.size(p, 7, SeedGroups.GROUP_BYTES));
        assertEquals(7, SeedGroups.size(p, 7, 7 * widest));
        assertEquals(3, SeedGroups.size(p, 7, 3 * widest));                  // 3 groups: 3, 3, 1
        assertEquals(4, SeedGroups.size(p, 7, 5 * widest));                  // 2 groups: 4, 3 (not 5, 2)
        assertEquals(1, SeedGroups.size(p, 7, widest / 2));                  // never fewer than one direction
        Tensor x = Tensor.randn(1, 16, 3).requiresGrad();
        Problem graph = Jacobian.of(MODELS.get(3).apply(x), x).createGraph().problem();
        assertEquals(7, SeedGroups.size(graph, 7, 1));
    }

    /**
     * Chosen by size: the MLP at N = 16,384 (widest tensor 4 MiB in f32) runs one sweep of three cotangents; at N = 2^20
     * (256 MiB) one sweep per direction, and its cost says so — three sweeps, the peak of one direction's frontier.
     */
    @Test void theMlpAtAMillionSweepsOneDirectionAtATime() {
        Tensor.setDefaultDType(DType.FLOAT32);
        Problem small = CostModelWorkTest.problem(Models.mlp(1), 16_384, true), large = CostModelWorkTest.problem(Models.mlp(1), 1 << 20, true);
        assertEquals(3, SeedGroups.size(small, 3, SeedGroups.GROUP_BYTES));
        assertEquals(1, SeedGroups.size(large, 3, SeedGroups.GROUP_BYTES));
        for (Strategy s : List.of(Strategies.reverseSum(), Strategies.forwardSum())) {
            Cost c = s.cost(large), one = s.cost(small);
            assertEquals(3, c.reverseSweeps() + c.forwardSweeps(), s.name());
            assertEquals(1, one.reverseSweeps() + one.forwardSweeps(), s.name());
            assertEquals(Cost.perVectorBytes(large) + Cost.blockBytes(large), c.peakBytes(), s.name());
            assertEquals(3 * Cost.perVectorBytes(small) + Cost.blockBytes(small), one.peakBytes(), s.name());
        }
    }

    /** Run in groups, the counted work is the traced prediction's: the same sweeps, and the writes as the blocks' strided copy. */
    @Test void groupedWorkIsCountedAsTraced() {
        Problem p = problem(MODELS.get(1), 24, 2);
        long cap = SeedGroups.widestBytes(p) * 2;                           // m = 5: groups of 2, 2, 1 (reverse), n = 3: 2, 1 (forward)
        for (boolean reverse : new boolean[]{true, false}) {
            Work counted, traced;
            try (WorkMeter m = WorkMeter.open()) {
                if (reverse) SeedGroups.reverse(p, cap); else SeedGroups.forward(p, cap);
                counted = m.work();
            }
            try (ShapeTrace t = ShapeTrace.open(); WorkMeter m = WorkMeter.open()) {
                if (reverse) SeedGroups.reverse(p, cap); else SeedGroups.forward(p, cap);
                traced = m.work();
            }
            assertTrue(traced.closeTo(counted, 1e-12), (reverse ? "reverse" : "forward") + ": traced " + traced + "; counted " + counted);
            assertEquals(p.samples() * p.outputWidth() * p.inputWidth(), counted.strided(), 0);
        }
    }
}
