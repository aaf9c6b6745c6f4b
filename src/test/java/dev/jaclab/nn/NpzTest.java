package dev.jaclab.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Npz;
import dev.jaclab.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters in NumPy's .npz format: round trips, clear errors, and files written by {@code numpy.savez} itself
 * (generated at test time with /usr/bin/python3; the NumPy tests are skipped, saying so, only where NumPy is missing:
 * {@code apt-get install python3-numpy}).
 */
class NpzTest extends F64 {
    @TempDir Path dir;

    @Test void saveThenLoadRestoresEveryParameter() throws IOException {
        Sequential a = Sequential.mlp(1, Activation.tanh(), 2, 8, 1), b = Sequential.mlp(2, Activation.tanh(), 2, 8, 1);
        Tensor x = Tensor.randn(0, 5, 2);
        assertTrue(a.forward(x).maxAbsDiff(b.forward(x)) > 1e-6);
        Path f = dir.resolve("mlp.npz");
        a.save(f);
        b.load(f);
        assertEquals(0, a.forward(x).maxAbsDiff(b.forward(x)));
        assertTrue(b.parameters().get(0).value().isLeaf(), "loading writes in place: the parameter is the same leaf");
    }

    @Test void float32ModelLoadsFloat64File() throws IOException {
        Sequential a = Sequential.mlp(1, Activation.tanh(), 2, 4, 1);
        Path f = dir.resolve("f64.npz");
        a.save(f);
        Tensor.setDefaultDType(DType.FLOAT32);
        try {
            Sequential b = Sequential.mlp(3, Activation.tanh(), 2, 4, 1);
            b.load(f);
            assertEquals(DType.FLOAT32, b.parameters().get(0).dtype());
            assertTrue(b.parameters().get(0).value().cast(DType.FLOAT64).maxAbsDiff(a.parameters().get(0).value()) < 1e-7);
        } finally {
            Tensor.setDefaultDType(DType.FLOAT64);
        }
    }

    @Test void mismatchedFileIsOneErrorNamingEveryProblem() throws IOException {
        Path f = dir.resolve("small.npz");
        Sequential.mlp(1, Activation.tanh(), 2, 4, 1).save(f);
        Sequential other = Sequential.mlp(1, Activation.tanh(), 2, 5, 1, 1);
        Tensor before = other.parameters().get(0).value().detach().add(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.load(f));
        assertTrue(e.getMessage().contains("missing [4.bias, 4.weight]"), e.getMessage());
        assertTrue(e.getMessage().contains("0.weight has shape (4,2) in the file but (5,2) here"), e.getMessage());
        assertEquals(0, other.parameters().get(0).value().maxAbsDiff(before), "nothing changed");
        Files.writeString(dir.resolve("junk.npz"), "not a zip");
        IOException io = assertThrows(IOException.class, () -> other.load(dir.resolve("junk.npz")));
        assertTrue(io.getMessage().contains("junk.npz"), io.getMessage());
    }

    private static void requireNumpy() throws Exception {
        boolean ok;
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy").redirectErrorStream(true).start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException noPython) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "NumPy is not installed for /usr/bin/python3 (apt-get install python3-numpy): .npz interchange with NumPy not tested");
    }

    private static void python(Path cwd, String code) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), "python failed:\n" + out);
    }

    /** A 2-8-1 tanh MLP written by numpy.savez under PyTorch's state_dict names, with NumPy's own forward for reference. */
    @Test void loadsWeightsWrittenByNumpySavezAndComputesNumpysForward() throws Exception {
        requireNumpy();
        python(dir, String.join("\n",
                "import numpy as np",
                "r = np.random.default_rng(5)",
                "W0 = r.standard_normal((8, 2)); b0 = r.standard_normal(8)",
                "W1 = np.asfortranarray(r.standard_normal((1, 8))); b1 = r.standard_normal(1).astype(np.float32)",
                "x = r.standard_normal((6, 2))",
                "u = np.tanh(x @ W0.T + b0) @ W1.T + b1",
                "np.savez('weights.npz', **{'0.weight': W0, '0.bias': b0, '2.weight': W1, '2.bias': b1})",
                "np.savez_compressed('io.npz', x=x, u=u)"));
        Sequential net = Sequential.mlp(0, Activation.tanh(), 2, 8, 1);
        net.load(dir.resolve("weights.npz"));
        Map<String, NdArray> io = Npz.read(dir.resolve("io.npz"));
        Tensor u = net.forward(Tensor.wrap(io.get("x")));
        double err = u.maxAbsDiff(Tensor.wrap(io.get("u")));
        assertTrue(err < 1e-6, "forward differs from NumPy's by " + err);   // b1 was stored as float32
    }

    /** What JacLab writes, numpy.load reads: names, shapes, dtypes and values. */
    @Test void numpyReadsWhatSaveWrites() throws Exception {
        requireNumpy();
        Sequential net = Sequential.mlp(4, Activation.tanh(), 3, 5, 2);
        net.save(dir.resolve("out.npz"));
        Tensor w = net.namedParameters().get("0.weight").value();
        python(dir, String.join("\n",
                "import numpy as np",
                "d = np.load('out.npz')",
                "assert sorted(d.files) == ['0.bias', '0.weight', '2.bias', '2.weight'], d.files",
                "assert d['0.weight'].shape == (5, 3) and d['0.weight'].dtype == np.float64",
                "assert abs(d['0.weight'][1, 2] - " + w.get(1, 2) + ") < 1e-15, d['0.weight'][1, 2]",
                "assert d['2.bias'].shape == (2,)"));
    }
}
