package dev.jaclab.cli;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.explore.Warmup;
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
 * {@code model,N,strategy,status,seconds,forward_seconds,ratio,peak_rss_mib,backend,cpu_seconds,peak_growth_mib,thread_cpu_seconds,first_thread_cpu_seconds,first_growth_mib}
 * (cpu: the process, every thread; thread: the calling thread, which computes at one worker). Time is the median of
 * {@code repeats} runs after a warm-up at N = 64 (or at the sixth argument's sizes, {@link #warmUp}: the cost benchmark
 * gives its calibration sizes, the state the explorer's runs leave a session in before it plans the target); peak RSS
 * is the process's VmHWM; peak growth is VmHWM during a timed call at N above the resident set before its model was
 * built (the JVM's own baseline, in this process), the median over the timed calls (a few-MiB peak reads ±2 MiB from
 * call to call): the model's resident tape plus the strategy's peak. With
 * a seventh argument {@code firstApart} one call at N runs before the timed ones and is reported apart (the first
 * call's thread CPU and growth, which hold the JIT's compilation of what is first run at that size); otherwise the
 * first columns repeat the first timed call's. Strategy
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
        static Setup of(Model m, long n, long budget) { return of(m, n, budget, false); }

        /** With {@code function}: the model as a function of x ({@link Model#jacobian}), nothing recorded (rowBlocks runs it block by block). */
        static Setup of(Model m, long n, long budget, boolean function) {
            Tensor[] in = m.inputs(n, 1);
            if (function) return new Setup(m.jacobian(in).budget(budget).parallelism(workers()), 0);
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

    /** CPU seconds this process has used (all live threads, nanosecond-exact): robust where other work shares the cores. */
    static double cpuSeconds() {
        if (workers() > 1)                                         // worker threads end with the call: the JVM's process figure keeps them
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
        return dev.jaclab.jacobian.Rates.processCpuNanos() / 1e9;
    }

    static double[] once(Model m, long n, Strategy s, long budget) { return once(m, n, s, budget, -1); }

    /**
     * One timed call on a freshly recorded model; with {@code rss0} ≥ 0 (the resident set before the model was built)
     * the inputs' garbage is collected and the peak reset before the call, and the result's fourth entry is the peak
     * during the call above {@code rss0} in MiB (the model's resident tape plus the strategy's peak).
     */
    static double[] once(Model m, long n, Strategy s, long budget, long rss0) {
        Setup su = Setup.of(m, n, budget, s instanceof dev.jaclab.jacobian.RowBlocks);   // rowBlocks needs the function
        if (rss0 >= 0) settleAndResetPeak();
        Jacobian j = su.jacobian();
        double fwd = su.forwardSeconds();
        String refusal = s.refusal(j.problem());
        if (refusal != null) throw new IllegalStateException(refusal);
        long t1 = System.nanoTime(), th1 = dev.jaclab.jacobian.Rates.cpuNanos();
        double c1 = cpuSeconds();
        j.perSample(s);
        double cpu = cpuSeconds() - c1, thread = (dev.jaclab.jacobian.Rates.cpuNanos() - th1) / 1e9;
        return new double[]{(System.nanoTime() - t1) / 1e9, fwd, cpu, rss0 >= 0 ? peakGrowthMib(rss0) : -1, thread};
    }

    /** VmHWM in MiB (kB resolution); -1 where unknown. */
    static double peakRssKibAsMib() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith("VmHWM")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
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

    /**
     * Frees the pool's buffers, collects garbage, resets the kernel's VmHWM to the current resident set and returns that (bytes): the JVM's own
     * baseline, measured in this process, so that {@link #peakGrowthMib} is the peak of what was added since. -1 where
     * the reset is not available.
     */
    static long settleAndResetPeak() {
        dev.jaclab.nd.Arena.releasePooled();                       // buffers an earlier call left for reuse: freed, as in a fresh process
        System.gc();                                               // garbage arrays (the inputs' temporaries) release their native memory
        try { Thread.sleep(200); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith("VmRSS")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    /** VmHWM above the baseline {@link #settleAndResetPeak} returned, in MiB (kB resolution); -1 where unknown. */
    static double peakGrowthMib(long rss0) {
        double hwm = peakRssKibAsMib();
        return rss0 < 0 || hwm < 0 ? -1 : Math.max(0, hwm - rss0 / 1048576.0);
    }

    /**
     * The state a session is in after exploring the given sizes: the call repeated at the first size for
     * {@link Warmup#SECONDS} of CPU (as the explorer warms a strategy up), then one call at each further size (sizes
     * above N are capped at N).
     */
    static void warmUp(long n, long[] sizes, java.util.function.LongConsumer call) {
        Warmup.run(() -> call.accept(Math.min(sizes[0], n)), Warmup.SECONDS);
        for (int i = 1; i < sizes.length; i++) call.accept(Math.min(sizes[i], n));
    }

    /**
     * chunked(256) at N from its chunks' cost: one chunk of 256 seeds (a batched VJP over the whole batch, the same work
     * for every chunk) timed and scaled to all N·m seeds. With {@code firstApart} one chunk runs before the timed one
     * (reported apart): the timed chunk then runs as the run's other chunks do, in memory its predecessor freed.
     */
    static void estimateChunked(Model m, long n, long budget, long[] warmup, boolean firstApart) {
        warmUp(n, warmup, k -> Strategies.chunked(256).rows(Setup.of(m, k, budget).jacobian().problem(), 256));
        long rss0 = settleAndResetPeak();
        Setup su = Setup.of(m, n, budget);
        settleAndResetPeak();
        Jacobian j = su.jacobian();
        double fwd = su.forwardSeconds();
        dev.jaclab.jacobian.Chunked c = Strategies.chunked(256);
        long seeds = 256;
        double scale = (double) n * j.problem().outputWidth() / seeds, first = -1, firstGrowth = -1;
        if (firstApart) {
            long th0 = dev.jaclab.jacobian.Rates.cpuNanos();
            c.rows(j.problem(), seeds);
            first = (dev.jaclab.jacobian.Rates.cpuNanos() - th0) / 1e9 * scale;
            firstGrowth = peakGrowthMib(rss0);
            settleAndResetPeak();
        }
        long t1 = System.nanoTime(), th1 = dev.jaclab.jacobian.Rates.cpuNanos();
        double c1 = cpuSeconds();
        c.rows(j.problem(), seeds);
        double thread = (dev.jaclab.jacobian.Rates.cpuNanos() - th1) / 1e9 * scale;
        double total = (System.nanoTime() - t1) / 1e9 * scale, cpu = (cpuSeconds() - c1) * scale, growth = peakGrowthMib(rss0);
        if (!firstApart) { first = thread; firstGrowth = growth; }
        System.out.printf(java.util.Locale.ROOT, "%s,%d,%s,estimated,%.4f,%.4f,%.1f,%d,%s,%.4f,%.1f,%.4f,%.4f,%.1f%n", m.name(), n, c.name(), total, fwd, total / fwd, peakRssMib(), Backend.kind(), cpu,
                growth, thread, first, firstGrowth);
    }

    public static void main(String[] args) {
        Model m = Models.byName(args[0]);
        long n = Long.parseLong(args[1]);
        long[] warmup = Arrays.stream((args.length > 5 ? args[5] : "64").split(",")).mapToLong(Long::parseLong).toArray();
        if (args[2].equals("chunkedEstimate")) {
            estimateChunked(m, n, args.length > 4 ? Bytes.parse(args[4]) : Bytes.gib(12), warmup, args.length > 6 && args[6].equals("firstApart"));
            return;
        }
        // "unchecked:forwardSum" times a sum-type strategy on a coupled model (wrong blocks, the sum trick's cost)
        Strategy s = args[2].startsWith("unchecked:") ? Strategies.byName(args[2].substring(10)).unchecked() : Strategies.byName(args[2]);
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        boolean firstApart = args.length > 6 && args[6].equals("firstApart");
        long budget = args.length > 4 ? Bytes.parse(args[4]) : Bytes.gib(12);
        String head = m.name() + "," + n + "," + s.name() + ",";
        try {
            warmUp(n, warmup, k -> once(m, k, s, budget));
            double[] o1 = firstApart ? once(m, n, s, budget, settleAndResetPeak()) : null;   // the first call at N, reported apart
            double[] t = new double[repeats], f = new double[repeats], cpu = new double[repeats], thread = new double[repeats];
            double first = o1 == null ? -1 : o1[4], firstGrowth = o1 == null ? -1 : o1[3];
            double[] growths = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                double[] o = once(m, n, s, budget, settleAndResetPeak());
                growths[r] = o[3];
                if (r == 0 && o1 == null) { first = o[4]; firstGrowth = o[3]; }
                t[r] = o[0];
                f[r] = o[1];
                cpu[r] = o[2];
                thread[r] = o[4];
            }
            Arrays.sort(t);
            Arrays.sort(f);
            Arrays.sort(cpu);
            Arrays.sort(thread);
            Arrays.sort(growths);
            double tm = t[repeats / 2], fm = f[repeats / 2], growth = growths[repeats / 2];
            System.out.printf(java.util.Locale.ROOT, "%sok,%.4f,%.4f,%.1f,%d,%s,%.4f,%.1f,%.4f,%.4f,%.1f%n", head, tm, fm, tm / fm, peakRssMib(), Backend.kind(), cpu[repeats / 2], growth,
                    thread[repeats / 2], first, firstGrowth);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.out.printf("%srefused,,,,%d,%s%n", head, peakRssMib(), Backend.kind());
            System.err.println(e.getMessage());
        } catch (OutOfMemoryError e) {
            System.out.printf("%sout-of-memory,,,,%d,%s%n", head, peakRssMib(), Backend.kind());
        }
    }
}
