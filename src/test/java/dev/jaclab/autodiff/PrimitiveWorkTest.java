package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.tensor.Primitives;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import dev.jaclab.tensor.WorkMeter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every primitive states its work: each gradient-check row (one per primitive class at least) runs under a
 * {@link WorkMeter}, which fails on a primitive whose {@code work} is not stated; the meter's counts follow the
 * shapes (matmul 2·m·k·n, elementwise numel).
 */
class PrimitiveWorkTest {
    @Test void everyPrimitiveRowReportsItsWork() {
        List<String> failures = new ArrayList<>();
        for (PrimitiveRows.Row r : PrimitiveRows.all()) {
            try (WorkMeter m = WorkMeter.open()) {
                r.f().apply(r.inputs());
                if (!(m.work().ops() > 0) && !r.primitive().equals("CustomPrimitive")) failures.add(r + ": no op counted");
            } catch (IllegalStateException e) {
                failures.add(r + ": " + e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), "primitives without stated work: " + failures);
        assertTrue(Primitives.all().size() >= 25);
    }

    @Test void workFollowsTheShapes() {
        Tensor a = Tensor.randn(1, 32, 8), b = Tensor.randn(2, 8, 4);
        Work w;
        try (WorkMeter m = WorkMeter.open()) {
            a.matmul(b).sin();
            w = m.work();
        }
        assertEquals(2.0 * 32 * 8 * 4, w.gemmFlops());
        assertEquals(32 * 4, w.transcendental());
        assertEquals(2, w.ops());
        assertEquals(4.0 * (32 * 4 + 32 * 4), w.bytesWritten());     // float32: matmul's and sin's outputs
    }

    /** Permutations that move elements and broadcasts made real are strided copies; a transpose of the last two dims is a view. */
    @Test void stridedCopiesAreTheirOwnKind() {
        Tensor c = Tensor.randn(3, 2, 5, 3), row = Tensor.randn(4, 1, 3);
        Work w;
        try (WorkMeter m = WorkMeter.open()) {
            c.permute(1, 2, 0);
            row.expand(6, 3);
            c.permute(0, 2, 1);
            w = m.work();
        }
        assertEquals(2 * 5 * 3 + 6 * 3, w.strided());
        assertEquals(0, w.elementwise());
        assertEquals(3, w.ops());
    }
}
