package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On a tape whose unsaved values a {@link Scope} released, every strategy either agrees with perElement on the
 * unreleased tape or refuses, saying so; the rule-based ones (reverseSum, forwardSum, perElement, ...) still run.
 */
class ReleasedTapeTest {
    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static Stream<Model> models() { return Models.all().stream(); }

    @ParameterizedTest @MethodSource("models")
    void everyStrategyAgreesOrRefusesOnAReleasedTape(Model model) {
        Tensor ref = Strategies.perElement().run(StrategiesAgreeTest.problem(model));
        Tensor[] in = model.inputs(StrategiesAgreeTest.N, 3);
        int i = model.inputIndex();
        in[i].requiresGrad();
        int ran = 0;
        try (Scope s = Tensor.scope()) {
            Tensor y = s.keep(model.forward(in)[model.outputIndex()]);
            s.release();
            Problem p = Jacobian.of(y, in[i]).chunkSize(5).problem();
            for (Strategy st : StrategiesAgreeTest.registeredAndSmallChunks()) {
                if (!st.exact() || st instanceof VmapJacrev) continue;
                if (st.refusal(p) != null) continue;
                Tensor J = st.run(p);
                assertTrue(J.maxAbsDiff(ref) < 1e-10, st.name() + " on released " + model.name() + " differs by " + J.maxAbsDiff(ref));
                ran++;
            }
        }
        assertTrue(ran >= 2, "too few strategies ran on the released " + model.name());
    }
}
