package dev.jaclab.jacobian;

import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * This machine's throughput per kind of {@link Work}, measured with the library's own ops: matrix products (flops/s),
 * cheap element operations and transcendentals (elements/s), writing fresh memory (bytes/s: allocation and page
 * faults), strided copies (elements/s: a permutation that reorders every element) and the fixed cost of one op call. Predicted seconds = Σ work / rate + ops × per-op seconds.
 * Fresh writes have two rates by output size ({@link Work#largeWrites}): arrays from {@link Work#LARGE_ARRAY_BYTES} on
 * reach past the memory the machine freed lately — in a virtual machine whose host backs guest memory lazily and
 * takes freed memory back, each 4 KiB page there costs a host fault: 0.21–0.32 GB/s here (1 GiB arrays held one after
 * another, past the first ~5 GiB; 3–4 GiB outputs inside a long run), against 1.0–1.6 GB/s for recycled memory. The
 * calibration times one lone 3 GiB write, which lands on recycled memory where the machine freed enough lately
 * (0.7–1.2 GB/s measured): the figure is a bound, the in-run rate can be 3–4× lower.
 * {@link #calibrated()} measures once (about a second) and caches the figures in the process and in
 * {@code ~/.cache/jaclab/rates-<threads>t.txt} for the day (a file from another day or calibration method is measured
 * again), with the machine's load average when they were taken: a later calibration measures again when the load has
 * fallen by more than one since (figures taken while other work shared the cores — the elementwise rate on two threads
 * read 7× slow at a load of 6 — give way to quieter ones, so two runs of the explorer agree); {@link #current()} uses
 * whatever is cached and nominal figures otherwise, so planning never measures unasked.
 *
 * <pre>{@code
 * Rates r = Rates.calibrated();          // e.g. gemm 60 GFLOP/s, elementwise 1.1 G/s, ..., strided 0.3 G/s, 18 µs per op
 * double s = r.seconds(strategy.work(problem));
 * }</pre>
 */
public record Rates(double gemmFlopsPerSecond, double elementsPerSecond, double transcendentalsPerSecond, double writeBytesPerSecond,
                    double secondsPerOp, double stridedElementsPerSecond, double largeWriteBytesPerSecond, String source) {
    /** Figures of a 2-core x86 machine at one native thread, used until this machine is measured. */
    public static final Rates NOMINAL = new Rates(40e9, 1.0e9, 0.2e9, 4e9, 20e-6, 0.3e9, 4e9, "nominal");

    /** The large fresh write the calibration times (1.5 × {@link Work#LARGE_ARRAY_BYTES}), where memory allows. */
    static final long LARGE_PROBE_BYTES = Work.LARGE_ARRAY_BYTES * 3 / 2;
    private static volatile Rates cached;

    /** Predicted seconds for the work on one thread. */
    public double seconds(Work w) {
        return w.gemmFlops() / gemmFlopsPerSecond + w.elementwise() / elementsPerSecond + w.transcendental() / transcendentalsPerSecond
                + w.strided() / stridedElementsPerSecond + (w.bytesWritten() - w.largeWrites()) / writeBytesPerSecond
                + w.largeWrites() / largeWriteBytesPerSecond + w.ops() * secondsPerOp;
    }

    /**
     * Untimed ops before the per-op time is taken: in a fresh JVM the first few thousand calls run interpreted or
     * half-compiled (71 µs per op measured cold, 18–25 µs once compiled), while the strategies the figure predicts run
     * thousands of ops after the explorer's warm-up.
     */
    static final int WARM_OPS = 20_000;

    /** The calibration's method: a cached file from another method (or another day) is measured again. */
    private static final String METHOD = "method-5";

    private static volatile Rates fixed;

    /** A scope of fixed rates; closing it restores what was in use. */
    public interface Fixed extends AutoCloseable {
        @Override void close();
    }

    /**
     * Plans with these rates until the returned scope closes, whatever this machine's calibration says — a plan or an
     * {@code auto()} choice that must not move with the machine's measured figures (a reproducible comparison, a test):
     * <pre>{@code
     * try (Rates.Fixed f = Rates.fix(Rates.NOMINAL)) { Strategy s = Strategies.auto().choose(problem); }
     * }</pre>
     */
    public static Fixed fix(Rates rates) {
        Rates before = fixed;
        fixed = java.util.Objects.requireNonNull(rates, "rates");
        return () -> fixed = before;
    }

    /** The rates in use: fixed ones ({@link #fix}), else this process's calibration, else the cached file's, else {@link #NOMINAL}. */
    public static Rates current() {
        Rates f = fixed;
        if (f != null) return f;
        Rates r = cached;
        if (r != null) return r;
        r = read(file());
        if (r != null) cached = r;
        return r != null ? r : NOMINAL;
    }

    /** Measured rates, from this process's cache or the file cache, measuring (about a second) when neither has them. */
    public static synchronized Rates calibrated() {
        Rates r = current();
        if (fixed != null || (r != NOMINAL && !(r.measuredAtLoad() > loadAverage() + 1.0))) return r;
        r = measure();
        cached = r;
        write(file(), r);
        return r;
    }

    /** Measures now (not cached): each kind from a library op at a size where it dominates, medians of five runs. */
    public static Rates measure() {
        double load = loadAverage();
        try (var off = Tensor.noGrad()) {
            Tensor s1 = Tensor.randn(1, 4, 4), s2 = Tensor.randn(2, 4, 4);
            for (int i = 0; i < WARM_OPS; i++) s1.add(s2);                    // the op path compiled, as in a warmed-up run
            double perOp = time(() -> { for (int i = 0; i < 200; i++) s1.add(s2); return null; }) / 200;
            long big = 1 << 21, huge = 1 << 24;                          // fresh writes: 64 MB, past malloc's reuse (page faults)
            double write = 4.0 * huge / Math.max(1e-9, time(() -> Tensor.zeros(huge)) - perOp);
            Tensor a = Tensor.randn(3, big), b = Tensor.randn(4, big);         // each op writes 8 MB: reused memory
            double add = time(() -> a.add(b)), exp = time(a::exp);
            double small = time(() -> Tensor.zeros(big)) - perOp;           // 8 MB outputs come from reused memory
            double elems = big / beyond(add - perOp, small), trans = big / beyond(exp - perOp, small);
            Tensor c = Tensor.randn(8, 3, big / 9, 3);                          // the blocks' layout: (3, N, 3) → (N, 3, 3)
            double strided = 3.0 * (big / 9) * 3 / beyond(time(() -> c.permute(1, 2, 0)) - perOp, small);
            Tensor m1 = Tensor.randn(5, 4096, 64), m2 = Tensor.randn(6, 64, 64), m3 = Tensor.randn(7, 512, 512);
            double g1 = 2.0 * 4096 * 64 * 64 / Math.max(1e-9, time(() -> pooled(() -> m1.matmul(m2))) - perOp);
            double g2 = 2.0 * 512 * 512 * 512 / Math.max(1e-9, time(() -> pooled(() -> m3.matmul(m3))) - perOp);
            return new Rates(Math.sqrt(g1 * g2), elems, trans, write, perOp, strided, largeWrite(write),
                    String.format(Locale.ROOT, "measured %s %s at load %.2f", java.time.LocalDate.now(), METHOD, load));
        }
    }

    /**
     * Bytes/s of one fresh write of {@link #LARGE_PROBE_BYTES} (3 GiB: a few seconds, once per machine), taken only
     * when the machine has four times that available ({@code MemAvailable}); else the small arrays' rate.
     */
    private static double largeWrite(double small) {
        if (availableBytes() < 4 * LARGE_PROBE_BYTES) return small;
        long t0 = cpuNanos();
        Tensor t = Tensor.zeros(LARGE_PROBE_BYTES / 4);
        double s = (cpuNanos() - t0) / 1e9;
        close(t);
        return Math.min(small, LARGE_PROBE_BYTES / Math.max(1e-9, s));
    }

    /** {@code MemAvailable} of /proc/meminfo in bytes; 0 where it cannot be read. */
    private static long availableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | RuntimeException e) {
            // not Linux: no large probe
        }
        return 0;
    }

    /**
     * Median CPU seconds of this thread over five runs after one untimed run; each result is freed. CPU time, not wall
     * time: other processes sharing the cores do not inflate it (native ops run on the calling thread at one thread).
     */
    private static double time(Supplier<Tensor> op) {
        double[] t = new double[5];
        close(op.get());
        for (int i = 0; i < t.length; i++) {
            long t0 = cpuNanos();
            Tensor r = op.get();
            t[i] = (cpuNanos() - t0) / 1e9;
            close(r);
        }
        Arrays.sort(t);
        return t[2];
    }

    /**
     * Runs an op in a scope whose close hands its output back to the thread's pool, as a sweep's arenas do: the next
     * run gets the same buffer, so a product is timed without the page faults of a fresh 1 MiB output (where malloc
     * maps arrays that large afresh, e.g. {@code MALLOC_MMAP_THRESHOLD_=65536}, they doubled its time).
     */
    private static Tensor pooled(Supplier<Tensor> op) {
        try (var scope = Tensor.scope()) {
            op.get();
        }
        return null;
    }

    /**
     * Seconds an op spends beyond writing its fresh output ({@code fresh}: a fresh array's time at that size), at least
     * a tenth of the op's time: where the two are within the noise of each other the difference alone could read as an
     * absurd rate (2·10^15 elements/s was seen).
     */
    private static double beyond(double op, double fresh) { return Math.max(Math.max(1e-9, 0.1 * op), op - fresh); }

    /** This thread's CPU time in nanoseconds (wall time where the JVM cannot tell). */
    public static long cpuNanos() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * CPU time of the whole process in nanoseconds, every live thread included (the JIT compilers and the collector
     * too): the sum of {@code /proc/self/task/*}{@code /schedstat}, nanosecond-exact where the JVM's own figure ticks in
     * 10 ms; that figure where procfs is missing. Threads that ended are not in the sum (measure across live threads).
     */
    public static long processCpuNanos() {
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            long sum = 0;
            for (Path t : tasks) {
                try {
                    String s = Files.readString(t.resolve("schedstat"));
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while listed
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }
    }

    private static void close(Tensor t) { if (t != null) t.data().close(); }

    /** The load average the figures were measured at (from {@link #source}); NaN for nominal or fixed figures. */
    public double measuredAtLoad() {
        int at = source.lastIndexOf(" at load ");
        try {
            return at < 0 ? Double.NaN : Double.parseDouble(source.substring(at + 9).trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** This machine's one-minute load average ({@code /proc/loadavg}); NaN where it cannot be read. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static Path file() {
        String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", String.valueOf(Runtime.getRuntime().availableProcessors()));
        return Path.of(System.getProperty("user.home"), ".cache", "jaclab", "rates-" + threads.trim() + "t.txt");
    }

    private static Rates read(Path f) {
        try {
            String[] v = Files.readString(f).trim().split("\\s+", 8);
            if (v.length < 8 || !v[7].startsWith("measured " + java.time.LocalDate.now() + " " + METHOD + " ")) return null;   // another day's or method's: measured again
            return new Rates(Double.parseDouble(v[0]), Double.parseDouble(v[1]), Double.parseDouble(v[2]), Double.parseDouble(v[3]),
                    Double.parseDouble(v[4]), Double.parseDouble(v[5]), Double.parseDouble(v[6]), v.length > 7 ? v[7] : "cached");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void write(Path f, Rates r) {
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, String.format(Locale.ROOT, "%g %g %g %g %g %g %g %s%n", r.gemmFlopsPerSecond, r.elementsPerSecond,
                    r.transcendentalsPerSecond, r.writeBytesPerSecond, r.secondsPerOp, r.stridedElementsPerSecond, r.largeWriteBytesPerSecond, r.source));
        } catch (IOException e) {
            // a read-only home: the process cache still holds them
        }
    }

    @Override public String toString() {
        return String.format(Locale.ROOT, "gemm %.1f GFLOP/s, elementwise %.2f G/s, transcendental %.2f G/s, strided copies %.2f G/s, fresh writes %.1f GB/s (%.2f GB/s from 2 GiB), %.1f µs per op (%s)",
                gemmFlopsPerSecond / 1e9, elementsPerSecond / 1e9, transcendentalsPerSecond / 1e9, stridedElementsPerSecond / 1e9, writeBytesPerSecond / 1e9,
                largeWriteBytesPerSecond / 1e9, secondsPerOp * 1e6, source);
    }
}
