package dev.jaclab.explore;

import dev.jaclab.tensor.Tensor;

/**
 * A model written in a notebook, without a class: a name, inputs by N and seed, and ordinary code from inputs to
 * outputs, with several inputs and outputs and the output/input pair the per-sample Jacobian is about
 * ({@link #study}). Made by {@link Model#of}.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(1, 3, 8);
 * Model m = Model.of("context", (n, seed) -> new Tensor[]{Tensor.randn(seed, n, 3)},
 *         in -> { Tensor h = in[0].matmul(w).tanh(); return new Tensor[]{h.sub(h.mean(new int[]{0}, true))}; });
 * Explorer.of(m).sizes(64, 256).target(1_000_000).run();
 * }</pre>
 */
public record UserModel(String name, Inputs inputs, Forward forward, int inputIndex, int outputIndex) implements Model {
    /** Inputs for a batch of N samples, deterministic in the seed. */
    @FunctionalInterface
    public interface Inputs { Tensor[] make(long samples, long seed); }

    /** The model's code: inputs to outputs. */
    @FunctionalInterface
    public interface Forward { Tensor[] apply(Tensor[] inputs); }

    public UserModel {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("Model.of: give the model a name");
        if (inputs == null || forward == null) throw new IllegalArgumentException("Model.of(" + name + "): inputs and forward are both needed");
        if (inputIndex < 0 || outputIndex < 0) throw new IllegalArgumentException("Model.of(" + name + "): indices must be >= 0");
    }

    /** The same model with the Jacobian taken of output {@code output} with respect to input {@code input}. */
    public UserModel study(int output, int input) { return new UserModel(name, inputs, forward, input, output); }

    @Override public Tensor[] inputs(long samples, long seed) {
        Tensor[] in = inputs.make(samples, seed);
        if (in == null || in.length <= inputIndex)
            throw new IllegalArgumentException(name + ": the inputs function gave " + (in == null ? "null" : in.length + " input(s)")
                    + ", but input " + inputIndex + " is studied");
        return in;
    }

    @Override public Tensor[] forward(Tensor... in) {
        Tensor[] out = forward.apply(in);
        if (out == null || out.length <= outputIndex)
            throw new IllegalArgumentException(name + ": the forward gave " + (out == null ? "null" : out.length + " output(s)")
                    + ", but output " + outputIndex + " is studied");
        return out;
    }

    /** Unknown by design: the explorer detects coupling from the tape. */
    @Override public boolean coupled() { return false; }
}
