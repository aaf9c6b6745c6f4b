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

/** Report consistency on small float64 problems: passes, errors, the sum-type lesson, the budget-driven recommendation. */
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

    @Test void timeNeverExtrapolatesSlowerThanPredictedWorkTimesTheForward() {
        // measured times nearly flat (fixed costs), the forward grows ∝ N^2, predicted work constant: the time is
        // extrapolated ∝ N^2 from the largest point, not by the flat fit
        var s = Strategies.sparseRows(16);
        java.util.List<Measurement> rows = java.util.List.of(measured(s.name(), 100, 1.0, 6), measured(s.name(), 200, 1.1, 6));
        Report r = new Report("m", new long[]{100, 200}, new double[]{0.01, 0.04}, 2000, Bytes.gib(1), java.util.List.of(s), rows,
                coupled.pattern(), "float64");
        Report.Extrapolation e = r.extrapolations().get(s.name());
        assertEquals(2.0, e.time().exponent(), 1e-9);
        assertEquals(1.1 * 100, e.secondsAtTarget(), 1e-6);
        // a fit that already grows faster is kept
        Report steep = new Report("m", new long[]{100, 200}, new double[]{0.01, 0.011}, 2000, Bytes.gib(1), java.util.List.of(s),
                java.util.List.of(measured(s.name(), 100, 1.0, 6), measured(s.name(), 200, 8.0, 6)), coupled.pattern(), "float64");
        assertEquals(3.0, steep.extrapolations().get(s.name()).time().exponent(), 1e-9);
    }

    private static Measurement measured(String strategy, long n, double seconds, double work) {
        return new Measurement(strategy, n, "ok", "", true, false, seconds * 1000, 1 << 20, 1 << 20, false, 0, n * 1000, work, 1, 1, n, n, 0);
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
        Report mid = Explorer.of(Models.globalMean()).sizes(8, 16).target(1_000_000).budget(Bytes.mib(1))
                .strategies(Strategies.chunked(8), Strategies.sparseRows(16)).run();
        assertEquals("sparseRows(16)", mid.recommendation().strategy(), mid.toString());
        assertFalse(mid.extrapolations().get("chunked(8)").fits());
        assertNull(tiny.recommendation().strategy(), tiny.toString());
        assertTrue(tiny.recommendation().reason().contains("No exact strategy"));
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
