package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.autodiff.PrimitiveRows.Row;
import dev.jaclab.tensor.Backprop;
import dev.jaclab.tensor.Primitives;
import dev.jaclab.tensor.Tensor;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every primitive's JVP and VJP rules against central finite differences, one table row at a time. */
class PrimitiveGradCheckTest extends Float64Scope {

    @TestFactory Stream<DynamicTest> everyRowPassesTheGradientCheck() {
        return PrimitiveRows.all().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            GradCheck.Result res = GradCheck.check(r.f(), r.inputs(), r.options());
            res.orThrow();
        }));
    }

    @Test void everyPrimitiveClassHasARow() {
        Set<String> rows = PrimitiveRows.all().stream().map(Row::primitive).collect(Collectors.toSet());
        Set<String> missing = new TreeSet<>();
        for (var c : Primitives.all()) if (!rows.contains(c.getSimpleName())) missing.add(c.getSimpleName());
        assertTrue(missing.isEmpty(), "primitives without a gradient-check row in PrimitiveRows: " + missing);
        assertTrue(Primitives.all().size() >= 25, "catalogue unexpectedly small: " + Primitives.all());
    }

    @Test void everyRowNamesAKnownPrimitive() {
        Set<String> known = Primitives.all().stream().map(Class::getSimpleName).collect(Collectors.toSet());
        Set<String> unknown = PrimitiveRows.all().stream().map(Row::primitive).filter(p -> !known.contains(p)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), unknown, "rows naming no primitive class");
    }

    /** A row must really record its primitive on the tape (not a composite that bypasses it). */
    @TestFactory Stream<DynamicTest> everyRowRecordsItsPrimitive() {
        return PrimitiveRows.all().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> {
            Tensor[] x = new Tensor[r.inputs().length];
            for (int i = 0; i < x.length; i++) x[i] = r.inputs()[i].detach().requiresGrad();
            Tensor y = r.f().apply(x);
            Set<String> seen = Backprop.topologicalOrder(y).stream().filter(t -> t.node() != null)
                    .map(t -> t.node().primitive().getClass().getSimpleName()).collect(Collectors.toCollection(TreeSet::new));
            assertTrue(seen.contains(r.primitive()), r + " recorded only " + seen);
        }));
    }
}
