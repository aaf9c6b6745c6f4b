package dev.jaclab.nn;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;

/**
 * Layer normalisation over the last dim of each sample (per sample: it never mixes samples, unlike batch norm):
 * y = (x − mean) / √(var + eps) · weight + bias, with PyTorch's names and defaults (weight 1, bias 0, eps 1e-5).
 *
 * <pre>{@code
 * LayerNorm ln = new LayerNorm(16);
 * Tensor y = ln.forward(Tensor.randn(0, 1024, 16));   // each row: mean 0, variance ≈ 1
 * }</pre>
 */
public final class LayerNorm extends Module {
    public final Parameter weight, bias;
    private final long features;
    private final double eps;

    public LayerNorm(long features) { this(features, 1e-5); }

    public LayerNorm(long features, double eps) {
        if (features < 1) throw new IllegalArgumentException("LayerNorm: features must be >= 1, got " + features);
        this.features = features;
        this.eps = eps;
        weight = register("weight", new Parameter(Tensor.ones(features)));
        bias = register("bias", new Parameter(Tensor.zeros(features)));
    }

    @Override public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.size(-1) != features)
            throw new IllegalArgumentException("LayerNorm(" + features + "): input " + Shapes.str(x.shape()) + " does not end in " + features);
        int[] last = {x.rank() - 1};
        Tensor centred = x.sub(x.mean(last, true));
        Tensor var = centred.square().mean(last, true);
        return centred.div(var.add(eps).sqrt()).mul(weight.value()).add(bias.value());
    }

    @Override protected String settings() { return features + ", eps " + eps; }
}
