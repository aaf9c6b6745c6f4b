package dev.jaclab.jacobian;

import dev.jaclab.tensor.Tensor;
import java.util.List;

/**
 * Picks the strategy with the least predicted time ({@link Rates#seconds} of its {@link Strategy#work}, on one thread)
 * among those that can run within the memory budget, chunks shrunk until they fit; never a sum-type strategy when the
 * tape shows coupled samples. The explorer's recommendation weighs the same predictions (calibrated by its
 * measurements).
 *
 * <pre>{@code
 * Strategy s = Strategies.auto().choose(problem);   // e.g. forwardSum for sin, sparseRows for attention
 * }</pre>
 */
public record Auto() implements Strategy {
    @Override public String name() { return "auto"; }

    @Override public String refusal(Problem p) { return choose(p) == null ? "auto: no strategy fits the memory budget of " + Bytes.format(p.budgetBytes()) : null; }

    /**
     * The candidates auto considers: the strategies registered for {@link Strategies.Use#AUTO}, in registry order;
     * chunked strategies shrink their chunk until they fit the budget.
     */
    static List<Strategy> candidates(Problem p) { return Strategies.fitting(p, Strategies.Use.AUTO); }

    /** The chosen strategy, or null when none fits; weighed once per problem (refusal, cost and run ask again). */
    public Strategy choose(Problem p) {
        synchronized (p) {
            if (p.autoChoice == null) p.autoChoice = java.util.Optional.ofNullable(weigh(p));
            return p.autoChoice.orElse(null);
        }
    }

    private static Strategy weigh(Problem p) {
        Strategy best = null;
        double bestSeconds = Double.MAX_VALUE;
        Rates rates = Rates.current();
        for (Strategy s : candidates(p)) {
            if (s.needsIndependentSamples() && !p.structure().independent()) continue;
            if (p.createGraph() && s.createGraphRefusal(p) != null) continue;
            if (s.refusal(p) != null) continue;
            double t = rates.seconds(s.work(p));
            if (t < bestSeconds) { best = s; bestSeconds = t; }
        }
        return best;
    }

    /** Predicted seconds of a strategy on one thread with the rates in use ({@link Rates#current}). */
    public static double seconds(Strategy s, Problem p) { return Rates.current().seconds(s.work(p)); }

    @Override public String createGraphRefusal(Problem p) { return null; }

    @Override public Cost cost(Problem p) {
        Strategy s = choose(p);
        return s == null ? new Cost(0, 0, 0, 0, 0, Double.NaN, "nothing fits") : s.cost(p);
    }

    @Override public Tensor run(Problem p) {
        Strategy s = choose(p);
        if (s == null) throw new IllegalStateException(refusal(p));
        return s.run(p);
    }
}
