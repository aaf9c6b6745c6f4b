package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * rowBlocks: the blocks of the whole-batch sweep, computed a block of rows at a time from the function; its memory
 * bound is checked on the buffers themselves (the rows f is called with, every block's values freed before the next
 * block runs), never on time.
 */
class RowBlocksTest {
    private DType saved;

    @BeforeEach void float64() { saved = Tensor.defaultDType(); Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterEach void restore() { Tensor.setDefaultDType(saved); }

    private static Function<Tensor, Tensor> f(Model m) { return v -> m.forward(v)[0]; }

    /** m ≤ n (the block's sweep is m VJPs) and m > n (n JVPs), 50 rows in blocks of 16, 16, 16 and 2. */
    @Test void equalsTheWholeBatchSweepWithARaggedLastBlock() {
        Tensor w = Tensor.randn(9, 3, 5), v2 = Tensor.randn(10, 5, 2);
        List<Function<Tensor, Tensor>> fs = List.of(f(Models.mlp(1)), f(Models.sin()), v -> v.matmul(w).tanh(), v -> v.matmul(w).sin().matmul(v2).add(v.narrow(1, 0, 2)));
        for (int k = 0; k < fs.size(); k++) {
            Tensor x = Tensor.randn(k, 50, 3);
            Tensor whole = Jacobian.of(fs.get(k), x).perSample(Strategies.reverseSum());
            Tensor blocks = Jacobian.of(fs.get(k), x).perSample(Strategies.rowBlocks(16));
            assertArrayEquals(whole.shape(), blocks.shape(), "function " + k);
            assertTrue(blocks.maxAbsDiff(whole) < 1e-13, "function " + k + " differs by " + blocks.maxAbsDiff(whole));
            Tensor viaProblem = Strategies.rowBlocks(7).run(Jacobian.of(fs.get(k), x).problem());
            assertTrue(viaProblem.maxAbsDiff(whole.reshape(viaProblem.shape())) < 1e-13, "function " + k);
        }
    }

    @Test void sinBlocksAreCosOnTheDiagonalByFiniteDifferences() {
        Tensor x = Tensor.randn(4, 9, 3);
        Tensor J = Jacobian.of(Tensor::sin, x).perSample(Strategies.rowBlocks(4));
        double h = 1e-6;
        for (int i = 0; i < 9; i++)
            for (int k = 0; k < 3; k++)
                for (int j = 0; j < 3; j++) {
                    double xv = x.get(i, j), fd = k == j ? (Math.sin(xv + h) - Math.sin(xv - h)) / (2 * h) : 0;
                    assertEquals(fd, J.get(i, k, j), 1e-8, "J[" + i + "][" + k + "][" + j + "]");
                }
    }

    /**
     * The memory bound: f never sees more than a block of rows (the batch is never recorded whole), and when a block
     * starts, every value the previous blocks made — forward, tape and sweep — is already freed.
     */
    @Test void holdsOneBlockAtATime() {
        Model m = Models.mlp(1);
        Tensor x = m.inputs(40, 1)[0];
        List<Long> rows = new ArrayList<>();
        List<Tensor> made = new ArrayList<>();
        Function<Tensor, Tensor> traced = v -> {
            for (Tensor t : made) assertTrue(t.data().isClosed(), "a value of an earlier block is still allocated: " + t.node());
            rows.add(v.size(0));
            Tensor h = v.matmul(Tensor.randn(5, 3, 16)).tanh(), y = h.matmul(Tensor.randn(6, 16, 3));
            made.addAll(List.of(v, h, y));
            return y;
        };
        Tensor J;
        try (Scope s = Tensor.scope()) {
            J = s.keep(Jacobian.of(traced, x).parallelism(1).perSample(Strategies.rowBlocks(16)));   // one thread: one block at a time
        }
        assertEquals(List.of(16L, 16L, 8L), rows, "f is called once per block, never on all 40 rows");
        assertFalse(J.data().isClosed(), "the result survives the blocks' scopes");
        for (Tensor t : made) assertTrue(t.data().isClosed(), "a block value outlived the run: " + t.node());
        assertArrayEquals(new long[]{40, 3, 3}, J.shape());
    }

    /** rowBlocks(): a first block of 1,024 rows, then blocks whose widest batched tensor is about 12 MiB. */
    @Test void sizesItsBlocksFromTheFirstBlocksTape() {
        assertArrayEquals(new long[]{1024, 16384, 16384, 1408}, RowBlocks.blockRows(35200, 0, 768));   // an MLP row: 3 · 64 floats
        assertArrayEquals(new long[]{500}, RowBlocks.blockRows(500, 0, 768));
        assertArrayEquals(new long[]{16, 16, 8}, RowBlocks.blockRows(40, 16, 768));
        Model m = Models.mlp(1);
        Tensor x = m.inputs(3000, 1)[0];
        List<Long> rows = new ArrayList<>();
        Tensor J = Jacobian.of(v -> { rows.add(v.size(0)); return m.forward(v)[0]; }, x).parallelism(1).perSample(Strategies.rowBlocks());
        assertEquals(List.of(1024L, 1976L), rows, "a float64 MLP row holds 3 · 64 · 8 bytes at its widest: 8,192 rows fit 12 MiB");
        assertTrue(J.maxAbsDiff(Jacobian.of(f(m), x).perSample(Strategies.forwardSum())) < 1e-13);
    }

    @Test void refusesCoupledSamplesAndARecordedYAlone() {
        Model bn = Models.batchNorm(1);
        Tensor x = bn.inputs(12, 1)[0];
        String why = assertThrows(IllegalArgumentException.class,
                () -> Jacobian.of(f(bn), x).perSample(Strategies.rowBlocks(4))).getMessage();
        assertTrue(why.startsWith("rowBlocks(4) would return wrong blocks"), why);
        Tensor xr = Models.sin().inputs(6, 1)[0].requiresGrad();
        Problem p = Jacobian.of(xr.sin(), xr).problem();
        assertTrue(Strategies.rowBlocks(4).refusal(p).contains("needs the function"), Strategies.rowBlocks(4).refusal(p));
        assertThrows(IllegalArgumentException.class, () -> Strategies.rowBlocks(-1));
        assertEquals(Strategies.rowBlocks(512), Strategies.byName("rowBlocks(512)"));
        assertEquals(Strategies.rowBlocks(), Strategies.byName("rowBlocks"));
    }
}
