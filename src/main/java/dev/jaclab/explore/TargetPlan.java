package dev.jaclab.explore;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Auto;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runnable plan at the target N: the exact strategy with the least predicted time whose predicted peak fits the
 * budget, its chunk halved until it does, with its predicted time on one thread, on P workers and, when asked, on a
 * Spark cluster of K executors ({@link ClusterCost}; null when not asked); never a sum trick when the samples are
 * coupled. When nothing fits, {@code strategy} is null and {@code smallestBudget} says what budget would be enough.
 *
 * <pre>{@code
 * Problem far = CostModel.trace(model, 1_000_000, 0, Bytes.gib(8));
 * TargetPlan plan = TargetPlan.choose(far, Strategies.all(Strategies.Use.AUTO), Map.of(), Bytes.gib(8), 2, Rates.current(), true);
 * plan.strategy();      // sparseRows(C) with C shrunk to fit 8 GiB
 * TargetPlan onSpark = TargetPlan.choose(far, Strategies.all(Strategies.Use.AUTO), Map.of(), Bytes.gib(8), 2, Rates.current(), true, model, 16);
 * onSpark.cluster().seconds();   // the same strategy on 16 executors of one thread each
 * }</pre>
 */
public record TargetPlan(Strategy strategy, CostModel.Prediction serial, CostModel.Prediction parallel, ClusterCost.Prediction cluster,
                         double smallestBudget, String reason) {
    private static final Pattern CHUNKED = Pattern.compile("(sparseRows|chunked|meetInMiddle)\\((\\d+)\\)");

    /**
     * @param calibration per strategy label (as {@link Explorer#label}), fitted from measured sizes; missing: none
     * @param coupled     whether the samples are coupled (sum tricks are then never chosen)
     */
    public static TargetPlan choose(Problem target, List<Strategy> candidates, Map<String, CostModel.Calibration> calibration, long budget,
                                    int workers, Rates rates, boolean coupled) {
        return choose(target, candidates, calibration, budget, workers, rates, coupled, null, 0);
    }

    /**
     * The same plan with its strategy's time on a Spark cluster of {@code executors} executors of one thread each
     * ({@link ClusterCost#predict}; {@code model} is the traced one: whether its forward splits by rows); 0 executors:
     * no cluster figure.
     */
    public static TargetPlan choose(Problem target, List<Strategy> candidates, Map<String, CostModel.Calibration> calibration, long budget,
                                    int workers, Rates rates, boolean coupled, Model model, int executors) {
        if (executors < 0 || (executors > 0 && model == null))
            throw new IllegalArgumentException("plan: executors must be >= 1 with the model, or 0 for none; got " + executors);
        Strategy best = null;
        CostModel.Prediction bestP = null;
        double smallest = Double.POSITIVE_INFINITY;
        Strategy blocks = null;
        CostModel.Prediction blocksP = null;
        for (Strategy s0 : candidates) {
            if (!s0.exact() || (coupled && s0.needsIndependentSamples())) continue;
            CostModel.Calibration cal = calibration.getOrDefault(Explorer.label(s0), CostModel.Calibration.NONE);
            Strategy s = s0.checked() ? s0 : Strategies.byName(s0.name());
            CostModel.Prediction p;
            try {
                p = CostModel.predict(target, s, 1, rates, cal);
                Matcher m = CHUNKED.matcher(s.name());
                if (m.matches()) {
                    int c = Integer.parseInt(m.group(2));
                    while (!p.fits(budget) && c > 1 && budgetRefusal(p)) {
                        s = Strategies.byName(m.group(1) + "(" + (c /= 2) + ")");
                        p = CostModel.predict(target, s, 1, rates, cal);
                    }
                }
            } catch (RuntimeException e) {
                continue;                                                     // cannot be predicted here (e.g. needs a probe)
            }
            if (p.refusal() == null || budgetRefusal(p)) smallest = Math.min(smallest, p.peakBytes());
            if (p.fits(budget) && (bestP == null || p.seconds() < bestP.seconds())) { best = s; bestP = p; }
            if (p.fits(budget) && s instanceof dev.jaclab.jacobian.RowBlocks) { blocks = s; blocksP = p; }
        }
        String tie = "";
        if (blocks != null && best != blocks && blocksP.seconds() <= Auto.TIE * bestP.seconds() && blocksP.peakBytes() < bestP.peakBytes()) {
            tie = " (it ties with the fastest, " + best.name() + " at " + Units.seconds(bestP.seconds()) + " and a peak of "
                    + Bytes.format((long) bestP.peakBytes()) + ": within " + Math.round((Auto.TIE - 1) * 100) + " %, the smaller peak wins, as in auto())";
            best = blocks;
            bestP = blocksP;
        }
        String coupling = coupled ? "samples are coupled, so sum tricks (reverseSum, forwardSum) are never chosen"
                : "samples are independent, so summing over the batch is exact";
        if (best == null)
            return new TargetPlan(null, null, null, null, smallest, coupling + "; no exact strategy is predicted to fit " + Bytes.format(budget)
                    + " at N = " + target.samples() + (Double.isInfinite(smallest) ? "" : "; the leanest needs about "
                    + Bytes.format((long) Math.min(Long.MAX_VALUE, smallest)) + ": raise the budget to that, or lower N"));
        CostModel.Calibration cal = calibration.getOrDefault(labelOf(best, candidates), CostModel.Calibration.NONE);
        CostModel.Prediction par = CostModel.predict(target, best, workers, rates, cal);
        ClusterCost.Prediction cluster = executors > 0 ? ClusterCost.predict(model, target, best, executors, rates, cal) : null;
        return new TargetPlan(best, bestP, par, cluster, bestP.peakBytes(), coupling + "; " + best.name() + (tie.isEmpty() ? " is the fastest exact strategy predicted to fit " : " is the leanest of the fastest exact strategies predicted to fit ")
                + Bytes.format(budget) + " at N = " + target.samples() + ": about " + Units.seconds(bestP.seconds()) + " on one thread"
                + (par.workers() > 1 ? ", " + Units.seconds(par.seconds()) + " on " + par.workers() + " workers (Jacobian.parallelism("
                + par.workers() + "), peak " + Bytes.format((long) par.peakBytes()) + ")" : "")
                + (cluster == null ? "" : ", " + cluster.brief()) + ", peak " + Bytes.format((long) bestP.peakBytes()) + tie);
    }

    /** Whether the strategy refuses only for memory (a smaller chunk may fit). */
    private static boolean budgetRefusal(CostModel.Prediction p) { return p.refusal() != null && p.refusal().contains("budget"); }

    /** The label of the candidate a (possibly re-chunked) strategy came from. */
    private static String labelOf(Strategy s, List<Strategy> candidates) {
        String base = s.name().replaceAll("\\(.*", "");
        for (Strategy c : candidates) if (c.name().replaceAll("\\(.*", "").equals(base)) return Explorer.label(c);
        return Explorer.label(s);
    }

    @Override public String toString() { return (strategy == null ? "no plan" : "use " + strategy.name()) + ": " + reason; }
}
