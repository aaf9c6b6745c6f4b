package dev.jaclab.bench;

import dev.jaclab.jacobian.Hessian;
import dev.jaclab.nd.DType;
import dev.jaclab.nn.Activation;
import dev.jaclab.nn.Init;
import dev.jaclab.nn.Sequential;
import dev.jaclab.optim.Adam;
import dev.jaclab.optim.LBFGS;
import dev.jaclab.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The 2-D Poisson PINN of notebooks/06 as a benchmark (not a test), run by {@code bench/pinn-bench.sh} next to the same
 * recipe in PyTorch ({@code bench/pinn_bench.py}); float32, one thread.
 * <ul>
 *   <li>{@code step N REPS [WARMUP]}: median ms of one training step (forward, per-sample Laplacian, loss, backward, Adam update)
 *   on N collocation points, wall and CPU time of the stepping thread (CPU time is the steadier figure on a shared
 *   machine), and the peak RSS;</li>
 *   <li>{@code recipe ADAM LBFGS}: Adam steps then L-BFGS iterations (strong Wolfe, history 50) on 1,024 points: wall
 *   time, relative L2 error on the 64×64 grid, iterations, evaluations, peak RSS.</li>
 * </ul>
 *
 * <pre>{@code
 * bench/pinn-bench.sh            # both sides, markdown tables
 * }</pre>
 */
public final class PinnBench {
    private PinnBench() {}

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Tensor.setDefaultDType(DType.FLOAT32);
        if (args[0].equals("step")) step(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 10);
        else recipe(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    }

    static Tensor exact(Tensor p) {
        Tensor s = p.mul(Math.PI).sin();
        return s.select(1, 0).mul(s.select(1, 1)).unsqueeze(1);
    }

    /** The model's output times 16·x(1−x)·y(1−y): zero on the boundary. */
    static Tensor u(Sequential net, Tensor p) {
        Tensor x = p.select(1, 0), y = p.select(1, 1);
        return net.forward(p).mul(x.mul(x.neg().add(1)).mul(y).mul(y.neg().add(1)).mul(16).unsqueeze(1));
    }

    static Supplier<Tensor> loss(Sequential net, Tensor points, Tensor f) {
        return () -> {
            Tensor x = points.detach().requiresGrad();
            return Hessian.of(u(net, x), x).laplacian().neg().sub(f).square().mean();
        };
    }

    static Sequential mlp() { return Sequential.mlp(0, Activation.tanh(), Init.xavierNormal(), Init.zeros(), 2, 64, 64, 1); }

    static void step(int n, int reps, int warmup) throws Exception {
        Sequential net = mlp();
        Tensor points = Tensor.rand(1, n, 2), f = exact(points).mul(2 * Math.PI * Math.PI);
        Adam adam = new Adam(net.parameters(), 1e-3);
        Supplier<Tensor> loss = loss(net, points, f);
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] ms = new double[reps], cpu = new double[reps];
        for (int i = 0; i < reps + warmup; i++) {                            // warm-up steps first (JIT)
            long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
            adam.step(loss);
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                cpu[i - warmup] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
            }
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.printf("RESULT step|%d|%.2f|%.2f|%.0f%n", n, ms[reps / 2], cpu[reps / 2], peakMiB());
    }

    static void recipe(int adamSteps, int lbfgsIterations) throws Exception {
        Sequential net = mlp();
        Tensor points = Tensor.rand(1, 1024, 2), f = exact(points).mul(2 * Math.PI * Math.PI);
        int g = 64;
        double[] cells = new double[g * g * 2];
        for (int i = 0; i < g; i++)
            for (int j = 0; j < g; j++) {
                cells[(i * g + j) * 2] = (j + 0.5) / g;
                cells[(i * g + j) * 2 + 1] = (i + 0.5) / g;
            }
        Tensor grid = Tensor.fromArray(cells, g * g, 2);
        Supplier<Tensor> loss = loss(net, points, f);
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
        Adam adam = new Adam(net.parameters(), 1e-3);
        for (int i = 0; i < adamSteps; i++) adam.step(loss);
        System.err.printf("after Adam: peak RSS %.0f MiB, RSS %.0f MiB, javacpp %.0f MiB in %d, heap %.0f MiB%n", peakMiB(), rssMiB(),
                org.bytedeco.javacpp.Pointer.totalBytes() / 1048576.0, org.bytedeco.javacpp.Pointer.totalCount(),
                (Runtime.getRuntime().totalMemory()) / 1048576.0);
        LBFGS lbfgs = new LBFGS(net.parameters()).maxIterations(lbfgsIterations).historySize(50).strongWolfe(true)
                .toleranceGrad(1e-9).toleranceChange(1e-12);
        lbfgs.step(loss);
        System.err.printf("after L-BFGS: peak RSS %.0f MiB, RSS %.0f MiB%n", peakMiB(), rssMiB());
        double seconds = (System.nanoTime() - t0) / 1e9, cpuSeconds = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
        double rel;
        try (var scope = Tensor.noGrad()) {
            Tensor ue = exact(grid), e = u(net, grid).sub(ue);
            rel = Math.sqrt(e.square().sum().item() / ue.square().sum().item());
        }
        System.out.printf("RESULT recipe|%.1f|%.1f|%.2e|%d|%d|%.0f%n", seconds, cpuSeconds, rel, lbfgs.iterations(), lbfgs.evaluations(), peakMiB());
    }

    /** Peak resident set size of this process (VmHWM). */
    static double peakMiB() throws Exception { return status("VmHWM:"); }

    /** Resident set size now (VmRSS). */
    static double rssMiB() throws Exception { return status("VmRSS:"); }

    private static double status(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith(key)) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        return Double.NaN;
    }
}
