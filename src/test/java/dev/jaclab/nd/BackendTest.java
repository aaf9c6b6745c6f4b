package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The backend report, and a clear error (not a JVM crash) when CUDA is demanded where it does not exist. */
class BackendTest {
    @Test void reportsTheCpuBackend() {
        assertEquals("CPU", Backend.kind());
        assertTrue(Backend.describe().startsWith("ND4J CPU backend"), Backend.describe());
        assertFalse(Backend.cudaOnClassPath());
    }

    private static Process launch(String backend) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
                "dev.jaclab.nd.Backend");
        pb.environment().put("JACLAB_BACKEND", backend);
        return pb.start();
    }

    @Test void demandingCudaWithoutItIsAClearError() throws Exception {
        Process p = launch("cuda");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), err);
        assertTrue(err.contains("CUDA backend is not on the class path") && err.contains("-Pcuda"), err);
    }

    @Test void cpuOnRequest() throws Exception {
        Process p = launch("cpu");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue());
        assertTrue(out.startsWith("ND4J CPU backend"), out);
    }
}
