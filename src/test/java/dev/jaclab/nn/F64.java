package dev.jaclab.nn;

import dev.jaclab.autodiff.GradCheck;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base for nn tests: float64 default dtype (restored afterwards) and the parameter-gradient check. */
abstract class F64 {
    private static DType saved;

    @BeforeAll static void float64() {
        saved = Tensor.defaultDType();
        Tensor.setDefaultDType(DType.FLOAT64);
    }

    @AfterAll static void restore() { Tensor.setDefaultDType(saved); }

    /** ∂loss/∂θ for every parameter of {@code m} against central differences (relative error ≤ tol). */
    static GradCheck.LeafResult checkParameters(Module m, Supplier<Tensor> loss, double tol) {
        Tensor[] leaves = m.parameters().stream().map(Parameter::value).toArray(Tensor[]::new);
        return GradCheck.leaves(loss, leaves, GradCheck.Options.defaults().eps(1e-6).tol(tol)).orThrow();
    }
}
