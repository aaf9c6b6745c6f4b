package dev.jaclab.autodiff;

import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base for test classes that run in float64 (gradient checks); restores the default dtype afterwards. */
abstract class Float64Scope {
    private static DType saved;

    @BeforeAll static void float64() {
        saved = Tensor.defaultDType();
        Tensor.setDefaultDType(DType.FLOAT64);
    }

    @AfterAll static void restore() { Tensor.setDefaultDType(saved); }
}
