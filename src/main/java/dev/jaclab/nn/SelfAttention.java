package dev.jaclab.nn;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;

/**
 * Multi-head self-attention <em>across the samples</em> of a batch x (N, dim): every sample attends to every other
 * (the coupled-samples model of a PINN with attention over its collocation points). Queries, keys and values are
 * linear maps of x; each head runs the fused {@link Tensor#attention} (scores never stored); an output map mixes
 * the heads. Per-sample Jacobians of such a model need an exact strategy (the sum trick is wrong here).
 *
 * <pre>{@code
 * SelfAttention attn = new SelfAttention(16, 2, 7);     // dim 16, 2 heads, seed 7
 * Tensor y = attn.forward(Tensor.randn(0, 1024, 16));    // (1024, 16); row i depends on every row
 * }</pre>
 */
public final class SelfAttention extends Module {
    public final Linear query, key, value, output;
    private final long dim, heads;

    public SelfAttention(long dim, long heads, long seed) {
        if (heads < 1 || dim % heads != 0) throw new IllegalArgumentException("SelfAttention: dim " + dim + " is not divisible by " + heads + " heads");
        this.dim = dim;
        this.heads = heads;
        query = register("query", new Linear(dim, dim, Init.derive(seed, 0)));
        key = register("key", new Linear(dim, dim, Init.derive(seed, 1)));
        value = register("value", new Linear(dim, dim, Init.derive(seed, 2)));
        output = register("output", new Linear(dim, dim, Init.derive(seed, 3)));
    }

    @Override public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.size(1) != dim)
            throw new IllegalArgumentException("SelfAttention(" + dim + "): input " + Shapes.str(x.shape()) + " is not (N, " + dim + ")");
        long n = x.size(0), dh = dim / heads;
        double scale = 1 / Math.sqrt(dh);
        Tensor q = query.forward(x), k = key.forward(x), v = value.forward(x);
        Tensor y;
        if (heads == 1) y = Tensor.attention(q, k, v, scale);
        else y = Tensor.attention(split(q, n, dh), split(k, n, dh), split(v, n, dh), scale).transpose(0, 1).reshape(n, dim);
        return output.forward(y);
    }

    /** (N, dim) → (heads, N, dim/heads). */
    private Tensor split(Tensor t, long n, long dh) { return t.reshape(n, heads, dh).transpose(0, 1); }

    @Override protected String settings() { return "dim " + dim + ", " + heads + (heads == 1 ? " head" : " heads") + ", across the batch"; }
}
