package dev.jaclab.jacobian;

import dev.jaclab.tensor.Tensor;
import java.util.List;

/**
 * Picks the strategy with the least predicted time ({@link Rates#seconds} of its {@link Strategy#work}, on one thread)
 * among those that can run within the memory budget, chunks shrunk until they fit; never a sum-type strategy when the
 * tape shows coupled samples. The explorer's recommendation weighs the same predictions (calibrated by its
 * measurements).
 *
 * <p>{@link RowBlocks rowBlocks} runs the same batched sweep as reverseSum or forwardSum, a block of rows at a time, so
 * its predicted time ties with theirs; the tie rule: rowBlocks is picked when its predicted time is within
 * {@link #TIE} of the fastest other strategy's and its peak bytes are smaller (it splits the batch into several
 * blocks), otherwise the fastest other strategy is. Given a function ({@code Jacobian.of(f, x)}), auto decides on f
 * traced at N with shapes only, so picking rowBlocks never records the whole batch.
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

    /** Predicted times within this factor of each other count as a tie, which rowBlocks wins when its peak is smaller. */
    public static final double TIE = 1.05;

    private static Strategy weigh(Problem p) {
        Strategy best = fastestOther(p);
        Strategy blocks = candidates(p).stream().filter(s -> s instanceof RowBlocks).findFirst().orElse(null);
        if (best == null || blocks == null || !runs(blocks, p)) return best;
        return seconds(blocks, p) <= TIE * seconds(best, p) && blocks.cost(p).peakBytes() < best.cost(p).peakBytes() ? blocks : best;
    }

    /**
     * The strategy with the least predicted time among the candidates other than rowBlocks (null: none runs). For
     * independent samples the sum strategies' sweeps are the least work any strategy does — colored's one color is
     * forwardSum's sweep plus a gather, contextForward's is forwardSum's plus context terms, the row-sparse and one-hot
     * strategies carry N·m vectors — so only they are weighed when one fits (weighing the others traced their
     * row-sparse sweeps: ~2.6 ms at N = 16,384, more than the Jacobian of sin itself); the rest when none fits.
     */
    static Strategy fastestOther(Problem p) {
        if (p.structure().independent()) {
            Strategy sum = least(p, Strategies.all(Strategies.Use.AUTO).stream()
                    .filter(s -> s.needsIndependentSamples() && !(s instanceof RowBlocks)).toList());
            if (sum != null) return sum;
        }
        return least(p, candidates(p));
    }

    private static Strategy least(Problem p, List<Strategy> candidates) {
        Strategy best = null;
        double bestSeconds = Double.MAX_VALUE;
        Rates rates = Rates.current();
        for (Strategy s : candidates) {
            if (s instanceof RowBlocks || !runs(s, p)) continue;
            double t = rates.seconds(s.work(p));
            if (t < bestSeconds) { best = s; bestSeconds = t; }
        }
        return best;
    }

    private static boolean runs(Strategy s, Problem p) {
        if (s.needsIndependentSamples() && !p.structure().independent()) return false;
        if (p.createGraph() && s.createGraphRefusal(p) != null) return false;
        return s.refusal(p) == null;
    }

    /** Why auto picked rowBlocks over the fastest other strategy, for {@code Jacobian.plan()}. */
    static String blocksReason(Problem p) {
        Strategy other = fastestOther(p);
        RowBlocks b = Strategies.rowBlocks();
        String sweep = p.outputWidth() <= p.inputWidth() ? "reverseSum" : "forwardSum";
        return String.format(java.util.Locale.ROOT, "rowBlocks (%s's batched sweep, a block of rows at a time) ties with the fastest other, %s:"
                        + " predicted %.3g s vs %.3g s (within ×%.2f, one thread, %s rates), at a peak of %s instead of %s; at equal time the smaller peak wins",
                sweep, other.name(), seconds(b, p), seconds(other, p), TIE, Rates.current().source(), Bytes.format(b.cost(p).peakBytes()),
                Bytes.format(other.cost(p).peakBytes()));
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
