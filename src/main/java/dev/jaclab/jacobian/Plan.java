package dev.jaclab.jacobian;

import java.util.List;

/**
 * What {@code Jacobian.plan()} returns: the chosen strategy, why, and every strategy's predicted cost or refusal.
 *
 * <pre>{@code
 * System.out.println(Jacobian.of(y, x).plan());
 * }</pre>
 */
public record Plan(Strategy chosen, String reason, List<Row> rows) {
    /** One strategy's prediction: cost and predicted seconds on one thread, or the refusal reason. */
    public record Row(String strategy, Cost cost, double seconds, String refusal) {}

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("chosen: ").append(chosen == null ? "none" : chosen.name()).append("\nwhy: ").append(reason).append('\n');
        for (Row r : rows)
            sb.append(String.format("  %-18s %s%n", r.strategy(), r.refusal() == null ? String.format(java.util.Locale.ROOT, "%.3g s", r.seconds()) + ", " + r.cost() : "refused: " + r.refusal()));
        return sb.toString();
    }
}
