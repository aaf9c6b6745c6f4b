package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.jacobian.Rates;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Primitives;
import dev.jaclab.tensor.ShapeTrace;
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

    /**
     * An op whose fresh output is {@link Work#LARGE_ARRAY_BYTES} or more counts its writes as large ones (traced:
     * nothing is allocated), and the rates price them at their own rate.
     */
    @Test void largeFreshOutputsAreTheirOwnWrites() {
        Work small, large;
        try (ShapeTrace t = ShapeTrace.open()) {
            Tensor a = Tensor.zeros(DType.FLOAT32, 1L << 27), b = Tensor.zeros(DType.FLOAT32, Work.LARGE_ARRAY_BYTES / 4);   // 512 MiB, 2 GiB
            try (WorkMeter m = WorkMeter.open()) { a.add(a); small = m.work(); }
            try (WorkMeter m = WorkMeter.open()) { b.add(b); large = m.work(); }
        }
        assertEquals(4.0 * (1L << 27), small.bytesWritten());
        assertEquals(0, small.largeWrites());
        assertEquals((double) Work.LARGE_ARRAY_BYTES, large.bytesWritten());
        assertEquals(large.bytesWritten(), large.largeWrites());
        Rates r = new Rates(1e9, 1e9, 1e9, 2e9, 0, 1e9, 0.5e9, "test");
        assertEquals(small.elementwise() / 1e9 + small.bytesWritten() / 2e9, r.seconds(small), 1e-9);
        assertEquals(large.elementwise() / 1e9 + large.bytesWritten() / 0.5e9, r.seconds(large), 1e-9);
    }
}
