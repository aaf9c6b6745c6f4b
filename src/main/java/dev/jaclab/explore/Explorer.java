package dev.jaclab.explore;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.jacobian.Cost;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.SparsityPattern;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Runs strategies × batch sizes on a model: checks each strategy's blocks against an exact reference, measures time
 * (wall and CPU), peak memory and counted passes, and sets each beside the {@link CostModel}'s prediction. Each
 * strategy's prediction is then calibrated to its own measurements ({@link CostModel.Calibration}: a factor on the
 * compute part and one on the per-op part), the model is traced at the target N with shapes only, and the
 * {@link TargetPlan} names the fastest exact strategy that fits the budget there, chunk shrunk until it does, with its
 * time on one thread, on the machine's cores and, when asked ({@link #executors}), on a Spark cluster ({@link ClusterCost}).
 * Configurations predicted to take longer than the time cap are skipped (and say so). Runs are on one worker thread.
 *
 * <pre>{@code
 * Report r = Explorer.of(Models.attention(7, 3, 16)).sizes(256, 1024).target(1_000_000).budget(Bytes.gib(8)).executors(16).run();
 * System.out.println(r);              // measured vs predicted, predictions at the target, the plan
 * r.recommendation().strategy();      // e.g. "sparseRows(256)"
 * r.plan().cluster().seconds();       // its time on 16 Spark executors of one thread each
 * }</pre>
 */
public final class Explorer {
    private final Model model;
    private long[] sizes = {64, 256};
    private long target = 1_000_000;
    private long budget = Jacobian.defaultBudget();
    private List<Strategy> strategies = defaultStrategies();
    private int repeats = 1;
    private long seed = 0;
    private long probeSamples = 64;
    private double timeCap = 120;
    private double warmup = Warmup.SECONDS;
    private int workers = Runtime.getRuntime().availableProcessors();
    private int executors = 0;

    private Explorer(Model model) { this.model = model; }

    public static Explorer of(Model model) { return new Explorer(model); }

    /**
     * The default line-up: the strategies registered for {@link Strategies.Use#EXPLORER}, the sums unchecked (to show
     * what they do on coupled samples) beside the exact ones.
     */
    public static List<Strategy> defaultStrategies() {
        return Strategies.all(Strategies.Use.EXPLORER).stream().map(Strategy::unchecked).toList();
    }

    public Explorer sizes(long... n) {
        if (n.length == 0) throw new IllegalArgumentException("explore: give at least one size");
        for (long v : n) if (v < 2) throw new IllegalArgumentException("explore: sizes must be >= 2, got " + v);
        sizes = n.clone();
        Arrays.sort(sizes);
        return this;
    }

    public Explorer target(long n) {
        if (n < 1) throw new IllegalArgumentException("explore: target must be >= 1, got " + n);
        target = n;
        return this;
    }

    public Explorer budget(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("explore: budget must be positive, got " + bytes);
        budget = bytes;
        return this;
    }

    public Explorer strategies(Strategy... s) {
        if (s.length == 0) throw new IllegalArgumentException("explore: give at least one strategy");
        strategies = List.of(s);
        return this;
    }

    public Explorer repeats(int k) {
        if (k < 1) throw new IllegalArgumentException("explore: repeats must be >= 1, got " + k);
        repeats = k;
        return this;
    }

    public Explorer seed(long s) { seed = s; return this; }

    /** N at which the coupling (and element pattern) is probed; default 64, capped by the smallest size. */
    public Explorer probeAt(long n) { probeSamples = n; return this; }

    /** Skip a configuration whose predicted time exceeds this many seconds (default 120). */
    public Explorer timeCap(double seconds) {
        if (!(seconds > 0)) throw new IllegalArgumentException("explore: time cap must be positive, got " + seconds);
        timeCap = seconds;
        return this;
    }

    /**
     * CPU seconds each strategy runs at the smallest size before it is measured (default {@link Warmup#SECONDS}): the
     * JIT compiles its code there, so the per-op cost fitted at the small sizes is the compiled code's, as at the target.
     */
    public Explorer warmup(double cpuSeconds) {
        if (!(cpuSeconds >= 0)) throw new IllegalArgumentException("explore: warm-up seconds must be >= 0, got " + cpuSeconds);
        warmup = cpuSeconds;
        return this;
    }

    /** Workers the plan's parallel prediction assumes (default: the machine's cores). */
    public Explorer workers(int p) {
        if (p < 1) throw new IllegalArgumentException("explore: workers must be >= 1, got " + p);
        workers = p;
        return this;
    }

    /**
     * Also predict the plan on a Spark cluster of K executors of one thread each ({@link ClusterCost}: the spark
     * module's distributed forward and row-split blocks); default none.
     */
    public Explorer executors(int k) {
        if (k < 1) throw new IllegalArgumentException("explore: executors must be >= 1, got " + k);
        executors = k;
        return this;
    }

    /** The name a strategy is reported under: its name, with " (unchecked)" for a sum-type strategy whose check is off. */
    public static String label(Strategy s) {
        return s.name() + (s.checked() ? "" : " (unchecked)");
    }

    /**
     * Runs the line-up. The run is a {@link Progress} task of one step per measurement (plus the coupling probe and the
     * prediction at the target); the chunks of the strategy being measured show inside it. Interrupting the thread
     * stops it at the next operation.
     */
    public Report run() {
        try (Progress task = Progress.start("explore " + model.name(), 2 + strategies.size() * sizes.length, "runs")) {
            return run(task);
        }
    }

    private Report run(Progress progress) {
        progress.detail("coupling probe and this machine's rates");
        SparsityPattern pattern = problem(Math.max(2, Math.min(probeSamples, sizes[0]))).pattern();
        Rates rates = Rates.calibrated();
        progress.step();
        List<Measurement> rows = new ArrayList<>();
        double[] forward = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            long n = sizes[i];
            forward[i] = forwardSeconds(n);
            Problem p = problem(n);
            Tensor[] ref = {null};
            for (Strategy s : strategies) {
                progress.detail(label(s) + " at N=" + n);
                rows.add(measure(s, p, ref, rates, calibration(rows, label(s))));
                progress.step();
            }
        }
        progress.detail("predicting at N=" + target);
        Map<String, CostModel.Calibration> cal = new LinkedHashMap<>();
        for (Strategy s : strategies) cal.put(label(s), calibration(rows, label(s)));
        Problem far = CostModel.trace(model, target, seed, budget);
        Map<String, CostModel.Prediction> atTarget = new LinkedHashMap<>();
        for (Strategy s : strategies) {
            try {
                atTarget.put(label(s), CostModel.predict(far, s, 1, rates, cal.get(label(s))));
            } catch (RuntimeException e) {
                atTarget.put(label(s), null);
            }
        }
        boolean coupled = pattern.kind() != SparsityPattern.Kind.INDEPENDENT;
        List<Strategy> usable = strategies.stream().filter(s -> ranCleanly(rows, label(s))).toList();
        TargetPlan plan = TargetPlan.choose(far, usable, cal, budget, workers, rates, coupled, model, executors);
        String auto = autoChoice(far);
        progress.step();
        progress.detail("");
        return new Report(model.name(), sizes, forward, target, budget, strategies, rows, pattern, Tensor.defaultDType().toString(), rates,
                cal, atTarget, plan, auto);
    }

    /** What {@code auto()} (and {@code Jacobian.plan()}) would choose at the target from the uncalibrated model. */
    private static String autoChoice(Problem far) {
        try {
            Strategy s = Strategies.auto().choose(far);
            return s == null ? null : s.name();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean ranCleanly(List<Measurement> rows, String label) {
        boolean any = false;
        for (Measurement m : rows) {
            if (!m.strategy().equals(label)) continue;
            if (!m.ok() && !m.status().equals("skipped")) return false;
            any |= m.ok();
        }
        return any;
    }

    /** A strategy's calibration from its measured (CPU) times so far. */
    private static CostModel.Calibration calibration(List<Measurement> rows, String label) {
        List<Measurement> ms = rows.stream().filter(m -> m.strategy().equals(label) && m.ran() && m.cpuMillis() > 0).toList();
        double[] c = new double[ms.size()], o = new double[ms.size()], t = new double[ms.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = ms.get(i).computeSeconds();
            o[i] = ms.get(i).overheadSeconds();
            t[i] = ms.get(i).cpuMillis() / 1000;
        }
        return CostModel.Calibration.fit(c, o, t);
    }

    /** Median time of the model's forward pass at N (no tape), after one untimed run. */
    private double forwardSeconds(long n) {
        Tensor[] in = model.inputs(n, seed);
        double[] s = new double[Math.max(3, repeats)];
        try (var off = Tensor.noGrad()) {
            model.forward(in);
            for (int r = 0; r < s.length; r++) {
                long t0 = System.nanoTime();
                model.forward(in);
                s[r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private Problem problem(long n) {
        return model.jacobian(model.inputs(n, seed)).budget(budget).parallelism(1).problem();
    }

    /** The exact reference: sparseRows, else chunked, else perElement (the first that does not refuse). */
    private static Tensor reference(Problem p) {
        for (Strategy s : List.of(Strategies.sparseRows(256), Strategies.chunked(256), Strategies.perElement()))
            if (s.refusal(p) == null) return s.run(p);
        return null;
    }

    private Measurement measure(Strategy s, Problem p, Tensor[] ref, Rates rates, CostModel.Calibration sofar) {
        long n = p.samples();
        String refusal = s.refusal(p);
        Cost c = refusal == null ? s.cost(p) : safeCost(s, p);
        long pBytes = c == null ? -1 : c.peakBytes(), pSweeps = c == null ? -1 : c.reverseSweeps() + c.forwardSweeps();
        long pVec = c == null ? -1 : c.reverseVectors() + c.forwardVectors();
        double pWork = c == null ? Double.NaN : c.work();
        CostModel.Prediction pred = c == null ? null : safePredict(p, s, rates);
        double ps = pred == null ? Double.NaN : pred.seconds(), pc = pred == null ? Double.NaN : pred.computeSeconds(),
                po = pred == null ? Double.NaN : pred.overheadSeconds();
        if (refusal != null)
            return new Measurement(label(s), n, "refused", refusal, s.exact(), s.needsIndependentSamples(), Double.NaN, 0, 0, false, 0,
                    pBytes, pWork, pSweeps, -1, pVec, -1, Double.NaN, Double.NaN, ps, pc, po);
        double expected = pred == null ? 0 : sofar.seconds(pc, po) * repeats;
        if (expected > timeCap)
            return new Measurement(label(s), n, "skipped", "predicted " + Units.seconds(expected) + ", over the time cap of " + Units.seconds(timeCap),
                    s.exact(), s.needsIndependentSamples(), Double.NaN, 0, 0, false, 0, pBytes, pWork, pSweeps, -1, pVec, -1, Double.NaN,
                    Double.NaN, ps, pc, po);
        if (ref[0] == null) ref[0] = reference(p);
        double[] ms = new double[repeats], cpu = new double[repeats];
        Tensor J = null;
        Passes.Counts counted = null;
        if (n == sizes[0]) {
            try {
                Warmup.run(() -> s.run(p), warmup);   // at the smallest size: JIT and first-use costs stay out of the timings and the fits
            } catch (RuntimeException | OutOfMemoryError e) {
                if (e instanceof CancellationException) throw e;                // interrupted: the whole run stops
                // other failures are reported by the measured run below
            }
        }
        System.gc();
        MemorySampler mem = MemorySampler.start();
        try {
            for (int r = 0; r < repeats; r++) {
                Passes.Counts before = Passes.snapshot();
                long t0 = System.nanoTime(), c0 = Rates.cpuNanos();
                J = s.run(p);
                ms[r] = (System.nanoTime() - t0) / 1e6;
                cpu[r] = (Rates.cpuNanos() - c0) / 1e6;
                if (r == 0) counted = Passes.snapshot().minus(before);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            mem.stop();
            if (e instanceof CancellationException) throw e;
            return new Measurement(label(s), n, "failed", String.valueOf(e.getMessage()), s.exact(), s.needsIndependentSamples(), Double.NaN,
                    mem.rssPeakBytes(), MemorySampler.vmHwmBytes(), mem.hwmReset(), mem.offHeapPeakBytes(), pBytes, pWork, pSweeps, -1, pVec, -1,
                    Double.NaN, Double.NaN, ps, pc, po);
        }
        mem.stop();
        Arrays.sort(ms);
        Arrays.sort(cpu);
        double err = ref[0] == null ? Double.NaN : J.maxAbsDiff(ref[0]);
        double tol = tolerance(ref[0]);
        String status = !s.exact() ? "approx" : err > tol ? "wrong" : "ok";
        String reason = status.equals("wrong")
                ? String.format("blocks differ from the exact reference by up to %.3g: %s", err,
                        s.needsIndependentSamples() ? "summing over the batch mixes in cross-sample derivatives (samples are coupled)" : "unexpected disagreement")
                : "";
        return new Measurement(label(s), n, status, reason, s.exact(), s.needsIndependentSamples(), ms[ms.length / 2],
                mem.rssPeakBytes(), MemorySampler.vmHwmBytes(), mem.hwmReset(), mem.offHeapPeakBytes(), pBytes, pWork,
                pSweeps, counted.reverseSweeps() + counted.forwardSweeps(), pVec, counted.reverseVectors() + counted.forwardVectors(), err,
                cpu[cpu.length / 2], ps, pc, po);
    }

    private static CostModel.Prediction safePredict(Problem p, Strategy s, Rates rates) {
        try {
            return CostModel.predict(p, s, 1, rates, CostModel.Calibration.NONE);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Cost safeCost(Strategy s, Problem p) {
        try {
            return s.cost(p);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Rounding tolerance relative to the reference's magnitude and the dtype. */
    private static double tolerance(Tensor ref) {
        if (ref == null) return Double.POSITIVE_INFINITY;
        double scale = 1;
        for (double v : ref.toDoubleArray()) scale = Math.max(scale, Math.abs(v));
        return (ref.dtype().bytes() >= 8 ? 1e-9 : 1e-3) * scale;
    }
}
