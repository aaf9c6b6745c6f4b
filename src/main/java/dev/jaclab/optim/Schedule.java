package dev.jaclab.optim;

/**
 * A learning-rate schedule: the factor the base learning rate is multiplied by at step t (0 for the first step).
 * Schedules compose: {@code warmup(100).then(100, cosine(5000, 0.01))} warms up linearly, then decays.
 *
 * <pre>{@code
 * Adam opt = new Adam(model.parameters(), 1e-3).schedule(Schedule.exponential(0.999));
 * Schedule.step(1000, 0.5).factor(2500);   // 0.25
 * }</pre>
 */
@FunctionalInterface
public interface Schedule {
    /** The factor at step {@code t} (0-based). */
    double factor(long t);

    static Schedule constant() { return t -> 1; }

    /** Multiplies by {@code gamma} every {@code every} steps. */
    static Schedule step(long every, double gamma) {
        if (every < 1) throw new IllegalArgumentException("Schedule.step: period must be >= 1, got " + every);
        return t -> Math.pow(gamma, t / every);
    }

    /** gamma^t. */
    static Schedule exponential(double gamma) { return t -> Math.pow(gamma, t); }

    /** Cosine from 1 down to {@code minFactor} over {@code total} steps, then {@code minFactor}. */
    static Schedule cosine(long total, double minFactor) {
        if (total < 1) throw new IllegalArgumentException("Schedule.cosine: total steps must be >= 1, got " + total);
        return t -> t >= total ? minFactor : minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t / total));
    }

    /** Linear warm-up from 1/steps to 1 over {@code steps} steps, then 1. */
    static Schedule warmup(long steps) {
        if (steps < 1) throw new IllegalArgumentException("Schedule.warmup: steps must be >= 1, got " + steps);
        return t -> t >= steps ? 1 : (t + 1.0) / steps;
    }

    /** The product of this schedule's factor and {@code next}'s at every step. */
    default Schedule times(Schedule next) { return t -> factor(t) * next.factor(t); }

    /** This schedule until it reaches step {@code after}, then {@code next} (counted from its own step 0). */
    default Schedule then(long after, Schedule next) { return t -> t < after ? factor(t) : next.factor(t - after); }
}
