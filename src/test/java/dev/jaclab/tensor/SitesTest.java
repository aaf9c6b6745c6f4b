package dev.jaclab.tensor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tape nodes remember the user's line that created them when sites are recorded, and nothing otherwise. */
class SitesTest {
    @AfterEach void off() { Sites.record(false); }

    @Test void offByDefaultNoSite() {
        Sites.record(false);
        Tensor x = Tensor.randn(1, 4, 3).requiresGrad();
        assertNull(x.sin().node().site());
        assertEquals("sin(4,3)", x.sin().node().toString());
    }

    @Test void recordsTheFirstFrameOutsideJacLab() {
        Sites.record(true);
        Tensor x = Tensor.randn(1, 4, 3).requiresGrad();
        int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
        Tensor y = x.sub(x.mean(0));
        String site = y.node().site();
        assertEquals("SitesTest.java:" + line, site);
        Node mean = y.node().inputs()[1].node();          // the last node of the composite mean (built inside TensorOps)
        assertEquals("SitesTest.java:" + line, mean.site(), "frames inside JacLab are skipped");
        assertTrue(y.node().toString().endsWith(" at SitesTest.java:" + line), y.node().toString());
    }

    @Test void aNamerRenamesItsFrames() throws Exception {
        Sites.record(true);
        try (AutoCloseable h = Sites.addNamer(e -> e.getFileName() != null && e.getFileName().equals("SitesTest.java") ? "cell [7], line " + e.getLineNumber() : null)) {
            Tensor x = Tensor.randn(1, 4, 3).requiresGrad();
            assertTrue(x.sin().node().site().startsWith("cell [7], line "), x.sin().node().site());
        }
        Tensor x = Tensor.randn(1, 4, 3).requiresGrad();
        assertTrue(x.sin().node().site().startsWith("SitesTest.java:"));
    }
}
