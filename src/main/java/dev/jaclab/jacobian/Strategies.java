package dev.jaclab.jacobian;

import dev.jaclab.tensor.Tensor;

/**
 * Factory of every per-sample Jacobian strategy.
 *
 * <pre>{@code
 * Jacobian.of(y, x).perSample(Strategies.forwardSum());
 * Jacobian.of(y, x).perSample(Strategies.sparseRows(256));   // exact for coupled samples
 * }</pre>
 */
public final class Strategies {
    private Strategies() {}

    public static PerElement perElement() { return new PerElement(); }

    public static ReverseSum reverseSum() { return new ReverseSum(true); }

    public static ForwardSum forwardSum() { return new ForwardSum(true); }

    public static VmapJacrev vmapJacrev() { return new VmapJacrev(); }

    public static FullBatched fullBatched() { return new FullBatched(); }

    public static Chunked chunked(int chunk) { return new Chunked(chunk); }

    public static Colored colored() { return new Colored(); }

    public static SparseRows sparseRows(int chunk) { return new SparseRows(chunk); }

    /** Exact blocks through stacked mixing layers: row-sparse tangents up, row-sparse cotangents down, meeting halfway. */
    public static MeetInMiddle meetInMiddle(int chunk) { return new MeetInMiddle(chunk); }

    public static Stochastic stochastic(int probes, long seed) { return new Stochastic(probes, seed); }

    public static Detached detached(Tensor... cut) { return new Detached(cut.clone()); }

    public static Auto auto() { return new Auto(); }

    /** The chunked strategy with the largest chunk ≤ {@code maxChunk} (halving) whose predicted peak fits the budget. */
    static <S extends Strategy> S fitting(Problem p, int maxChunk, java.util.function.IntFunction<S> make) {
        int c = Math.max(1, maxChunk);
        S s = make.apply(c);
        while (c > 1 && s.cost(p).peakBytes() > p.budgetBytes()) s = make.apply(c /= 2);
        return s;
    }
}
