package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every registered exact strategy (plus small-chunk variants that run several chunks) agrees with perElement on every
 * built-in workload (f64, small N); sums refuse on coupling; predicted passes equal the counted ones.
 */
class StrategiesAgreeTest {
    static final int N = 8;

    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static Stream<Model> models() { return Models.all().stream(); }

    /**
     * The model's Jacobian problem: for one-input models through a closure (so vmapJacrev runs too), else on the
     * recorded graph (a closure of x alone would capture the other per-sample inputs, which vmap cannot map).
     */
    static Problem problem(Model model) {
        Tensor[] in = model.inputs(N, 3);
        int i = model.inputIndex();
        if (in.length == 1) return Jacobian.of(v -> model.forward(v)[model.outputIndex()], in[0]).chunkSize(5).problem();
        in[i].requiresGrad();
        return Jacobian.of(model.forward(in)[model.outputIndex()], in[i]).chunkSize(5).problem();
    }

    @ParameterizedTest @MethodSource("models")
    void everyStrategyAgreesWithPerElement(Model model) {
        Problem p = problem(model);
        Tensor ref = Strategies.perElement().run(p);
        int ran = 0;
        for (Strategy s : registeredAndSmallChunks()) {
            if (!s.exact() || (s instanceof VmapJacrev || s instanceof RowBlocks) && !p.hasClosure()) continue;
            String why = s.refusal(p);
            if (s.needsIndependentSamples()) assertEquals(p.structure().independent(), why == null, s.name() + " on " + model.name() + ": " + why);
            if (why != null) continue;
            Tensor J = s.run(p);
            assertTrue(J.maxAbsDiff(ref) < 1e-10, s.name() + " on " + model.name() + " differs by " + J.maxAbsDiff(ref));
            ran++;
        }
        assertTrue(ran >= 4, "too few strategies ran on " + model.name());
        assertEquals(model.coupled(), !p.structure().independent(), "coupling detection on " + model.name());
    }

    /** Every registered strategy at its defaults, and chunk sizes that make several chunks at N = 8. */
    static List<Strategy> registeredAndSmallChunks() {
        List<Strategy> all = new java.util.ArrayList<>(Strategies.all());
        all.addAll(List.of(Strategies.chunked(5), Strategies.rowBlocks(3), Strategies.sparseRows(5), Strategies.sparseRows(64), Strategies.meetInMiddle(5),
                Strategies.meetInMiddle(64)));
        return all;
    }

    @ParameterizedTest @MethodSource("models")
    void countedPassesEqualPredicted(Model model) {
        for (Strategy s : registeredAndSmallChunks()) {
            if (s instanceof Auto) continue;         // its deliberation runs candidates' probes (colored's coupling probe)
            Problem p = problem(model);
            if (s.refusal(problem(model)) != null) continue;
            Passes.Counts before = Passes.snapshot();
            Cost c = s.cost(p);
            s.run(p);
            Passes.Counts d = Passes.snapshot().minus(before);
            assertEquals(c.reverseSweeps(), d.reverseSweeps(), s.name() + " reverse sweeps on " + model.name());
            assertEquals(c.reverseVectors(), d.reverseVectors(), s.name() + " reverse vectors on " + model.name());
            assertEquals(c.forwardSweeps(), d.forwardSweeps(), s.name() + " forward sweeps on " + model.name());
            assertEquals(c.forwardVectors(), d.forwardVectors(), s.name() + " forward vectors on " + model.name());
        }
    }
}
