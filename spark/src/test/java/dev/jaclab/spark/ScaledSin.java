package dev.jaclab.spark;

import dev.jaclab.explore.Model;
import dev.jaclab.tensor.Tensor;

/** A user model class as executors load it by name: y = a·sin(x) + mean over the batch of x (couples the samples). */
public final class ScaledSin implements Model {
    private final double a;

    public ScaledSin(String... args) { a = Double.parseDouble(args[0]); }

    @Override public String name() { return "scaledSin"; }

    @Override public Tensor[] inputs(long samples, long seed) { return new Tensor[]{Tensor.randn(seed, samples, 2)}; }

    @Override public Tensor[] forward(Tensor... in) { return new Tensor[]{in[0].sin().mul(a).add(in[0].mean(new int[]{0}, true))}; }

    @Override public boolean coupled() { return true; }
}
