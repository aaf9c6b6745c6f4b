package dev.jaclab.nn;

import dev.jaclab.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * An elementwise activation as a module without parameters (so it can sit in a {@link Sequential}). Built from
 * Tensor operations, hence differentiable to any order (tanh, sin, softplus, silu and gelu are smooth enough for PINNs;
 * relu's second derivative is zero).
 *
 * <pre>{@code
 * Sequential net = new Sequential(new Linear(2, 32, 0), Activation.tanh(), new Linear(32, 1, 1));
 * Activation.of("swish", x -> x.mul(x.sigmoid()));
 * }</pre>
 */
public final class Activation extends Module {
    private final String name;
    private final UnaryOperator<Tensor> f;

    private Activation(String name, UnaryOperator<Tensor> f) {
        this.name = name;
        this.f = f;
    }

    /** A named activation from any Tensor function. */
    public static Activation of(String name, UnaryOperator<Tensor> f) { return new Activation(name, f); }

    public static Activation tanh() { return of("tanh", Tensor::tanh); }

    public static Activation sin() { return of("sin", Tensor::sin); }

    public static Activation relu() { return of("relu", Tensor::relu); }

    public static Activation sigmoid() { return of("sigmoid", Tensor::sigmoid); }

    public static Activation softplus() { return of("softplus", Tensor::softplus); }

    /** x·sigmoid(x) (swish). */
    public static Activation silu() { return of("silu", x -> x.mul(x.sigmoid())); }

    /** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    public static Activation gelu() {
        double c = Math.sqrt(2 / Math.PI);
        return of("gelu", x -> x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(c).tanh().add(1.0)));
    }

    /** By name: tanh, sin, relu, sigmoid, softplus, silu, gelu. */
    public static Activation named(String name) {
        switch (name) {
            case "tanh": return tanh();
            case "sin": return sin();
            case "relu": return relu();
            case "sigmoid": return sigmoid();
            case "softplus": return softplus();
            case "silu": return silu();
            case "gelu": return gelu();
            default: throw new IllegalArgumentException("Activation: unknown activation '" + name + "' (tanh, sin, relu, sigmoid, softplus, silu, gelu)");
        }
    }

    public String name() { return name; }

    @Override public Tensor forward(Tensor x) { return f.apply(x); }

    @Override protected String settings() { return name; }
}
