package dev.jaclab.tensor;

/**
 * A primitive's second-order forward rule, for {@link ForwardLaplacian}: given the input tangents t_a (a batch level
 * of n directions), the sum over the directions of the second directional derivative, Σ_a D²f(x)[t_a, t_a] — the term
 * a Laplacian gains at this op beyond the JVP of the incoming Laplacians. Null stands for zero (an op linear in the
 * inputs whose tangents are given). Written with Tensor operations, so the result is differentiable again.
 *
 * <pre>{@code
 * // y = a·b:  Σ_a D²y[t_a, t_a] = 2 Σ_a t_a(a)·t_a(b)
 * Tensor s = SecondOrderJvp.sumOverDirections(ta.mul(tb), level, n).mul(2);
 * }</pre>
 */
public interface SecondOrderJvp {
    /**
     * Σ over level {@code level} (size {@code n}) of D²f[t, t] for the tangents {@code t} (null entries are zero
     * tangents; at least one is given), or null when it is zero.
     */
    Tensor secondOrder(Tensor[] t, Node n, int level, long size);

    /**
     * The output's tangents and Laplacian channel from the inputs' ({@code l} entries null where zero): by default the
     * JVP rule on each plus {@link #secondOrder}; an op overrides it where one joint formula is cheaper (a unary op
     * computes f′ once).
     */
    default Tensor[] forwardLaplacian(Tensor[] t, Tensor[] l, Node n, int level, long size) {
        Primitive p = (Primitive) this;
        boolean anyLap = false;
        for (Tensor li : l) anyLap |= li != null;
        Tensor first = anyLap ? p.jvp(l, n) : null;
        return new Tensor[]{p.jvp(t, n), Primitive.plus(first, secondOrder(t, n, level, size))};
    }

    /** Σ over the directions: the batch level {@code level} of size {@code n} summed away. */
    static Tensor sumOverDirections(Tensor t, int level, long n) {
        return BatchLevels.indexOf(t.levels(), level) < 0 ? t.mul((double) n) : t.toLogical(level, n).sum(new int[]{0}, false);
    }

    /** Σ over the directions of t_a² (one fused op; n·t² when t does not vary along the level). */
    static Tensor sumOfSquaresOverDirections(Tensor t, int level, long n) {
        return BatchLevels.indexOf(t.levels(), level) < 0 ? t.square().mul((double) n) : SecondOrderOps.sumOfSquares(t.toLogical(level, n));
    }
}
