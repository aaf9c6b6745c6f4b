package dev.jaclab.explore;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.SparsityPattern;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.Strategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What an {@link Explorer} run found: one {@link Measurement} per strategy × size (measured beside the cost model's
 * prediction), the sample coupling probed at a small N, each strategy's calibration, its predicted time and peak memory
 * at the target N (the model traced there with shapes only), and the plan. {@link #toString} is a narrow table in
 * human units; {@link #table()}, CSV and JSON carry every column.
 *
 * <pre>{@code
 * Report r = Explorer.of(Models.globalMean()).sizes(32, 64).target(100_000).run();
 * r.table();          // Tablesaw Table, one row per strategy × size
 * r.extrapolation();  // one row per strategy: predicted time and memory at the target
 * r.toCsv(); r.toJson(); r.recommendation(); r.plan();
 * }</pre>
 */
public final class Report {
    private final String model, dtype, autoChoice;
    private final long[] sizes;
    private final double[] forwardSeconds;
    private final long target, budget;
    private final List<Strategy> strategies;
    private final List<Measurement> rows;
    private final SparsityPattern pattern;
    private final Rates rates;
    private final Map<String, CostModel.Calibration> calibration;
    private final Map<String, CostModel.Prediction> atTarget;
    private final TargetPlan plan;
    private final Map<String, Extrapolation> extrapolations = new LinkedHashMap<>();
    private final Recommendation recommendation;

    /**
     * A strategy's predicted values at the target N: time (calibrated, one thread) and peak bytes from the cost model;
     * {@code time} and {@code predictedMemory} are power laws through the largest measured size's prediction and the
     * target's (for charts); {@code measuredBytesAtTarget} scales the largest measured peak by the predicted growth.
     */
    public record Extrapolation(String strategy, Fit time, Fit predictedMemory, Fit measuredMemory, double secondsAtTarget,
                                double bytesAtTarget, double measuredBytesAtTarget, boolean fits, boolean usable) {}

    Report(String model, long[] sizes, double[] forwardSeconds, long target, long budget, List<Strategy> strategies, List<Measurement> rows,
           SparsityPattern pattern, String dtype, Rates rates, Map<String, CostModel.Calibration> calibration,
           Map<String, CostModel.Prediction> atTarget, TargetPlan plan, String autoChoice) {
        this.model = model;
        this.sizes = sizes.clone();
        this.forwardSeconds = forwardSeconds.clone();
        this.target = target;
        this.budget = budget;
        this.strategies = List.copyOf(strategies);
        this.rows = List.copyOf(rows);
        this.pattern = pattern;
        this.dtype = dtype;
        this.rates = rates;
        this.calibration = Map.copyOf(calibration);
        this.atTarget = new LinkedHashMap<>(atTarget);
        this.plan = plan;
        this.autoChoice = autoChoice;
        for (Strategy s : strategies) extrapolations.put(Explorer.label(s), extrapolate(s));
        recommendation = recommend();
    }

    private Extrapolation extrapolate(Strategy s) {
        String label = Explorer.label(s);
        List<Measurement> ms = of(label);
        CostModel.Prediction p = atTarget.get(label);
        CostModel.Calibration cal = calibration.getOrDefault(label, CostModel.Calibration.NONE);
        boolean allOk = !ms.isEmpty() && ms.stream().allMatch(m -> m.ok() || m.status().equals("skipped"));
        boolean safe = s.exact() && (!s.needsIndependentSamples() || pattern.kind() == SparsityPattern.Kind.INDEPENDENT);
        Measurement last = ms.isEmpty() ? null : ms.get(ms.size() - 1);
        double sec = p == null ? Double.NaN : p.seconds(), bytes = p == null ? Double.NaN : p.peakBytes();
        double lastSec = last == null ? Double.NaN : cal.seconds(last.computeSeconds(), last.overheadSeconds());
        double lastBytes = last == null ? Double.NaN : last.predictedBytes();
        double measured = last == null || !last.ran() ? Double.NaN : Math.max(last.rssPeakBytes(), last.offHeapPeakBytes()) * bytes / lastBytes;
        long n = last == null ? target : last.samples();
        return new Extrapolation(label, Fit.through(n, lastSec, target, sec), Fit.through(n, lastBytes, target, bytes), Fit.through(n, Double.NaN, target, measured),
                sec, bytes, measured, p != null && p.fits(budget), allOk && safe);
    }

    private Recommendation recommend() {
        if (plan.strategy() == null) {
            String approx = approximateHint();
            return new Recommendation(null, Double.NaN, plan.smallestBudget(), "No exact strategy fits: " + plan.reason() + approx);
        }
        String agree = autoChoice == null ? "" : autoChoice.equals(plan.strategy().name()) ? "; auto() and Jacobian.plan() choose the same"
                : "; auto() and Jacobian.plan() at this N would choose " + autoChoice + " from the uncalibrated rates and all registered strategies, "
                  + "while this plan uses the measured calibration of the strategies run here";
        return new Recommendation(plan.strategy().name(), plan.serial().seconds(), plan.serial().peakBytes(), plan.reason() + agree + ".");
    }

    /** Approximate strategies that ran here, with their measured error (offered when no exact one fits). */
    private String approximateHint() {
        StringBuilder sb = new StringBuilder();
        for (Strategy s : strategies) {
            if (s.exact()) continue;
            String label = Explorer.label(s);
            CostModel.Prediction p = atTarget.get(label);
            double err = of(label).stream().filter(Measurement::ran).mapToDouble(Measurement::maxError).max().orElse(Double.NaN);
            sb.append(sb.length() == 0 ? ". Approximate: " : "; ").append(label).append(" (max error ").append(Units.error(err))
                    .append(" at the measured sizes").append(p == null ? "" : ", about " + Units.seconds(p.seconds()) + ", "
                            + Bytes.format((long) Math.min(Long.MAX_VALUE, p.peakBytes())) + " at N = " + target).append(")");
        }
        return sb.toString();
    }

    /** Median forward-pass seconds at each measured size. */
    public double[] forwardSeconds() { return forwardSeconds.clone(); }

    /** The plan at the target N (strategy null when none fits). */
    public TargetPlan plan() { return plan; }

    /** The machine rates the predictions used. */
    public Rates rates() { return rates; }

    /** Each strategy's calibration (factors on the model's compute and per-op parts). */
    public Map<String, CostModel.Calibration> calibration() { return calibration; }

    /** Each strategy's prediction at the target N (null where it could not be predicted). */
    public Map<String, CostModel.Prediction> atTarget() { return atTarget; }

    public String model() { return model; }

    public long[] sizes() { return sizes.clone(); }

    public long target() { return target; }

    public long budget() { return budget; }

    public String dtype() { return dtype; }

    public List<Strategy> strategies() { return strategies; }

    public List<Measurement> measurements() { return rows; }

    /** Measurements of one strategy, by increasing N. */
    public List<Measurement> of(String strategy) {
        List<Measurement> out = new ArrayList<>();
        for (Measurement m : rows) if (m.strategy().equals(strategy)) out.add(m);
        return out;
    }

    public SparsityPattern pattern() { return pattern; }

    public Map<String, Extrapolation> extrapolations() { return extrapolations; }

    public Recommendation recommendation() { return recommendation; }

    /** One row per strategy × size, every column. */
    public Table table() {
        Table t = Table.create(model + " per-sample Jacobian strategies");
        StringColumn strategy = StringColumn.create("strategy"), status = StringColumn.create("status"), reason = StringColumn.create("reason");
        LongColumn n = LongColumn.create("N"), rss = LongColumn.create("rssPeakBytes"), hwm = LongColumn.create("vmHwmBytes"),
                off = LongColumn.create("offHeapPeakBytes"), pb = LongColumn.create("predictedPeakBytes"),
                ps = LongColumn.create("predictedSweeps"), cs = LongColumn.create("countedSweeps"),
                pv = LongColumn.create("predictedVectors"), cv = LongColumn.create("countedVectors");
        DoubleColumn ms = DoubleColumn.create("medianMs"), cpu = DoubleColumn.create("cpuMs"), pred = DoubleColumn.create("predictedMs"),
                cal = DoubleColumn.create("calibratedMs"), work = DoubleColumn.create("predictedWork"), err = DoubleColumn.create("maxError");
        for (Measurement m : rows) {
            CostModel.Calibration c = calibration.getOrDefault(m.strategy(), CostModel.Calibration.NONE);
            strategy.append(m.strategy()); n.append(m.samples()); status.append(m.status()); reason.append(m.reason());
            ms.append(m.millis()); cpu.append(m.cpuMillis()); pred.append(m.predictedSeconds() * 1000);
            cal.append(c.seconds(m.computeSeconds(), m.overheadSeconds()) * 1000);
            rss.append(m.rssPeakBytes()); hwm.append(m.hwmBytes()); off.append(m.offHeapPeakBytes());
            pb.append(m.predictedBytes()); work.append(m.predictedWork()); ps.append(m.predictedSweeps()); cs.append(m.countedSweeps());
            pv.append(m.predictedVectors()); cv.append(m.countedVectors()); err.append(m.maxError());
        }
        return t.addColumns(strategy, n, status, ms, cpu, pred, cal, rss, hwm, off, pb, work, ps, cs, pv, cv, err, reason);
    }

    /** One row per strategy: predicted time (one thread, calibrated) and peak bytes at the target N. */
    public Table extrapolation() {
        Table t = Table.create(model + " predicted at N = " + target);
        StringColumn s = StringColumn.create("strategy");
        DoubleColumn sec = DoubleColumn.create("secondsAtTarget"), b = DoubleColumn.create("predictedBytesAtTarget"),
                mb = DoubleColumn.create("measuredBytesAtTarget"), cc = DoubleColumn.create("computeFactor"), co = DoubleColumn.create("perOpFactor"),
                pc = DoubleColumn.create("perCallSeconds");
        BooleanColumn fits = BooleanColumn.create("fitsBudget"), usable = BooleanColumn.create("exactAndCorrect");
        for (Extrapolation e : extrapolations.values()) {
            CostModel.Calibration c = calibration.getOrDefault(e.strategy(), CostModel.Calibration.NONE);
            s.append(e.strategy()); sec.append(e.secondsAtTarget()); b.append(e.bytesAtTarget()); mb.append(e.measuredBytesAtTarget());
            cc.append(c.compute()); co.append(c.overhead()); pc.append(c.perCall()); fits.append(e.fits()); usable.append(e.usable());
        }
        return t.addColumns(s, sec, b, mb, cc, co, pc, fits, usable);
    }

    public String toCsv() { return ReportFormat.csv(table()); }

    public String toJson() { return ReportFormat.json(this); }

    /** The narrow terminal view: measured beside predicted per size, predictions at the target, the plan. */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("Explorer report: ").append(model).append(" (").append(dtype).append("), target N = ").append(target)
                .append(", budget ").append(Bytes.format(budget)).append('\n');
        sb.append("Coupling: ").append(pattern.explain()).append('\n');
        sb.append("Rates: ").append(rates).append('\n');
        String f = "%-22s %8s %-8s %9s %9s %10s %8s%n";
        sb.append(String.format(Locale.ROOT, f, "strategy", "N", "status", "time", "predicted", "peak mem", "max err"));
        for (Measurement m : rows) {
            CostModel.Calibration c = calibration.getOrDefault(m.strategy(), CostModel.Calibration.NONE);
            double time = m.cpuMillis() / 1000;
            sb.append(String.format(Locale.ROOT, f, cut(m.strategy(), 22), m.samples(), m.status(), m.ran() ? Units.seconds(time) : "-",
                    Units.seconds(c.seconds(m.computeSeconds(), m.overheadSeconds())),
                    m.ran() ? Bytes.format(Math.max(m.rssPeakBytes(), m.offHeapPeakBytes())) : "-", m.ran() ? Units.error(m.maxError()) : "-"));
        }
        sb.append("time: CPU time of the computing thread; predicted: the cost model calibrated on these runs\n");
        sb.append(String.format(Locale.ROOT, "%nAt N = %d (shapes traced, nothing run):%n", target));
        String g = "%-22s %10s %11s %-5s%n";
        sb.append(String.format(Locale.ROOT, g, "strategy", "time", "peak mem", "fits"));
        for (Extrapolation e : extrapolations.values())
            sb.append(String.format(Locale.ROOT, g, cut(e.strategy(), 22), Units.seconds(e.secondsAtTarget()),
                    Double.isNaN(e.bytesAtTarget()) ? "?" : Bytes.format((long) Math.min(Long.MAX_VALUE, e.bytesAtTarget())), e.fits() ? "yes" : "no"));
        for (Measurement m : rows)
            if (!m.reason().isEmpty() && m.samples() == sizes[sizes.length - 1]) sb.append(m.strategy()).append(": ").append(m.reason()).append('\n');
        sb.append("\nRecommendation: ").append(recommendation).append('\n');
        if (plan.cluster() != null) sb.append("On a cluster: ").append(plan.cluster().breakdown()).append('\n');
        return sb.toString();
    }

    private static String cut(String s, int w) { return s.length() <= w ? s : s.substring(0, w - 1) + "…"; }
}
