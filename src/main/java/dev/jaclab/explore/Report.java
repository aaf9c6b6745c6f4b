package dev.jaclab.explore;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.SparsityPattern;
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
 * What an {@link Explorer} run found: one {@link Measurement} per strategy × size, the sample coupling probed at a
 * small N, a power-law extrapolation of each strategy's time and memory to the target N, and a recommendation.
 * Memory at the target is extrapolated from the strategies' predicted peak bytes (the cost model), which is
 * deterministic; the measured resident-set growth is extrapolated and shown next to it, but at small N it is dominated
 * by allocator and JVM noise.
 *
 * <pre>{@code
 * Report r = Explorer.of(Models.globalMean()).sizes(32, 64).target(100_000).run();
 * r.table();          // Tablesaw Table, one row per strategy × size
 * r.extrapolation();  // one row per strategy: exponents and values at the target
 * r.toCsv(); r.toJson(); r.recommendation();
 * }</pre>
 */
public final class Report {
    private final String model, dtype;
    private final long[] sizes;
    private final double[] forwardSeconds;
    private final long target, budget;
    private final List<Strategy> strategies;
    private final List<Measurement> rows;
    private final SparsityPattern pattern;
    private final Map<String, Extrapolation> extrapolations = new LinkedHashMap<>();
    private final Recommendation recommendation;

    /** A strategy's fitted scaling and its values at the target N. */
    public record Extrapolation(String strategy, Fit time, Fit predictedMemory, Fit measuredMemory, double secondsAtTarget,
                                double bytesAtTarget, double measuredBytesAtTarget, boolean fits, boolean usable) {}

    Report(String model, long[] sizes, double[] forwardSeconds, long target, long budget, List<Strategy> strategies,
           List<Measurement> rows, SparsityPattern pattern, String dtype) {
        this.model = model;
        this.sizes = sizes.clone();
        this.forwardSeconds = forwardSeconds.clone();
        this.target = target;
        this.budget = budget;
        this.strategies = List.copyOf(strategies);
        this.rows = List.copyOf(rows);
        this.pattern = pattern;
        this.dtype = dtype;
        for (Strategy s : strategies) extrapolations.put(Explorer.label(s), extrapolate(s));
        recommendation = recommend();
    }

    private Extrapolation extrapolate(Strategy s) {
        List<Measurement> ms = of(Explorer.label(s));
        double[] n = new double[ms.size()], t = new double[ms.size()], pb = new double[ms.size()], mb = new double[ms.size()];
        boolean allOk = !ms.isEmpty();
        for (int i = 0; i < ms.size(); i++) {
            Measurement m = ms.get(i);
            n[i] = m.samples();
            t[i] = m.ran() ? m.millis() / 1000 : Double.NaN;
            pb[i] = m.predictedBytes();
            mb[i] = m.ran() ? Math.max(m.rssPeakBytes(), m.offHeapPeakBytes()) : Double.NaN;
            allOk &= m.ok();
        }
        Fit ft = atLeast(Fit.powerLaw(n, t, 1), workGrowth(n, ms), n, t), fp = Fit.powerLaw(n, pb, 1), fm = Fit.powerLaw(n, mb, 1);
        double bytes = fp.at(target);
        boolean fits = bytes <= budget;
        boolean safe = s.exact() && (!s.needsIndependentSamples() || pattern.kind() == SparsityPattern.Kind.INDEPENDENT);
        return new Extrapolation(Explorer.label(s), ft, fp, fm, ft.at(target), bytes, fm.at(target), fits, allOk && safe);
    }

    /**
     * How fast a strategy's time must grow at least: its predicted work (forward passes) times the forward pass's own
     * growth, both between the two largest sizes (fixed per-op costs flatten the small ones). NaN when unknown.
     */
    private double workGrowth(double[] n, List<Measurement> ms) {
        int k = sizes.length;
        if (k < 2 || ms.size() < 2) return Double.NaN;
        double forwardExp = Math.log(forwardSeconds[k - 1] / forwardSeconds[k - 2]) / Math.log((double) sizes[k - 1] / sizes[k - 2]);
        Measurement a = ms.get(ms.size() - 2), b = ms.get(ms.size() - 1);
        double workExp = Math.log(b.predictedWork() / a.predictedWork()) / Math.log(n[n.length - 1] / n[n.length - 2]);
        return forwardExp + workExp;
    }

    /** The fit, or — when it grows slower than {@code minExponent} — that exponent through the largest measured point. */
    private static Fit atLeast(Fit f, double minExponent, double[] n, double[] t) {
        if (!(minExponent > f.exponent()) || Double.isInfinite(minExponent)) return f;
        for (int i = n.length - 1; i >= 0; i--)
            if (t[i] > 0) return new Fit(minExponent, Math.log(t[i]) - minExponent * Math.log(n[i]), f.points(), false);
        return f;
    }

    /** Median forward-pass seconds at each measured size. */
    public double[] forwardSeconds() { return forwardSeconds.clone(); }

    private Recommendation recommend() {
        Extrapolation best = null;
        for (Extrapolation e : extrapolations.values())
            if (e.usable() && e.fits() && (best == null || e.secondsAtTarget() < best.secondsAtTarget())) best = e;
        String coupling = pattern.kind() == SparsityPattern.Kind.INDEPENDENT ? "The samples are independent, so summing over the batch is exact"
                : "The samples are coupled (" + pattern.kind().toString().toLowerCase(Locale.ROOT) + "), so the sum-type strategies "
                  + "(reverseSum, forwardSum) would silently return wrong blocks and are never recommended";
        if (best == null) {
            Extrapolation least = null;
            for (Extrapolation e : extrapolations.values())
                if (e.usable() && (least == null || e.bytesAtTarget() < least.bytesAtTarget())) least = e;
            String hint = least == null ? "no exact strategy ran cleanly at the measured sizes"
                    : "the leanest exact one, " + least.strategy() + ", is predicted to need " + Bytes.format((long) least.bytesAtTarget());
            return new Recommendation(null, Double.NaN, Double.NaN, coupling + ". No exact strategy is predicted to fit the budget of "
                    + Bytes.format(budget) + " at N = " + target + ": " + hint + ". Raise the budget, lower N, or use a smaller chunk.");
        }
        return new Recommendation(best.strategy(), best.secondsAtTarget(), best.bytesAtTarget(), coupling + ". Among the exact strategies "
                + "that ran correctly at every measured size and are predicted to fit the budget of " + Bytes.format(budget) + " at N = " + target
                + ", " + best.strategy() + " is the fastest: time grows " + best.time() + ", giving about " + seconds(best.secondsAtTarget())
                + ", and its predicted peak memory grows " + best.predictedMemory() + ", giving about " + Bytes.format((long) best.bytesAtTarget()) + ".");
    }

    static String seconds(double s) { return Units.seconds(s); }

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

    /** One row per strategy × size. */
    public Table table() {
        Table t = Table.create(model + " per-sample Jacobian strategies");
        StringColumn strategy = StringColumn.create("strategy"), status = StringColumn.create("status"), reason = StringColumn.create("reason");
        LongColumn n = LongColumn.create("N"), rss = LongColumn.create("rssPeakBytes"), hwm = LongColumn.create("vmHwmBytes"),
                off = LongColumn.create("offHeapPeakBytes"), pb = LongColumn.create("predictedPeakBytes"),
                ps = LongColumn.create("predictedSweeps"), cs = LongColumn.create("countedSweeps"),
                pv = LongColumn.create("predictedVectors"), cv = LongColumn.create("countedVectors");
        DoubleColumn ms = DoubleColumn.create("medianMs"), work = DoubleColumn.create("predictedWork"), err = DoubleColumn.create("maxError");
        for (Measurement m : rows) {
            strategy.append(m.strategy()); n.append(m.samples()); status.append(m.status()); reason.append(m.reason());
            ms.append(m.millis()); rss.append(m.rssPeakBytes()); hwm.append(m.hwmBytes()); off.append(m.offHeapPeakBytes());
            pb.append(m.predictedBytes()); work.append(m.predictedWork()); ps.append(m.predictedSweeps()); cs.append(m.countedSweeps());
            pv.append(m.predictedVectors()); cv.append(m.countedVectors()); err.append(m.maxError());
        }
        return t.addColumns(strategy, n, status, ms, rss, hwm, off, pb, work, ps, cs, pv, cv, err, reason);
    }

    /** One row per strategy: fitted exponents and predicted values at the target N. */
    public Table extrapolation() {
        Table t = Table.create(model + " extrapolated to N = " + target);
        StringColumn s = StringColumn.create("strategy");
        DoubleColumn te = DoubleColumn.create("timeExponent"), sec = DoubleColumn.create("secondsAtTarget"),
                me = DoubleColumn.create("memoryExponent"), b = DoubleColumn.create("predictedBytesAtTarget"),
                mb = DoubleColumn.create("measuredBytesAtTarget");
        BooleanColumn fits = BooleanColumn.create("fitsBudget"), usable = BooleanColumn.create("exactAndCorrect");
        for (Extrapolation e : extrapolations.values()) {
            s.append(e.strategy()); te.append(e.time().exponent()); sec.append(e.secondsAtTarget()); me.append(e.predictedMemory().exponent());
            b.append(e.bytesAtTarget()); mb.append(e.measuredBytesAtTarget()); fits.append(e.fits()); usable.append(e.usable());
        }
        return t.addColumns(s, te, sec, me, b, mb, fits, usable);
    }

    private String forwardLine() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) sb.append(i == 0 ? "" : ", ").append(seconds(forwardSeconds[i])).append(" at N = ").append(sizes[i]);
        return sb.toString();
    }

    public String toCsv() { return ReportFormat.csv(table()); }

    public String toJson() { return ReportFormat.json(this); }

    @Override public String toString() {
        return "Explorer report: " + model + " (" + dtype + "), sizes " + java.util.Arrays.toString(sizes) + ", target N = " + target
                + ", budget " + Bytes.format(budget) + "\nForward pass: " + forwardLine() + "\nCoupling: " + pattern.explain() + "\n"
                + table().printAll() + "\n" + extrapolation().printAll() + "\nRecommendation: " + recommendation + "\n";
    }
}
