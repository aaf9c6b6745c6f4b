package dev.jaclab.tensor;

import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import java.util.Arrays;

/**
 * Fused primitives that the second-order rules ({@link SecondOrderJvp}, the forward-Laplacian sweep) are written
 * with, so that a training step records one node where the textbook formula records two or three (tanh′ = 1 − h² is
 * {@code Elementwise.OneMinusSquare}):
 * <ul>
 *   <li>{@link #sumOfSquares}: Σ_k x_k² over logical axis 0 — the |∇z|² = Σ_a t_a² that every nonlinear op adds to
 *   a Laplacian channel (VJP 2x·g, a broadcast multiply where square-then-sum would materialise the expanded
 *   cotangent);</li>
 *   <li>{@link #scaledMul}: α·a·b, a broadcasting product with a constant factor (the 2 and −2 of these rules) in one
 *   pass instead of two.</li>
 * </ul>
 * Both are ordinary recorded primitives (VJP, JVP and second-order rule stated), so a Laplacian built with them is
 * differentiable again.
 *
 * <pre>{@code
 * Tensor s = SecondOrderOps.sumOfSquares(t);            // t (n, N, k) -> (N, k)
 * Tensor w = SecondOrderOps.scaledMul(h, s, -2);        // −2·h·s for h = tanh(z), one op
 * }</pre>
 */
final class SecondOrderOps {
    private SecondOrderOps() {}

    /** Σ_k x_k² over logical axis 0, one recorded op: (n, *rest) -> rest. */
    static Tensor sumOfSquares(Tensor x) {
        if (x.rank() == 0) throw new IllegalArgumentException("sumOfSquares: needs an axis 0 to sum over, got a scalar");
        return Binder.bind(new SumOfSquares(), x);
    }

    /** α·a·b (broadcasting), one recorded op. */
    static Tensor scaledMul(Tensor a, Tensor b, double alpha) { return Binder.bind(new ScaledMul(alpha), a, b); }

    /** y = Σ_k x_k² over logical axis 0: VJP 2x·g (g broadcast along axis 0), JVP 2 Σ_k x_k t_k, second-order 2 Σ_a Σ_k t_ak². */
    static final class SumOfSquares extends Primitive implements SecondOrderJvp {
        @Override public String name() { return "sumOfSquares"; }
        @Override protected long[] shape(long[][] in) { return Arrays.copyOfRange(in[0], 1, in[0].length); }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].mul(in[0]).sum(new int[]{b}, false); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{scaledMul(n.inputs()[0], g.unsqueeze(0), 2)}; }
        @Override protected Tensor jvpPart(int input, Tensor t, Node n) {
            return n.inputs()[0].mul(t).sum(new int[]{0}, false).mul(2.0);
        }
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) {
            return SecondOrderJvp.sumOverDirections(sumOfSquares(t[0]), level, size).mul(2.0);
        }
        /** Axis 0 is summed away: the sample axis of the input does not survive (like a sum over dim 0). */
        @Override public boolean perSample(Node n, int input) { return false; }
        @Override public Work work(long[][] in, long[] out, int b) { return Work.elementwise(2 * numel(in[0]), numel(in), numel(out)); }
    }

    /** y = α·a·b: VJP α·g·b and α·g·a (unbroadcast), JVP α(t_a·b + a·t_b), second-order 2α Σ_a t_a(a)·t_a(b). */
    static final class ScaledMul extends Elementwise.Binary implements SecondOrderJvp {
        final double alpha;
        ScaledMul(double alpha) { this.alpha = alpha; }
        @Override public String name() { return "scaledMul"; }
        @Override protected NdArray forward(NdArray[] in, int b) {
            NdArray y = in[0].mul(in[1]);                    // fresh: scaled in place
            InPlace.scale(y, alpha);
            return y;
        }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            return new Tensor[]{Elementwise.need(n, 0) ? unbroadcast(scaledMul(g, b(n), alpha), a(n)) : null,
                    Elementwise.need(n, 1) ? unbroadcast(scaledMul(g, a(n), alpha), b(n)) : null};
        }
        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return scaledMul(t, n.inputs()[1 - input], alpha); }
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) {
            return t[0] == null || t[1] == null ? null : SecondOrderJvp.sumOverDirections(scaledMul(t[0], t[1], 2 * alpha), level, size);
        }
    }
}
