package dev.jaclab.nn;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;

/**
 * y = x·Wᵀ + b on the last dim, with PyTorch's layout: weight (out, in), bias (out). Default initialisation is
 * PyTorch's (U(±1/√in) for both), from an explicit seed. The layer is one {@link Tensor#affine} node: it leaves one
 * (…, out) array on the tape, where {@code x.matmul(w).add(b)} leaves the product and the sum.
 *
 * <pre>{@code
 * Linear l = new Linear(3, 16, 42);
 * Tensor y = l.forward(Tensor.randn(0, 1024, 3));            // (1024, 16)
 * Linear z = new Linear(3, 16, 42, Init.xavierNormal(), Init.zeros());
 * }</pre>
 */
public final class Linear extends Module {
    public final Parameter weight;
    public final Parameter bias;
    private final long in, out;

    public Linear(long in, long out, long seed) { this(in, out, seed, Init.lecunUniform(), Init.lecunUniform()); }

    /** With chosen initialisers; {@code biasInit} null means no bias. */
    public Linear(long in, long out, long seed, Init weightInit, Init biasInit) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Linear: sizes must be >= 1, got " + in + " → " + out);
        this.in = in;
        this.out = out;
        weight = register("weight", new Parameter(weightInit.create(Init.derive(seed, 0), in, out, new long[]{out, in})));
        bias = biasInit == null ? null : register("bias", new Parameter(biasInit.create(Init.derive(seed, 1), in, out, new long[]{out})));
    }

    @Override public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.size(-1) != in)
            throw new IllegalArgumentException("Linear(" + in + " → " + out + "): input " + Shapes.str(x.shape()) + " does not end in " + in);
        Tensor w = weight.value().mT(), b = bias == null ? null : bias.value();
        if (x.rank() >= 2) return x.affine(w, b);                  // one node: the layer leaves one (…, out) array
        Tensor y = x.matmul(w);                                    // one sample: (in) → (out)
        return b == null ? y : y.add(b);
    }

    public long inFeatures() { return in; }

    public long outFeatures() { return out; }

    @Override protected String settings() { return in + " → " + out + (bias == null ? ", no bias" : ""); }
}
