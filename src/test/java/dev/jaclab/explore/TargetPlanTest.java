package dev.jaclab.explore;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.Strategies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan at a target N: chunks shrink until the predicted peak fits, sums never on coupled samples, 1 vs P workers. */
class TargetPlanTest {
    @Test void chunkShrinksUntilThePeakFits() {
        Problem far = CostModel.trace(Models.attention(7, 3, 16), 1_000_000, 0, Bytes.gib(2)),
                wide = CostModel.trace(Models.attention(7, 3, 16), 1_000_000, 0, Bytes.gib(1024));
        TargetPlan roomy = TargetPlan.choose(wide, List.of(Strategies.sparseRows(4096)), Map.of(), Bytes.gib(1024), 2, Rates.NOMINAL, true);
        TargetPlan tight = TargetPlan.choose(far, List.of(Strategies.sparseRows(4096)), Map.of(), Bytes.gib(2), 2, Rates.NOMINAL, true);
        assertEquals("sparseRows(4096)", roomy.strategy().name());
        int chunk = Integer.parseInt(tight.strategy().name().replaceAll("\\D", ""));
        assertTrue(chunk < 4096, tight.toString());
        assertTrue(tight.serial().peakBytes() <= Bytes.gib(2), tight.toString());
        assertTrue(tight.serial().peakBytes() > Bytes.gib(1) / 2 || chunk == 1, "the largest chunk that fits: " + tight);
        assertEquals(2, tight.parallel().workers());
        assertEquals(tight.serial().seconds() / 2, tight.parallel().seconds(), 1e-9 * tight.serial().seconds());
    }

    /** The model as a function opens rowBlocks to the plan; within auto()'s tie factor the smaller peak wins, as in auto(). */
    @Test void rowBlocksWinsATieOnPeakAsInAuto() {
        Problem far = CostModel.trace(Models.mlp(1), 1 << 20, 0, Bytes.gib(8));
        TargetPlan p = TargetPlan.choose(far, List.of(Strategies.reverseSum().unchecked(), Strategies.rowBlocks()), Map.of(), Bytes.gib(8), 1,
                Rates.NOMINAL, false);
        assertEquals("rowBlocks", p.strategy().name(), p.toString());
        assertTrue(p.toString().contains("ties with the fastest"), p.toString());
        try (Rates.Fixed nominal = Rates.fix(Rates.NOMINAL)) {           // auto() plans with the rates in use: the same as the plan's here
            assertEquals("rowBlocks", Strategies.auto().choose(far).name());
        }
        TargetPlan coupled = TargetPlan.choose(CostModel.trace(Models.batchNorm(3), 1 << 16, 0, Bytes.gib(8)),
                List.of(Strategies.chunked(64), Strategies.rowBlocks()), Map.of(), Bytes.gib(8), 1, Rates.NOMINAL, true);
        assertEquals("chunked(64)", coupled.strategy().name(), coupled.toString());
    }

    @Test void noSumTrickOnCoupledSamplesAndTheSmallestBudgetWhenNothingFits() {
        Problem far = CostModel.trace(Models.globalMean(), 100_000, 0, Bytes.gib(64));
        TargetPlan p = TargetPlan.choose(far, List.of(Strategies.reverseSum().unchecked(), Strategies.chunked(64)), Map.of(), Bytes.gib(64), 1,
                Rates.NOMINAL, true);
        assertEquals("chunked(64)", p.strategy().name(), p.toString());
        TargetPlan none = TargetPlan.choose(far, List.of(Strategies.chunked(64)), Map.of(), 1000, 1, Rates.NOMINAL, true);
        assertNull(none.strategy());
        assertTrue(none.smallestBudget() > 1000 && none.reason().contains("raise the budget"), none.toString());
        Problem sin = CostModel.trace(Models.sin(), 1_000_000, 0, Bytes.gib(8));
        TargetPlan independent = TargetPlan.choose(sin, List.of(Strategies.forwardSum(), Strategies.sparseRows(256)), Map.of(), Bytes.gib(8), 1,
                Rates.NOMINAL, false);
        assertEquals("forwardSum", independent.strategy().name(), independent.toString());
    }
}
