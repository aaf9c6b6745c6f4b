package dev.jaclab.jacobian;

/** Checks a range of sample rows [from, to) against a problem, with one clear error. */
final class RowRange {
    private RowRange() {}

    static void check(Problem p, long from, long to) {
        if (from < 0 || to > p.samples() || from >= to)
            throw new IllegalArgumentException("Jacobian rows: range [" + from + ", " + to + ") is empty or outside the " + p.samples() + " samples");
    }
}
