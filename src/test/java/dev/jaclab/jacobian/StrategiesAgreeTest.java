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

/** Every applicable strategy agrees with perElement on every built-in workload (f64, small N); sums refuse on coupling. */
class StrategiesAgreeTest {
    static final int N = 8;

    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static Stream<Model> models() { return Models.all().stream(); }

    static Problem problem(Model model) {
        Tensor[] in = model.inputs(N, 3);
        in[model.inputIndex()].requiresGrad();
        Tensor[] out = model.forward(in);
        return Jacobian.of(out[model.outputIndex()], in[model.inputIndex()]).chunkSize(5).problem();
    }

    @ParameterizedTest @MethodSource("models")
    void everyStrategyAgreesWithPerElement(Model model) {
        Problem p = problem(model);
        Tensor ref = Strategies.perElement().run(p);
        List<Strategy> all = List.of(Strategies.reverseSum(), Strategies.forwardSum(), Strategies.fullBatched(), Strategies.chunked(5),
                Strategies.colored(), Strategies.sparseRows(5), Strategies.sparseRows(64), Strategies.meetInMiddle(5), Strategies.meetInMiddle(64),
                Strategies.auto());
        int ran = 0;
        for (Strategy s : all) {
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

    @ParameterizedTest @MethodSource("models")
    void countedPassesEqualPredicted(Model model) {
        for (Strategy s : List.of(Strategies.reverseSum(), Strategies.forwardSum(), Strategies.chunked(5), Strategies.sparseRows(5),
                Strategies.meetInMiddle(5), Strategies.meetInMiddle(64), Strategies.fullBatched(), Strategies.colored(), Strategies.perElement())) {
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
