package dev.jaclab.jacobian;

import dev.jaclab.tensor.Tensor;

/**
 * One way to compute per-sample Jacobian blocks. A strategy is a small value: what it needs ({@link #refusal}),
 * its predicted cost ({@link #cost}) and {@link #run}, which returns sample-major blocks (N, m, n).
 * Predicted sweep and vector counts equal those {@link dev.jaclab.autodiff.Passes} counts during {@code run}.
 *
 * <pre>{@code
 * Strategy s = Strategies.chunked(256);
 * s.refusal(problem);    // null: it can run
 * s.cost(problem);       // reverse ⌈N·m/256⌉ sweeps × N·m vectors, ...
 * Tensor J = Jacobian.of(y, x).perSample(s);
 * }</pre>
 */
public interface Strategy {
    /** Short name as in {@link Strategies} ("reverseSum", "chunked(256)", ...). */
    String name();

    /** Null when the strategy can run on the problem, else the reason it refuses (in plain words). */
    String refusal(Problem p);

    /** Predicted sweeps, vectors, peak bytes and work. */
    Cost cost(Problem p);

    /**
     * The work its sweeps do, by kind ({@link dev.jaclab.tensor.Work}: gemm flops, element operations, bytes, ops),
     * from the tape's shapes: by default the batched sweeps its {@link #cost} states, each traced once. A strategy
     * whose sweeps are not plain batched ones (row-sparse) states its own.
     */
    default dev.jaclab.tensor.Work work(Problem p) { return SweepWork.of(p, cost(p)); }

    /** Blocks (N, m, n), sample-major. */
    Tensor run(Problem p);

    /**
     * The blocks of samples from ≤ i < to only, (to − from, m, n), for strategies whose work splits by sample rows
     * (sparseRows, meetInMiddle): how a cluster shares one Jacobian. Others compute every block at once and refuse.
     */
    default Tensor runRows(Problem p, long from, long to) {
        RowRange.check(p, from, to);
        if (from == 0 && to == p.samples()) return run(p);
        throw new UnsupportedOperationException(name() + " computes all blocks at once; sparseRows and meetInMiddle compute a range of samples");
    }

    /** Exact up to rounding (false for estimators and for partial Jacobians). */
    default boolean exact() { return true; }

    /**
     * Null when the strategy can record its blocks on the tape ({@code Jacobian.createGraph()}), else why not. By default
     * a strategy refuses: it computes blocks outside the tape.
     */
    default String createGraphRefusal(Problem p) {
        return name() + " computes its blocks outside the tape, so gradients cannot flow through them (createGraph is not supported by "
                + name() + " yet). Differentiable strategies: reverseSum, forwardSum, vmapJacrev, detached (independent samples or a "
                + "block-diagonal cut) and perElement, chunked, fullBatched (any model), or auto()";
    }

    /** A sum-type strategy: valid only when samples are independent. */
    default boolean needsIndependentSamples() { return false; }

    /**
     * The largest chunk of seeds worth running at once on this problem, before the memory budget shrinks it: the
     * problem's chunk size, unless the strategy knows better (with no dense cotangent anywhere, sparseRows amortises
     * per-op overhead over much larger chunks).
     */
    default int usefulChunk(Problem p) { return p.chunk; }

    /** Whether the strategy checks that it applies before running (false for a sum-type strategy made {@link #unchecked}). */
    default boolean checked() { return true; }

    /**
     * The same strategy without its independence check, for showing what a sum trick returns on coupled samples (the
     * explorer's line-up); strategies without such a check return themselves.
     */
    default Strategy unchecked() { return this; }
}
