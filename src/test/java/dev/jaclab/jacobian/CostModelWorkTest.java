package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.tensor.ShapeTrace;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import dev.jaclab.tensor.WorkMeter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cost model's work against the work counted while strategies run: a traced sweep equals the counted sweep exactly;
 * a whole strategy's predicted work equals its counted gemm flops and transcendentals exactly, and its element work and
 * ops up to the bookkeeping around the sweeps (seed and block reshapes); a model traced with shapes only gives the same
 * problem shape and costs as the computed one.
 */
class CostModelWorkTest {
    static Problem problem(Model m, long n, boolean traced) {
        try (ShapeTrace t = traced ? ShapeTrace.open() : null) {
            Tensor[] in = m.inputs(n, 0);
            in[m.inputIndex()].requiresGrad();
            return Jacobian.of(m.forward(in)[m.outputIndex()], in[m.inputIndex()]).parallelism(1).problem();
        }
    }

    @Test void tracedSweepEqualsCountedSweep() {
        for (Model m : List.of(Models.sin(), Models.mlp(1), Models.attention(7, 3, 16), Models.dense(3))) {
            Problem p = problem(m, 48, false);
            for (long b : new long[]{1, 7}) {
                Work predicted = SweepWork.reverse(p, b), counted;
                try (WorkMeter meter = WorkMeter.open()) {
                    dev.jaclab.autodiff.Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x},
                            new Tensor[]{p.yCotangents(Tensor.zeros(p.y.dtype(), b, p.samples(), p.outputWidth()))}, new dev.jaclab.autodiff.Autograd.Options(true, false));
                    counted = meter.work();
                }
                assertTrue(predicted.closeTo(counted, 1e-12), m.name() + " B=" + b + ": predicted " + predicted + " counted " + counted);
            }
        }
    }

    @Test void strategyWorkEqualsCountedWork() {
        for (Model m : List.of(Models.sin(), Models.mlp(1), Models.attention(7, 3, 16), Models.dense(3))) {
            Problem p = problem(m, 16, false);
            for (Strategy s : List.of(Strategies.reverseSum().unchecked(), Strategies.forwardSum().unchecked(), Strategies.chunked(16),
                    Strategies.perElement(), Strategies.fullBatched())) {
                Work predicted = s.work(p), counted;
                try (WorkMeter meter = WorkMeter.open()) {
                    s.run(p);
                    counted = meter.work();
                }
                String what = m.name() + " " + s.name() + ": predicted " + predicted + "; counted " + counted;
                assertEquals(predicted.gemmFlops(), counted.gemmFlops(), 1e-9 * counted.gemmFlops() + 1e-9, what);
                assertEquals(predicted.transcendental(), counted.transcendental(), 1e-9 * counted.transcendental() + 1e-9, what);
                double blocks = p.samples() * p.outputWidth() * p.inputWidth(), seeds = p.samples() * p.outputWidth() * p.samples() * p.outputWidth();
                Work seedWork = s instanceof Chunked || s instanceof PerElement ? OneHot.rowsWork(1, 1, 1).times(seeds) : Work.NONE;
                double sweeps0 = predicted.elementwise() - seedWork.elementwise();        // the seeds are built outside the meter
                assertTrue(counted.elementwise() >= sweeps0 - 1e-9, what);
                assertTrue(counted.elementwise() - sweeps0 <= 4 * (blocks + seeds), what);
                long sweeps = s.cost(p).reverseSweeps() + s.cost(p).forwardSweeps();
                double ops = predicted.ops() - (seedWork == Work.NONE ? 0 : 2 * sweeps);   // two seed ops per sweep, outside the meter
                assertTrue(counted.ops() - ops <= 8 * sweeps + 8 && counted.ops() >= ops, what);
            }
        }
    }

    @Test void sparseRowsWorkEqualsCountedWork() {
        for (Model m : List.of(Models.sin(), Models.mlp(1), Models.attention(7, 3, 16), Models.dense(3), Models.attentionStack(7, 3, 16, 2, true)))
            for (int chunk : new int[]{5, 16}) assertTracedChunksCounted(problem(m, 24, false), m, Strategies.sparseRows(chunk));
    }

    /**
     * Through stacked layers the chunk runs the one-row, factored and batched attention kernels and the block dots at the
     * frontier: each states its work, computed and traced alike; chunk sizes with and without a partial last chunk.
     */
    @Test void meetInMiddleWorkEqualsCountedWork() {
        for (Model m : List.of(Models.attentionStack(7, 3, 16, 2, true), Models.attentionStack(7, 3, 16, 3, true), Models.attentionStack(7, 3, 16, 4, true),
                Models.attentionStack(7, 3, 16, 2, false), Models.pinn(11)))
            for (int chunk : new int[]{9, 30}) assertTracedChunksCounted(problem(m, 20, false), m, Strategies.meetInMiddle(chunk));
    }

    /** The strategy's predicted work (its chunks traced) equals the work counted while it runs, exactly. */
    private static void assertTracedChunksCounted(Problem p, Model m, Strategy s) {
        Work predicted = s.work(p), counted;
        try (WorkMeter meter = WorkMeter.open()) {
            s.run(p);
            counted = meter.work();
        }
        assertTrue(predicted.closeTo(counted, 1e-12), m.name() + " " + s.name() + ": predicted " + predicted + "; counted " + counted);
    }

    /**
     * A sum trick's strided copies — the blocks' permutation to (N, m, n); the basis seeds are cached arrays, made
     * without ops; a diagonal tape (sin) has none — are counted as such, predicted (traced call) = counted (run), on a
     * real and a traced tape.
     */
    @Test void sumsCountTheirStridedCopies() {
        for (Model m : List.of(Models.sin(), Models.mlp(1))) {
            Problem p = problem(m, 40, false), traced = problem(m, 40, true);
            long N = p.samples(), n = p.inputWidth(), w = p.outputWidth();
            for (Strategy s : List.of(Strategies.forwardSum(), Strategies.reverseSum())) {
                Work predicted = s.work(p), counted;
                try (WorkMeter meter = WorkMeter.open()) {
                    p.toUserBlocks(s.run(p));
                    counted = meter.work();
                }
                String what = m.name() + " " + s.name() + ": predicted " + predicted + "; counted " + counted;
                assertEquals(p.structure().diagonal() ? 0 : N * w * n, counted.strided(), 0, what);
                assertTrue(predicted.closeTo(counted, 1e-12), what);
                assertTrue(s.work(traced).closeTo(counted, 1e-12), what);
            }
        }
    }

    @Test void contextForwardStatesItsOwnSweep() {
        for (Model m : List.of(Models.batchNorm(3), Models.globalMean())) {
            Problem p = problem(m, 32, false), traced = problem(m, 32, true);
            Strategy s = Strategies.contextForward();
            Work predicted = s.work(p), counted;
            try (WorkMeter meter = WorkMeter.open()) {
                p.toUserBlocks(s.run(p));
                counted = meter.work();
            }
            assertTrue(predicted.closeTo(counted, 1e-12), m.name() + ": predicted " + predicted + "; counted " + counted);
            assertTrue(s.work(traced).closeTo(counted, 1e-12), m.name() + " traced: " + s.work(traced) + "; counted " + counted);
            assertFalse(predicted.closeTo(SweepWork.of(p, s.cost(p)), 1e-3), m.name() + ": the generic forward count is not its work");
        }
    }

    @Test void tracedModelHasTheComputedShapesAndCosts() {
        for (Model m : List.of(Models.mlp(1), Models.attention(7, 3, 16), Models.dense(3), Models.pinn(11), Models.conv(5))) {
            Problem real = problem(m, 40, false), traced = problem(m, 40, true);
            assertTrue(traced.traced());
            assertFalse(real.traced());
            assertEquals(real.structure().path().size(), traced.structure().path().size(), m.name());
            assertEquals(real.structure().independent(), traced.structure().independent(), m.name());
            for (Strategy s : List.of(Strategies.sparseRows(16), Strategies.chunked(16), Strategies.reverseSum().unchecked())) {
                assertEquals(s.cost(real).peakBytes(), s.cost(traced).peakBytes(), m.name() + " " + s.name());
                assertTrue(s.work(real).closeTo(s.work(traced), 1e-12), m.name() + " " + s.name());
            }
        }
    }

    @Test void attentionAtAMillionIsTracedNotRun() {
        long t0 = System.nanoTime();
        Problem p = problem(Models.attention(7, 3, 16), 1_000_000, true);
        Work w = Strategies.sparseRows(64).work(p);
        assertTrue((System.nanoTime() - t0) / 1e9 < 60, "tracing must not run the N² forward");
        // the attention rows grow as N² overall: 10⁶·3 seeds × ≈ 2·10⁶·(d + dv) flops each, within a factor of a few
        assertTrue(w.gemmFlops() > 1e13 && w.gemmFlops() < 1e15, w.toString());
    }
}
