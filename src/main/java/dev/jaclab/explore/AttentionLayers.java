package dev.jaclab.explore;

import dev.jaclab.tensor.Tensor;

/**
 * A model made of per-sample parts around attention layers across the batch, stated part by part so its forward can
 * be computed by ranges of query rows ({@link RowRangeForward}, one range per machine):
 *
 * <pre>
 *   h_0 = embed(x)                                  x (N, n), h (N, d)
 *   for each layer l:  (q, k, v) = project(l, h_l)
 *                      a_l = attention(q, k, v, scale(l))        (mixes the samples: softmax over all N keys)
 *                      h_{l+1} = combine(l, a_l, h_l)
 *   y = head(h_L, x)                                y (N, m)
 * </pre>
 *
 * Every part except attention must map row i of its inputs to row i of its output (per-sample, as a matmul by a
 * weight or an elementwise op is); {@link RowRangeForward} checks a few rows of each layer against the whole-batch
 * computation and refuses a model whose parts mix rows. The model has one input, x.
 *
 * <pre>{@code
 * AttentionLayers m = (AttentionLayers) Models.attentionStack(7, 3, 16, 2, true);   // two fused layers
 * Tensor x = m.inputs(1024, 1)[0];
 * Tensor y = m.forward(x)[0];                                                     // the same as the parts composed
 * }</pre>
 */
public interface AttentionLayers extends Model {
    /** Number of attention layers L. */
    int layers();

    /** h_0 rows from x rows. */
    Tensor embed(Tensor x);

    /** The query, key and value rows of layer l from h_l rows. */
    Tensor[] project(int layer, Tensor h);

    /** Softmax scale of layer l (1/√d usually). */
    double scale(int layer);

    /** h_{l+1} rows from layer l's attention rows and h_l rows. */
    Tensor combine(int layer, Tensor attended, Tensor h);

    /** y rows from h_L rows and x rows. */
    Tensor head(Tensor h, Tensor x);

    /** The whole batch at once: the parts composed with fused attention ({@link Tensor#attention}). */
    @Override default Tensor[] forward(Tensor... in) {
        if (in.length != 1) throw new IllegalArgumentException(name() + ": takes one input x (N, n), got " + in.length);
        Tensor x = in[0], h = embed(x);
        for (int l = 0; l < layers(); l++) {
            Tensor[] qkv = project(l, h);
            h = combine(l, Tensor.attention(qkv[0], qkv[1], qkv[2], scale(l)), h);
        }
        return new Tensor[]{head(h, x)};
    }
}
