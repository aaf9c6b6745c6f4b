package dev.jaclab.explore;

import dev.jaclab.tensor.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * Built-in workloads: the forum thread's models and the classic coupling patterns.
 *
 * <pre>{@code
 * Models.byName("attention");      // one attention layer across the batch
 * Models.all();                    // every built-in
 * }</pre>
 */
public final class Models {
    private Models() {}

    /** A model of one input and one output from a function and an input width. */
    record Simple(String name, long width, boolean coupled, Function<Tensor, Tensor> f) implements Model {
        @Override public Tensor[] inputs(long samples, long seed) { return new Tensor[]{Tensor.randn(seed, samples, width)}; }
        @Override public Tensor[] forward(Tensor... in) { return new Tensor[]{f.apply(in[0])}; }
    }

    /** y = sin(x), x (N, 3). */
    public static Model sin() { return new Simple("sin", 3, false, Tensor::sin); }

    /** MLP 3-64-64-3 with tanh, per sample. */
    public static Model mlp(long seed) {
        Tensor w1 = Tensor.randn(seed, 3, 64).div(Math.sqrt(3)), b1 = Tensor.randn(seed + 1, 64).mul(0.1);
        Tensor w2 = Tensor.randn(seed + 2, 64, 64).div(8), b2 = Tensor.randn(seed + 3, 64).mul(0.1);
        Tensor w3 = Tensor.randn(seed + 4, 64, 3).div(8);
        return new Simple("mlp", 3, false, x -> x.affine(w1, b1).tanh().affine(w2, b2).tanh().matmul(w3));
    }

    /**
     * One attention layer across the batch: 3→d embedding, q/k/v d×d, softmax over the N samples, d→3, residual;
     * uses the fused, streamed {@link Tensor#attention} (runs at N = 65536).
     */
    public static Model attention(long seed, long width, long d) { return attentionStack(seed, width, d, 1, true); }

    /** The same layer written with plain matmul + softmax (stores the N×N scores; for N ≤ 8192). */
    public static Model attentionPlain(long seed, long width, long d) { return attentionStack(seed, width, d, 1, false); }

    /** {@code layers} stacked attention layers across the batch (fused or plain). */
    public static Model attentionStack(long seed, long width, long d, int layers, boolean fused) {
        Tensor we = Tensor.randn(seed, width, d).div(Math.sqrt(width));
        Tensor[][] w = new Tensor[layers][];
        for (int l = 0; l < layers; l++) {
            long s = seed + 10L * (l + 1);
            w[l] = new Tensor[]{Tensor.randn(s, d, d).div(Math.sqrt(d)), Tensor.randn(s + 1, d, d).div(Math.sqrt(d)),
                    Tensor.randn(s + 2, d, d).div(Math.sqrt(d))};
        }
        Tensor wo = Tensor.randn(seed + 5, d, width).div(Math.sqrt(d));
        double scale = 1 / Math.sqrt(d);
        String name = (layers == 1 ? "attention" : "attention" + layers) + (fused ? "" : "Plain");
        if (fused) return new Stack(name, width, scale, we, w, wo);
        return new Simple(name, width, true, x -> {
            Tensor h = x.matmul(we);
            for (Tensor[] l : w) {
                Tensor q = h.matmul(l[0]), k = h.matmul(l[1]), v = h.matmul(l[2]);
                Tensor a = fused ? Tensor.attention(q, k, v, scale) : q.matmul(k.mT()).mul(scale).softmax(1).matmul(v);
                h = a.add(h);
            }
            return h.matmul(wo).add(x);
        });
    }

    /**
     * Stacked fused attention layers, part by part ({@link AttentionLayers}): h = x·We, per layer q, k, v = h·Wq, h·Wk,
     * h·Wv and h ← attention(q, k, v) + h, then y = h·Wo + x.
     */
    record Stack(String name, long width, double scale, Tensor we, Tensor[][] w, Tensor wo) implements AttentionLayers {
        @Override public boolean coupled() { return true; }
        @Override public Tensor[] inputs(long samples, long seed) { return new Tensor[]{Tensor.randn(seed, samples, width)}; }
        @Override public int layers() { return w.length; }
        @Override public Tensor embed(Tensor x) { return x.matmul(we); }
        @Override public Tensor[] project(int l, Tensor h) { return new Tensor[]{h.matmul(w[l][0]), h.matmul(w[l][1]), h.matmul(w[l][2])}; }
        @Override public double scale(int layer) { return scale; }
        @Override public Tensor combine(int layer, Tensor attended, Tensor h) { return attended.add(h); }
        @Override public Tensor head(Tensor h, Tensor x) { return h.matmul(wo).add(x); }
    }

    /** The forum's dense layer over the flattened batch: sigmoid(Linear(3N, 3N)(x.flatten())), x (N, 3). */
    public static Model dense(long seed) {
        return new Model() {
            @Override public String name() { return "dense"; }
            @Override public boolean coupled() { return true; }
            @Override public Tensor[] inputs(long samples, long s) {
                return new Tensor[]{Tensor.randn(s, samples, 3), Tensor.randn(seed, 3 * samples, 3 * samples).div(Math.sqrt(3 * samples))};
            }
            @Override public Tensor[] forward(Tensor... in) {
                long n = in[0].size(0);
                return new Tensor[]{in[1].matmul(in[0].reshape(3 * n, 1)).reshape(n, 3).sigmoid()};
            }
        };
    }

    /** A banded 1-D convolution across the batch (kernel 3 over neighbouring samples), then tanh. */
    public static Model conv(long seed) {
        Tensor k = Tensor.randn(seed, 3, 3, 3).div(3);
        return new Simple("conv", 3, true, x -> {
            long n = x.size(0);
            Tensor zero = Tensor.zeros(x.dtype(), 1, 3);
            Tensor prev = Tensor.concat(0, zero, x.narrow(0, 0, n - 1)), next = Tensor.concat(0, x.narrow(0, 1, n - 1), zero);
            return prev.matmul(k.select(0, 0)).add(x.matmul(k.select(0, 1))).add(next.matmul(k.select(0, 2))).tanh();
        });
    }

    /** Global-mean coupling: y = tanh(x − mean over the batch). */
    public static Model globalMean() {
        return new Simple("globalMean", 3, true, x -> x.sub(x.mean(new int[]{0}, true)).tanh());
    }

    /**
     * Batch normalisation across the batch inside an MLP: h = x·W1, z = (h − mean)/sqrt(var + 1e-5) with the batch's
     * mean and variance, y = tanh(z)·W2 + x. Samples are coupled only through the (1, 16) statistics.
     */
    public static Model batchNorm(long seed) {
        Tensor w1 = Tensor.randn(seed, 3, 16).div(Math.sqrt(3)), w2 = Tensor.randn(seed + 1, 16, 3).div(4);
        return new Simple("batchNorm", 3, true, x -> {
            Tensor h = x.matmul(w1);
            Tensor c = h.sub(h.mean(new int[]{0}, true));
            Tensor z = c.div(c.mul(c).mean(new int[]{0}, true).add(1e-5).sqrt());
            return z.tanh().matmul(w2).add(x);
        });
    }

    /**
     * PINN-style model with two inputs, two outputs and masks: {@code out1, out2 = model(x1, x2, mask1, mask2)};
     * the Jacobian is d out1 / d x1 (per sample), out2 is used afterwards.
     */
    public static Model pinn(long seed) {
        Tensor w1 = Tensor.randn(seed, 3, 32).div(Math.sqrt(3)), w2 = Tensor.randn(seed + 1, 2, 32).div(Math.sqrt(2));
        Tensor w3 = Tensor.randn(seed + 2, 32, 3).div(Math.sqrt(32)), w4 = Tensor.randn(seed + 3, 32, 1).div(Math.sqrt(32));
        return new Model() {
            @Override public String name() { return "pinn"; }
            @Override public boolean coupled() { return false; }
            @Override public Tensor[] inputs(long n, long s) {
                return new Tensor[]{Tensor.randn(s, n, 3), Tensor.randn(s + 1, n, 2), Tensor.rand(s + 2, n, 1).gt(0.2), Tensor.rand(s + 3, n, 1).gt(0.5)};
            }
            @Override public Tensor[] forward(Tensor... in) {
                Tensor h = in[0].matmul(w1).add(in[1].matmul(w2)).tanh();
                Tensor out1 = h.matmul(w3).mul(in[2]).add(in[0].mul(0.1));
                Tensor out2 = h.matmul(w4).mul(in[3]);
                return new Tensor[]{out1, out2};
            }
        };
    }

    public static List<Model> all() {
        return List.of(sin(), mlp(1), attention(7, 3, 16), attentionPlain(7, 3, 16), attentionStack(7, 3, 16, 2, true), dense(3), conv(5),
                globalMean(), batchNorm(13), pinn(11));
    }

    /** A built-in by name (sin, mlp, attention, attention2, dense, conv, globalMean, batchNorm, pinn; attentionK for K stacked layers). */
    public static Model byName(String name) {
        for (Model m : all()) if (m.name().equalsIgnoreCase(name)) return m;
        var stack = java.util.regex.Pattern.compile("attention([1-9][0-9]?)(Plain)?").matcher(name);
        if (stack.matches()) return attentionStack(7, 3, 16, Integer.parseInt(stack.group(1)), stack.group(2) == null);
        throw new IllegalArgumentException("unknown model '" + name + "' (known: sin, mlp, attention, attentionPlain, attention2 … attentionK, dense, conv, globalMean, batchNorm, pinn)");
    }
}
