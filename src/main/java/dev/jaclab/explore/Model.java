package dev.jaclab.explore;

import dev.jaclab.tensor.Tensor;

/**
 * A user's model as the explorer sees it: several inputs, several outputs, an input generator by N and seed, and
 * which output/input pair the per-sample Jacobian is about.
 *
 * <pre>{@code
 * Model m = Models.attention(7, 3, 16);
 * Tensor[] in = m.inputs(256, 0);
 * in[m.inputIndex()].requiresGrad();
 * Tensor[] out = m.forward(in);
 * Tensor J = Jacobian.of(out[m.outputIndex()], in[m.inputIndex()]).perSample();
 * Model mine = Model.of("mine", (n, seed) -> new Tensor[]{Tensor.randn(seed, n, 3)}, x -> new Tensor[]{x[0].sin()});
 * }</pre>
 */
public interface Model {
    String name();

    /** Inputs for a batch of N samples (deterministic in seed). */
    Tensor[] inputs(long samples, long seed);

    /** Ordinary model code: inputs to outputs. */
    Tensor[] forward(Tensor... inputs);

    /** Index of the input x the Jacobian is taken with respect to. */
    default int inputIndex() { return 0; }

    /** Index of the output y the Jacobian is about. */
    default int outputIndex() { return 0; }

    /**
     * The per-sample Jacobian of output {@link #outputIndex} with respect to input {@link #inputIndex} at these inputs,
     * as a function of x (the other inputs held), so every strategy is open to it — {@code rowBlocks} included, which
     * runs the model a block of rows at a time. Nothing is recorded until a strategy needs the whole batch.
     */
    default dev.jaclab.jacobian.Jacobian jacobian(Tensor[] inputs) {
        int at = inputIndex();
        return dev.jaclab.jacobian.Jacobian.of(x -> {
            Tensor[] in = inputs.clone();
            in[at] = x;
            return forward(in)[outputIndex()];
        }, inputs[at]);
    }

    /** Whether samples are coupled by design (documentation; detection never relies on it). */
    boolean coupled();

    /**
     * A model from a notebook, without a class: {@code Model.of("mine", (n, seed) -> inputs, in -> outputs)}; the
     * Jacobian is of output 0 with respect to input 0 unless {@link UserModel#study} says otherwise.
     */
    static UserModel of(String name, UserModel.Inputs inputs, UserModel.Forward forward) { return new UserModel(name, inputs, forward, 0, 0); }
}
