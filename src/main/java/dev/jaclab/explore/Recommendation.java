package dev.jaclab.explore;

/**
 * The explorer's advice: which strategy to use at the target N ({@code null} when none is predicted to fit) and why,
 * in plain words.
 *
 * <pre>{@code
 * Recommendation r = report.recommendation();
 * r.strategy(); r.reason();
 * }</pre>
 */
public record Recommendation(String strategy, double predictedSeconds, double predictedBytes, String reason) {
    @Override public String toString() { return (strategy == null ? "no recommendation" : "use " + strategy) + ": " + reason; }
}
