package dev.jaclab.explore;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.SparsityPattern;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Report consistency on small float64 problems: passes, errors, predictions and calibration, the sum-type lesson, the budget-driven plan. */
class ExplorerTest {
    static Report coupled;

    @BeforeAll static void run() {
        Tensor.setDefaultDType(DType.FLOAT64);
        coupled = Explorer.of(Models.globalMean()).sizes(8, 16).target(100_000).budget(Bytes.gib(64))
                .strategies(Strategies.reverseSum().unchecked(), Strategies.reverseSum(), Strategies.chunked(16), Strategies.sparseRows(16))
                .repeats(2).run();
    }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    @Test void predictedPassesEqualCountedAndExactErrorsVanish() {
        for (Measurement m : coupled.measurements()) {
            if (!m.ran()) continue;
            assertEquals(m.predictedSweeps(), m.countedSweeps(), m.strategy() + " sweeps at N=" + m.samples());
            assertEquals(m.predictedVectors(), m.countedVectors(), m.strategy() + " vectors at N=" + m.samples());
            assertTrue(m.millis() >= 0);
            if (m.ok()) assertTrue(m.maxError() < 1e-10, m.strategy() + " error " + m.maxError());
        }
        assertEquals(4 * 2, coupled.measurements().size());
        assertEquals(coupled.measurements().size(), coupled.table().rowCount());
    }

    @Test void everyMeasurementCarriesItsPredictionAndTheTargetIsPredicted() {
        for (Measurement m : coupled.measurements()) {
            if (!m.ran()) continue;
            assertTrue(m.predictedSeconds() > 0 && m.cpuMillis() >= 0, m.toString());
            assertEquals(m.predictedSeconds(), m.computeSeconds() + m.overheadSeconds(), 1e-12);
        }
        Report.Extrapolation e = coupled.extrapolations().get("sparseRows(16)");
        assertTrue(e.secondsAtTarget() > 0 && e.bytesAtTarget() > 0, e.toString());
        assertTrue(coupled.toString().lines().allMatch(l -> l.length() <= 100 || l.startsWith("Recommendation") || l.startsWith("Coupling")
                || l.startsWith("Rates") || l.contains(": ")), coupled.toString());
    }

    @Test void calibrationFitsThePerOpFactorAndTheCostPerCall() {
        double[] c = {0.1, 1, 10}, o = {1, 2, 4}, t = new double[3];
        for (int i = 0; i < 3; i++) t[i] = c[i] + 3 * o[i] + 0.5;
        CostModel.Calibration cal = CostModel.Calibration.fit(c, o, t);
        assertEquals(1, cal.compute());
        assertEquals(3, cal.overhead(), 1e-9);
        assertEquals(0.5, cal.perCall(), 1e-9);
        double[] same = {1, 1, 1};                                   // the same ops at every size: per-op cost as measured, the rest per call
        for (int i = 0; i < 3; i++) t[i] = c[i] + 3 * same[i];
        cal = CostModel.Calibration.fit(c, same, t);
        assertEquals(1, cal.overhead(), 1e-9);
        assertEquals(2, cal.perCall(), 1e-9);
        for (int i = 0; i < 3; i++) assertEquals(t[i], cal.seconds(c[i], same[i]), 1e-9);
        for (int i = 0; i < 3; i++) t[i] = c[i] + 0.5 * o[i];          // faster per op than the rates, nothing per call
        assertEquals(0.5, CostModel.Calibration.fit(c, o, t).overhead(), 1e-9);
        assertEquals(CostModel.Calibration.NONE, CostModel.Calibration.fit(new double[0], new double[0], new double[0]));
        assertEquals(20, CostModel.Calibration.fit(new double[]{0, 0}, new double[]{1e-6, 2e-6}, new double[]{1, 2}).overhead());   // clamped
        assertEquals(1 - 1e-6, CostModel.Calibration.fit(new double[]{0}, new double[]{1e-6}, new double[]{1}).perCall(), 1e-12);   // one size: per call
    }

    @Test void configurationsPredictedOverTheCapAreSkipped() {
        Report r = Explorer.of(Models.globalMean()).sizes(8, 16).target(1000).timeCap(1e-9)
                .strategies(Strategies.sparseRows(16)).run();
        assertTrue(r.measurements().stream().allMatch(m -> m.status().equals("skipped") && m.reason().contains("time cap")), r.toString());
    }

    @Test void uncheckedSumIsWrongAndCheckedSumRefusesOnCoupledSamples() {
        assertEquals(SparsityPattern.Kind.DENSE, coupled.pattern().kind());
        long wrong = coupled.measurements().stream().filter(m -> m.strategy().equals("reverseSum (unchecked)") && m.wrong()).count();
        long refused = coupled.measurements().stream().filter(m -> m.strategy().equals("reverseSum") && m.refused()).count();
        assertEquals(2, wrong, coupled.toString());
        assertEquals(2, refused, coupled.toString());
        assertTrue(coupled.measurements().stream().filter(Measurement::wrong).allMatch(m -> m.maxError() > 1e-3));
        assertNotNull(coupled.recommendation().strategy());
        assertFalse(coupled.recommendation().strategy().startsWith("reverseSum"), coupled.recommendation().toString());
    }

    @Test void recommendationFollowsTheBudget() {
        Report big = Explorer.of(Models.globalMean()).sizes(8, 16).target(1_000_000).budget(Bytes.gib(1 << 20))
                .strategies(Strategies.chunked(8), Strategies.sparseRows(16)).run();
        Report tiny = Explorer.of(Models.globalMean()).sizes(8, 16).target(1_000_000).budget(Bytes.kib(10))
                .strategies(Strategies.chunked(8), Strategies.sparseRows(16)).run();
        assertNotNull(big.recommendation().strategy(), big.toString());
        Report mid = Explorer.of(Models.globalMean()).sizes(8, 16).target(1_000_000).budget(Bytes.mib(200))
                .strategies(Strategies.chunked(8), Strategies.sparseRows(16)).run();
        assertTrue(mid.recommendation().strategy().startsWith("sparseRows("), mid.toString());
        assertFalse(mid.extrapolations().get("chunked(8)").fits());
        assertNull(tiny.recommendation().strategy(), tiny.toString());
        assertTrue(tiny.recommendation().reason().contains("No exact strategy"));
        assertTrue(tiny.plan().smallestBudget() > Bytes.kib(10), tiny.toString());
    }

    @Test void aNotebookModelOfSeveralInputsAndOutputs() {
        Tensor w = Tensor.randn(3, 3, 4);
        Model mine = Model.of("context", (n, seed) -> new Tensor[]{Tensor.randn(seed, n, 2), Tensor.randn(seed + 1, n, 3)},
                in -> {
                    Tensor h = in[1].matmul(w).tanh();
                    return new Tensor[]{in[0].sum(new int[]{1}, true), h.sub(h.mean(new int[]{0}, true))};
                }).study(1, 1);
        Report r = Explorer.of(mine).sizes(8, 16).target(100_000).budget(Bytes.gib(4))
                .strategies(Strategies.reverseSum().unchecked(), Strategies.sparseRows(16)).run();
        assertEquals(SparsityPattern.Kind.DENSE, r.pattern().kind(), r.toString());
        assertTrue(r.measurements().stream().filter(m -> m.strategy().startsWith("reverseSum")).allMatch(Measurement::wrong), r.toString());
        assertTrue(r.recommendation().strategy().startsWith("sparseRows("), r.toString());
        assertThrows(IllegalArgumentException.class, () -> Model.of("bad", (n, seed) -> new Tensor[0], in -> in).inputs(4, 0));
    }

    @Test void csvAndJsonCarryEveryRow() {
        String csv = coupled.toCsv();
        assertEquals(coupled.measurements().size() + 1, csv.strip().split("\n").length);
        assertTrue(csv.startsWith("strategy,N,status"));
        String json = coupled.toJson();
        assertTrue(json.startsWith("{\"model\":\"globalMean\""));
        assertTrue(json.contains("\"status\":\"wrong\""));
        assertTrue(coupled.toString().contains("Recommendation"));
    }

    @Test void fitRecoversAPowerLaw() {
        Fit f = Fit.powerLaw(new double[]{256, 1024, 4096}, new double[]{10, 160, 2560}, 1);
        assertEquals(2.0, f.exponent(), 1e-9);
        assertEquals(40960, f.at(16384), 1e-6);
        assertTrue(Fit.powerLaw(new double[]{64}, new double[]{5}, 1).assumed());
    }
}
