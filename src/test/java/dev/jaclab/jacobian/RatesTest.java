package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The calibration records the load average it was measured at, so a later calibration at a lower load measures again
 * (figures taken while other work shared the cores give way to quieter ones); nominal figures carry none.
 */
class RatesTest {
    @Test void aMeasurementCarriesTheLoadItWasTakenAt() {
        Rates r = Rates.measure();
        assertTrue(r.source().matches("measured \\d{4}-\\d{2}-\\d{2} method-\\d+ at load \\d+\\.\\d{2}"), r.source());
        double load = Rates.loadAverage();
        assertTrue(Double.isNaN(load) || r.measuredAtLoad() >= 0, r.source());
        assertTrue(r.gemmFlopsPerSecond() > 0 && r.elementsPerSecond() > 0 && r.secondsPerOp() > 0, r.toString());
    }

    @Test void theLoadIsReadBackFromTheSource() {
        Rates r = new Rates(1, 1, 1, 1, 1, 1, 1, "measured 2026-12-01 method-4 at load 6.25");
        assertEquals(6.25, r.measuredAtLoad());
        assertTrue(Double.isNaN(Rates.NOMINAL.measuredAtLoad()), "nominal figures were measured at no load");
        assertTrue(Double.isNaN(new Rates(1, 1, 1, 1, 1, 1, 1, "measured 2026-12-01 method-3").measuredAtLoad()));
    }
}
