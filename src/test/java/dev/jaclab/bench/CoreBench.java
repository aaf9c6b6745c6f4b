package dev.jaclab.bench;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.Tensor;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Core benchmark (not a test), run by {@code bench/core-bench.sh}: one mode per JVM so peak RSS is its own.
 * <ul>
 *   <li>{@code ops}: median µs of add / matmul / sin on (1024,3) float32 through Tensor (constant and recorded)
 *   vs raw ND4J calls on the same INDArrays;</li>
 *   <li>{@code mlp N}: forward (recorded) and backward of a 3-64-64-3 tanh MLP on (N,3) float32: medians, peak RSS.</li>
 * </ul>
 * Prints one machine-readable line per measurement ({@code RESULT ...}); the script assembles the markdown table.
 *
 * <pre>{@code
 * bench/core-bench.sh            # all sizes
 * }</pre>
 */
public final class CoreBench {
    private CoreBench() {}

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Tensor.setDefaultDType(DType.FLOAT32);
        if (args.length > 0 && args[0].equals("ops")) ops();
        else mlp(Long.parseLong(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 5);
    }

    interface Body { void run(); }

    /** Median wall time in µs of {@code reps} runs after {@code warm} warm-up runs. */
    static double medianMicros(int warm, int reps, Body b) {
        for (int i = 0; i < warm; i++) b.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            b.run();
            t[i] = (System.nanoTime() - s) / 1e3;
        }
        Arrays.sort(t);
        return reps % 2 == 1 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
    }

    static INDArray raw(Tensor t) throws ReflectiveOperationException {
        Field f = NdArray.class.getDeclaredField("a");
        f.setAccessible(true);
        return (INDArray) f.get(t.data());
    }

    static void ops() throws Exception {
        Tensor a = Tensor.randn(1, 1024, 3), b = Tensor.randn(2, 1024, 3), w = Tensor.randn(3, 3, 3);
        Tensor ag = a.detach().requiresGrad();
        INDArray ra = raw(a), rb = raw(b), rw = raw(w);
        int warm = 2000, reps = 5000;
        report("add", medianMicros(warm, reps, () -> a.add(b)), medianMicros(warm, reps, () -> ag.add(b)),
                medianMicros(warm, reps, () -> ra.add(rb)));
        report("matmul (1024,3)@(3,3)", medianMicros(warm, reps, () -> a.matmul(w)), medianMicros(warm, reps, () -> ag.matmul(w)),
                medianMicros(warm, reps, () -> ra.mmul(rw)));
        report("sin", medianMicros(warm, reps, () -> a.sin()), medianMicros(warm, reps, () -> ag.sin()),
                medianMicros(warm, reps, () -> Transforms.sin(ra, true)));
    }

    static void report(String op, double tensor, double recorded, double raw) {
        System.out.printf("RESULT op|%s|%.1f|%.1f|%.1f|%.2f%n", op, tensor, recorded, raw, tensor / raw);
    }

    static void mlp(long n, int reps) throws Exception {
        Tensor x = Tensor.randn(1, n, 3).requiresGrad();
        Tensor w1 = Tensor.randn(2, 3, 64).mul(0.5).detach().requiresGrad(), b1 = Tensor.zeros(64).requiresGrad();
        Tensor w2 = Tensor.randn(3, 64, 64).mul(0.125).detach().requiresGrad(), b2 = Tensor.zeros(64).requiresGrad();
        Tensor w3 = Tensor.randn(4, 64, 3).mul(0.125).detach().requiresGrad();
        Tensor[] params = {x, w1, b1, w2, b2, w3};
        double[] fwd = new double[reps], bwd = new double[reps];
        int warm = n <= 16384 ? 30 : 2;           // small N: let the JIT compile the binding/tape code first
        for (int r = -warm; r < reps; r++) {      // r < 0: warm-up
            long s = System.nanoTime();
            Tensor y = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).tanh().matmul(w3);
            Tensor loss = y.sum();
            long m = System.nanoTime();
            loss.backward();
            long e = System.nanoTime();
            for (Tensor p : params) p.zeroGrad();
            if (r >= 0) { fwd[r] = (m - s) / 1e6; bwd[r] = (e - m) / 1e6; }
            System.gc();
        }
        Arrays.sort(fwd);
        Arrays.sort(bwd);
        double f = fwd[reps / 2], b = bwd[reps / 2];
        System.out.printf("RESULT mlp|%d|%.2f|%.2f|%.2f|%d%n", n, f, b, b / f, vmHwmMiB());
    }

    /** Peak resident set size of this JVM (VmHWM), MiB. */
    static long vmHwmMiB() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        return -1;
    }
}
