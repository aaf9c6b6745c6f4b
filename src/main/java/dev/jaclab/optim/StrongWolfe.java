package dev.jaclab.optim;

/**
 * A line search along a descent direction that returns a step t satisfying the strong Wolfe conditions
 * f(t) ≤ f(0) + c₁·t·f'(0) and |f'(t)| ≤ c₂·|f'(0)| (Nocedal and Wright, Algorithms 3.5 and 3.6): a bracketing phase
 * that extrapolates by cubic interpolation, then a zoom that shrinks the bracket by safeguarded cubic
 * interpolation. Works on a scalar function φ(t) = f(x + t·d) given with its derivative φ'(t) = ∇f·d.
 *
 * <pre>{@code
 * StrongWolfe.Result r = new StrongWolfe(1e-4, 0.9, 1e-9, 25).search(t -> new double[]{(t - 2) * (t - 2), 2 * (t - 2)}, 4, -4, 1, 1);
 * r.t();   // a step near 2
 * }</pre>
 */
public record StrongWolfe(double c1, double c2, double tolChange, int maxEvaluations) {
    public StrongWolfe {
        if (!(0 < c1 && c1 < c2 && c2 < 1)) throw new IllegalArgumentException("StrongWolfe: need 0 < c1 < c2 < 1, got " + c1 + ", " + c2);
        if (maxEvaluations < 1) throw new IllegalArgumentException("StrongWolfe: at least one evaluation, got " + maxEvaluations);
    }

    /** PyTorch's and SciPy's constants: c₁ = 1e-4, c₂ = 0.9, 25 evaluations. */
    public static StrongWolfe defaults(double tolChange) { return new StrongWolfe(1e-4, 0.9, tolChange, 25); }

    /** φ(t) as {f, φ'(t)}; each call counts as one evaluation (and may move the parameters to x + t·d). */
    @FunctionalInterface
    public interface Phi { double[] at(double t); }

    /**
     * The step chosen, its value and slope, how many evaluations it took, and whether t was the last point evaluated
     * (otherwise the caller moves to t itself; t may be 0 when no decrease was found).
     */
    public record Result(double t, double f, double slope, int evaluations, boolean lastEvaluated, boolean wolfe) {}

    private record Point(double t, double f, double g) {}

    /**
     * Searches from φ(0) = {@code f0}, φ'(0) = {@code g0} (< 0), first trying {@code t}; {@code dMax} = max |d| scales the
     * bracket-width tolerance.
     */
    public Result search(Phi phi, double f0, double g0, double t, double dMax) {
        if (!(g0 < 0)) throw new IllegalArgumentException("StrongWolfe: not a descent direction (slope " + g0 + " >= 0)");
        Point prev = new Point(0, f0, g0), lo, hi;
        int evals = 0;
        while (true) {
            double[] r = phi.at(t);
            evals++;
            Point cur = new Point(t, r[0], r[1]);
            if (cur.f > f0 + c1 * t * g0 || (evals > 1 && cur.f >= prev.f)) { lo = prev; hi = cur; break; }
            if (Math.abs(cur.g) <= -c2 * g0) return new Result(cur.t, cur.f, cur.g, evals, true, true);
            if (cur.g >= 0) { lo = cur; hi = prev; break; }
            if (evals >= maxEvaluations) {
                Point best = cur.f < f0 ? cur : new Point(0, f0, g0);
                return new Result(best.t, best.f, best.g, evals, best == cur, false);
            }
            double next = cubicMinimum(prev, cur, t + 0.01 * (t - prev.t), 10 * t);
            prev = cur;
            t = next;
        }
        boolean insufficientProgress = false;
        Point last = null;
        while (evals < maxEvaluations && Math.abs(hi.t - lo.t) * dMax >= tolChange) {
            double a = Math.min(lo.t, hi.t), b = Math.max(lo.t, hi.t);
            t = cubicMinimum(lo, hi, a, b);
            double margin = 0.1 * (b - a);                    // keep away from the ends unless progress stalls
            if (Math.min(b - t, t - a) < margin) {
                if (insufficientProgress || t >= b || t <= a) {
                    t = Math.abs(t - b) < Math.abs(t - a) ? b - margin : a + margin;
                    insufficientProgress = false;
                } else insufficientProgress = true;
            } else insufficientProgress = false;
            double[] r = phi.at(t);
            evals++;
            Point cur = last = new Point(t, r[0], r[1]);
            if (cur.f > f0 + c1 * t * g0 || cur.f >= lo.f) hi = cur;
            else {
                if (Math.abs(cur.g) <= -c2 * g0) return new Result(cur.t, cur.f, cur.g, evals, true, true);
                if (cur.g * (hi.t - lo.t) >= 0) hi = lo;
                lo = cur;
            }
        }
        return new Result(lo.t, lo.f, lo.g, evals, lo == last, false);
    }

    /**
     * The minimiser of the cubic through two points with their values and slopes, clamped to [lo, hi]; the midpoint
     * when the cubic has no real minimiser.
     */
    static double cubicMinimum(Point p, Point q, double lo, double hi) {
        double d1 = p.g + q.g - 3 * (p.f - q.f) / (p.t - q.t);
        double disc = d1 * d1 - p.g * q.g;
        if (disc < 0 || p.t == q.t) return (lo + hi) / 2;
        double d2 = Math.sqrt(disc);
        double x = p.t <= q.t
                ? q.t - (q.t - p.t) * ((q.g + d2 - d1) / (q.g - p.g + 2 * d2))
                : p.t - (p.t - q.t) * ((p.g + d2 - d1) / (p.g - q.g + 2 * d2));
        if (Double.isNaN(x)) return (lo + hi) / 2;
        return Math.min(Math.max(x, lo), hi);
    }
}
