package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * auto given a function: it decides on f traced at N with shapes only, picks rowBlocks where samples are independent
 * and the batch splits into several blocks (a tie in predicted time, a smaller peak), and then f only ever computes
 * a block of rows; coupled samples are never given rowBlocks; rowBlocks' blocks do not depend on the thread count.
 */
class AutoRowBlocksTest {
    private DType saved;

    @BeforeEach void float64() { saved = Tensor.defaultDType(); Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterEach void restore() { Tensor.setDefaultDType(saved); }

    @Test void autoPicksRowBlocksAndNeverComputesTheWholeBatch() {
        Model m = Models.mlp(1);
        long N = 5000;
        Tensor x = m.inputs(N, 2)[0];
        List<Long> computedRows = java.util.Collections.synchronizedList(new ArrayList<>()), tracedRows = new ArrayList<>();   // blocks run on worker threads
        Function<Tensor, Tensor> f = v -> {
            (v.data().isShapeOnly() ? tracedRows : computedRows).add(v.size(0));
            return m.forward(v)[0];
        };
        Plan plan = Jacobian.of(f, x).plan();
        assertInstanceOf(RowBlocks.class, plan.chosen(), plan.toString());
        assertTrue(plan.reason().contains("smaller peak wins"), plan.reason());
        Tensor J = Jacobian.of(f, x).perSample();
        assertEquals(List.of(N, N), tracedRows, "plan and perSample each trace f once at N, with shapes only");
        assertTrue(computedRows.size() >= 2, "f computed on " + computedRows);
        for (long r : computedRows) assertTrue(r < N, "f computed on " + r + " of " + N + " rows: " + computedRows);
        assertEquals(N, computedRows.stream().filter(r -> r > 64).mapToLong(Long::longValue).sum(), "the blocks cover the batch once: " + computedRows);
        Tensor whole = Jacobian.of(v -> m.forward(v)[0], x).perSample(Strategies.reverseSum());
        assertTrue(J.maxAbsDiff(whole) < 1e-12, "auto (rowBlocks) differs from reverseSum by " + J.maxAbsDiff(whole));
    }

    @Test void autoOnASmallBatchRecordsItAndPicksAnotherStrategy() {
        Model m = Models.mlp(1);
        Tensor x = m.inputs(200, 2)[0];
        Plan plan = Jacobian.of(v -> m.forward(v)[0], x).plan();
        assertFalse(plan.chosen() instanceof RowBlocks, "one block is the whole batch: no smaller peak\n" + plan);
        Tensor J = Jacobian.of(v -> m.forward(v)[0], x).perSample();
        Tensor whole = Jacobian.of(v -> m.forward(v)[0], x).perSample(Strategies.reverseSum());
        assertTrue(J.maxAbsDiff(whole) < 1e-12);
    }

    /** A function whose code reads values cannot be traced with shapes only: auto records it and decides on the tape. */
    @Test void aFunctionThatReadsValuesIsRecordedInstead() {
        Tensor x = Tensor.randn(5, 3000, 3);
        List<Long> rows = new ArrayList<>();
        Function<Tensor, Tensor> f = v -> {
            if (!v.data().isShapeOnly()) rows.add(v.size(0));       // rows computed, not traced
            double scale = 1 + v.abs().max().item() * 0;             // reads a value: fails inside a shape trace
            return v.mul(scale).sin();
        };
        Plan plan = Jacobian.of(f, x).plan();
        assertTrue(rows.contains(3000L), "computed on the whole batch: " + rows);
        assertTrue(plan.chosen() != null && plan.rows().stream().allMatch(r -> r.refusal() != null || r.seconds() > 0), plan.toString());
    }

    @Test void coupledSamplesAreNeverGivenRowBlocks() {
        Model m = Models.batchNorm(1);
        for (long N : new long[]{40, 5000}) {
            Tensor x = m.inputs(N, 3)[0];
            Plan plan = Jacobian.of(v -> m.forward(v)[m.outputIndex()], x).plan();
            assertFalse(plan.chosen() instanceof RowBlocks, "N = " + N + "\n" + plan);
        }
    }

    @Test void parallelBlocksEqualSerialBlocks() {
        Tensor w = Tensor.randn(9, 3, 5), v2 = Tensor.randn(10, 5, 2);
        List<Function<Tensor, Tensor>> fs = List.of(v -> Models.mlp(1).forward(v)[0], v -> v.matmul(w).sin().matmul(v2).add(v.narrow(1, 0, 2)));
        for (Function<Tensor, Tensor> f : fs) {
            Tensor x = Tensor.randn(4, 50, 3);
            Tensor serial = Jacobian.of(f, x).parallelism(1).perSample(Strategies.rowBlocks(7));
            for (int workers : new int[]{2, 3, 16}) {
                Tensor parallel = Jacobian.of(f, x).parallelism(workers).perSample(Strategies.rowBlocks(7));
                assertEquals(0.0, parallel.maxAbsDiff(serial), workers + " threads");
            }
            Tensor whole = Jacobian.of(f, x).perSample(Strategies.reverseSum());
            assertTrue(serial.maxAbsDiff(whole) < 1e-12);
        }
    }
}
