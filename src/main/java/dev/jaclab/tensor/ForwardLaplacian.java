package dev.jaclab.tensor;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Laplacians by one forward sweep (the "forward Laplacian"): along the recorded graph from x to u it carries, for every
 * tensor z, its tangents ∂z/∂x·e_a for the n input directions (one batch level) and its Laplacian channel Δz =
 * Σ_a ∂²z/∂x_a². At each op Δ(out) = J·Δ(in) (the op's JVP rule applied to the incoming Laplacians) plus the op's
 * {@link SecondOrderJvp} term Σ_a D²f[t_a, t_a]. One forward pass with n + 1 channels replaces forward-over-reverse
 * (a recorded reverse sweep and n JVPs of it), and the result is recorded, so a loss built from it trains the
 * parameters. With the directions e_a placed on every sample at once it is the per-sample Laplacian of independent
 * samples (the caller checks independence).
 *
 * <pre>{@code
 * Tensor x = Tensor.rand(0, 1024, 2).requiresGrad();
 * Tensor u = net.forward(x);                                            // (1024, 1)
 * Tensor basis = Tensor.eye(2).reshape(2, 1, 2).expand(2, 1024, 2);     // e_a on every sample
 * Tensor lap = ForwardLaplacian.of(u, x, basis);                        // (1024, 1), or null (an op without a rule)
 * }</pre>
 */
public final class ForwardLaplacian {
    private ForwardLaplacian() {}

    /**
     * Σ_a of the second directional derivatives of u along {@code directions[a]} (shape (n, *x.shape)), recorded; null
     * when an op between x and u states no {@link SecondOrderJvp} rule (the caller falls back to forward-over-reverse).
     */
    public static Tensor of(Tensor u, Tensor x, Tensor directions) {
        if (!supported(u, x)) return null;
        long n = directions.size(0);
        int level = Tensor.newLevel();
        Map<Tensor, Tensor> tangent = new IdentityHashMap<>(), lap = new IdentityHashMap<>();
        try (var mode = GradMode.set(true)) {
            tangent.put(x, directions.toBatch(level));
            for (Tensor t : Backprop.topologicalOrder(u)) {
                Node node = t.node();
                if (node == null || t == x) continue;
                Tensor[] in = node.inputs(), ti = new Tensor[in.length], li = new Tensor[in.length];
                boolean any = false;
                for (int i = 0; i < in.length; i++) {
                    if (!node.primitive().differentiable(i)) continue;
                    ti[i] = tangent.get(in[i]);
                    li[i] = lap.get(in[i]);
                    any |= ti[i] != null;
                }
                if (!any) continue;
                Tensor[] out = ((SecondOrderJvp) node.primitive()).forwardLaplacian(ti, li, node, level, n);
                tangent.put(t, out[0]);
                if (out[1] != null) lap.put(t, out[1]);
            }
        }
        Tensor l = lap.get(u);
        return l != null ? l : Tensor.zeros(u.dtype(), u.shape());
    }

    /** Whether every op on a path from x to u states a second-order rule. */
    static boolean supported(Tensor u, Tensor x) {
        Map<Tensor, Boolean> reaches = new IdentityHashMap<>();
        for (Tensor t : Backprop.topologicalOrder(u)) {
            Node node = t.node();
            boolean r = t == x;
            if (!r && node != null)
                for (int i = 0; i < node.inputs().length; i++) r |= node.primitive().differentiable(i) && reaches.getOrDefault(node.inputs()[i], false);
            if (r && t != x && !(node.primitive() instanceof SecondOrderJvp)) return false;
            reaches.put(t, r);
        }
        return true;
    }
}
