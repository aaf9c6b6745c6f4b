package dev.jaclab.cli;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.nd.Backend;
import dev.jaclab.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One benchmark configuration per JVM (so its peak memory is its own), as one CSV line:
 * {@code model,N,strategy,status,seconds,forward_seconds,ratio,peak_rss_mib,backend,cpu_seconds}. Time is the median of
 * {@code repeats} runs after one warm-up at N = 64; peak RSS is the process's VmHWM. Strategy
 * {@code chunkedEstimate} times the first chunk of {@code chunked(256)} and scales to all N·m seeds (status
 * "estimated"), for sizes where the full exact run would take hours. Other strategy names are those of
 * {@link Strategies#byName} ("sparseRows" is sparseRows(256), "sparseRows(64)" sets the chunk); "unchecked:forwardSum" times a
 * sum-type strategy on a coupled model (wrong blocks: the sum trick's cost, a reference for exact strategies).
 *
 * <pre>{@code
 * java -cp target/jaclab-all.jar dev.jaclab.cli.JacobianBench attention 4096 sparseRows 3
 * }</pre>
 */
public final class JacobianBench {
    private JacobianBench() {}

    /** The model's forward at N (timed) and the Jacobian problem on its recorded graph. */
    private record Setup(Jacobian jacobian, double forwardSeconds) {
        static Setup of(Model m, long n, long budget) {
            Tensor[] in = m.inputs(n, 1);
            in[m.inputIndex()].requiresGrad();
            long t0 = System.nanoTime();
            Tensor y = m.forward(in)[m.outputIndex()];
            double fwd = (System.nanoTime() - t0) / 1e9;
            return new Setup(Jacobian.of(y, in[m.inputIndex()]).budget(budget).parallelism(workers()), fwd);
        }
    }

    /** Worker threads for the chunk loops: JACLAB_WORKERS, default 1 (single-threaded, like the PyTorch side). */
    static int workers() {
        String w = System.getenv("JACLAB_WORKERS");
        return w == null || w.isBlank() ? 1 : Integer.parseInt(w.trim());
    }

    /** CPU seconds this process has used (all threads): robust where other work shares the cores. */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static double[] once(Model m, long n, Strategy s, long budget) {
        Setup su = Setup.of(m, n, budget);
        Jacobian j = su.jacobian();
        double fwd = su.forwardSeconds();
        String refusal = s.refusal(j.problem());
        if (refusal != null) throw new IllegalStateException(refusal);
        long t1 = System.nanoTime();
        double c1 = cpuSeconds();
        j.perSample(s);
        return new double[]{(System.nanoTime() - t1) / 1e9, fwd, cpuSeconds() - c1};
    }

    static long peakRssMib() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith("VmHWM")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    static void estimateChunked(Model m, long n, long budget) {
        Setup su = Setup.of(m, n, budget);
        Jacobian j = su.jacobian();
        double fwd = su.forwardSeconds();
        dev.jaclab.jacobian.Chunked c = Strategies.chunked(256);
        Setup small = Setup.of(m, Math.min(64, n), budget);
        c.rows(small.jacobian().problem(), 256);                    // warm-up at small N
        long seeds = 256, t1 = System.nanoTime();
        double c1 = cpuSeconds();
        c.rows(j.problem(), seeds);
        double per = (System.nanoTime() - t1) / 1e9 / seeds, total = per * n * j.problem().outputWidth();
        double cpu = (cpuSeconds() - c1) / seeds * n * j.problem().outputWidth();
        System.out.printf("%s,%d,%s,estimated,%.4f,%.4f,%.1f,%d,%s,%.4f%n", m.name(), n, c.name(), total, fwd, total / fwd, peakRssMib(), Backend.kind(), cpu);
    }

    public static void main(String[] args) {
        Model m = Models.byName(args[0]);
        long n = Long.parseLong(args[1]);
        if (args[2].equals("chunkedEstimate")) {
            estimateChunked(m, n, args.length > 4 ? Bytes.parse(args[4]) : Bytes.gib(12));
            return;
        }
        // "unchecked:forwardSum" times a sum-type strategy on a coupled model (wrong blocks, the sum trick's cost)
        Strategy s = args[2].startsWith("unchecked:") ? Strategies.byName(args[2].substring(10)).unchecked() : Strategies.byName(args[2]);
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        long budget = args.length > 4 ? Bytes.parse(args[4]) : Bytes.gib(12);
        String head = m.name() + "," + n + "," + s.name() + ",";
        try {
            once(m, Math.min(64, n), s, budget);
            double[] t = new double[repeats], f = new double[repeats], cpu = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                double[] o = once(m, n, s, budget);
                t[r] = o[0];
                f[r] = o[1];
                cpu[r] = o[2];
            }
            Arrays.sort(t);
            Arrays.sort(f);
            Arrays.sort(cpu);
            double tm = t[repeats / 2], fm = f[repeats / 2];
            System.out.printf("%sok,%.4f,%.4f,%.1f,%d,%s,%.4f%n", head, tm, fm, tm / fm, peakRssMib(), Backend.kind(), cpu[repeats / 2]);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.out.printf("%srefused,,,,%d,%s%n", head, peakRssMib(), Backend.kind());
            System.err.println(e.getMessage());
        } catch (OutOfMemoryError e) {
            System.out.printf("%sout-of-memory,,,,%d,%s%n", head, peakRssMib(), Backend.kind());
        }
    }
}
