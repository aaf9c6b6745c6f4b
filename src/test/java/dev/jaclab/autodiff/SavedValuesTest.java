package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.autodiff.PrimitiveRows.Row;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each primitive's declaration of the values its rules read ({@code savesInput}, {@code savesOutput}), checked by
 * differentiating it with everything else released: the row's primitive gets intermediates as inputs (x + 0) and its
 * output feeds another op, a {@link Scope} frees every value that no rule declares, and the VJP, the JVP and a
 * second-order gradient (reverse over a recorded reverse sweep) must equal those of the unreleased tape. A rule that
 * reads an undeclared value fails on the freed buffer.
 */
class SavedValuesTest extends Float64Scope {
    private static final AtomicInteger RELEASED = new AtomicInteger();

    @TestFactory Stream<DynamicTest> everyRowDifferentiatesWithUnsavedValuesReleased() {
        return PrimitiveRows.all().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> check(r)));
    }

    /** The rows' intermediates really were freed (the check above would be empty otherwise). */
    @AfterAll static void somethingWasReleased() {
        assertTrue(RELEASED.get() > 20, "only " + RELEASED.get() + " intermediates released over all rows");
    }

    private static Tensor[] leaves(Row r) {
        Tensor[] x = new Tensor[r.inputs().length];
        for (int i = 0; i < x.length; i++) x[i] = r.inputs()[i].detach().requiresGrad();
        return x;
    }

    /** The row's function on intermediates (x + 0), its output fed to one more op. */
    private static Tensor[] forward(Row r, Tensor[] x) {
        Tensor[] xi = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) xi[i] = x[i].add(0.0);
        Tensor y = r.f().apply(xi);
        Tensor[] out = new Tensor[xi.length + 2];
        System.arraycopy(xi, 0, out, 0, xi.length);
        out[xi.length] = y;
        out[xi.length + 1] = y.add(0.0);
        return out;
    }

    private static Tensor[] derivatives(Tensor z, Tensor[] x, long seed) {
        Tensor ct = PrimitiveRows.randn(seed, z.shape());
        Tensor[] v = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) v[i] = PrimitiveRows.randn(seed + 1 + i, x[i].shape());
        Tensor[] g = Autograd.grad(new Tensor[]{z}, x, new Tensor[]{ct}, Autograd.Options.defaults());
        Tensor t = Autograd.jvp(new Tensor[]{z}, x, v, false, false)[0];
        Tensor[] gg = Autograd.grad(new Tensor[]{z}, x, new Tensor[]{ct}, Autograd.Options.defaults().createGraph(true));
        Tensor s = null;
        for (int i = 0; i < x.length; i++) if (gg[i].isRequiresGrad()) {
            Tensor term = gg[i].mul(v[i]).sum();
            s = s == null ? term : s.add(term);
        }
        Tensor[] h = s == null ? new Tensor[0] : Autograd.grad(new Tensor[]{s}, x, new Tensor[]{Tensor.scalar(1.0)}, Autograd.Options.defaults());
        Tensor[] all = new Tensor[g.length + 1 + h.length];
        System.arraycopy(g, 0, all, 0, g.length);
        all[g.length] = t;
        System.arraycopy(h, 0, all, g.length + 1, h.length);
        return all;
    }

    private static void check(Row r) {
        Tensor[] x0 = leaves(r);
        Tensor[] expected = derivatives(forward(r, x0)[r.inputs().length + 1], x0, 7);
        Tensor[] x = leaves(r);
        try (Scope s = Tensor.scope()) {
            Tensor[] f = forward(r, x);
            Tensor z = s.keep(f[f.length - 1]);
            s.release();
            for (int i = 0; i < f.length - 1; i++) if (f[i].data().isClosed()) RELEASED.incrementAndGet();
            Tensor[] got = derivatives(z, x, 7);
            assertTrue(got.length == expected.length, r + ": " + got.length + " derivatives, expected " + expected.length);
            for (int i = 0; i < got.length; i++) {
                double scale = 1 + expected[i].maxAbsDiff(expected[i].mul(0.0));
                double d = got[i].maxAbsDiff(expected[i]);
                assertTrue(d <= 1e-12 * scale, r + ": derivative " + i + " differs by " + d + " after release");
            }
        }
    }
}
