package dev.jaclab.nn;

import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Modules applied one after another; they are named "0", "1", ... (PyTorch's {@code nn.Sequential} names, so
 * {@code state_dict} keys match). {@link #mlp} builds the usual fully connected network.
 *
 * <pre>{@code
 * Sequential net = Sequential.mlp(0, Activation.tanh(), 2, 64, 64, 1);   // 2-64-64-1, tanh, seed 0
 * Tensor u = net.forward(Tensor.rand(1, 1024, 2));                        // (1024, 1)
 * }</pre>
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) { for (Module m : modules) add(m); }

    /** Appends a module (named by its position). */
    public Sequential add(Module m) {
        register(Integer.toString(layers.size()), m);
        layers.add(m);
        return this;
    }

    public List<Module> layers() { return Collections.unmodifiableList(layers); }

    public Module get(int i) { return layers.get(i); }

    public int size() { return layers.size(); }

    @Override public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.forward(x);
        return x;
    }

    /**
     * Linear layers of the given widths with {@code activation} between them (none after the last), PyTorch's default
     * initialisation, layer i seeded from (seed, i).
     */
    public static Sequential mlp(long seed, Activation activation, long... widths) {
        return mlp(seed, activation, Init.lecunUniform(), Init.lecunUniform(), widths);
    }

    /** As above with chosen initialisers (e.g. {@code Init.xavierNormal(), Init.zeros()} for PINNs). */
    public static Sequential mlp(long seed, Activation activation, Init weightInit, Init biasInit, long... widths) {
        if (widths.length < 2) throw new IllegalArgumentException("mlp: needs at least an input and an output width, got " + widths.length);
        Sequential s = new Sequential();
        for (int i = 0; i + 1 < widths.length; i++) {
            s.add(new Linear(widths[i], widths[i + 1], Init.derive(seed, i), weightInit, biasInit));
            if (i + 2 < widths.length) s.add(activation);           // stateless: one instance serves every position
        }
        return s;
    }
}
