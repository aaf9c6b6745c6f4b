package dev.jaclab.nn;

import dev.jaclab.tensor.Tensor;

/**
 * A seeded initialiser: values for a parameter of {@code shape} with the layer's fan-in and fan-out. The same seed gives
 * the same values on every machine and backend.
 *
 * <pre>{@code
 * Tensor w = Init.xavierNormal().create(7, 2, 64, new long[]{64, 2});   // N(0, 2/(fan_in+fan_out)), seed 7
 * Linear l = new Linear(2, 64, 7, Init.xavierNormal(), Init.zeros());
 * }</pre>
 */
@FunctionalInterface
public interface Init {
    /** Values of {@code shape} in the default dtype. */
    Tensor create(long seed, long fanIn, long fanOut, long[] shape);

    /** U(−b, b) with b = gain·√(6/(fan_in + fan_out)) (Glorot). */
    static Init xavierUniform(double gain) {
        return (seed, in, out, shape) -> uniform(seed, gain * Math.sqrt(6.0 / (in + out)), shape);
    }

    static Init xavierUniform() { return xavierUniform(1); }

    /** N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)) (Glorot): the usual choice for tanh PINNs. */
    static Init xavierNormal(double gain) {
        return (seed, in, out, shape) -> Tensor.randn(seed, shape).mul(gain * Math.sqrt(2.0 / (in + out)));
    }

    static Init xavierNormal() { return xavierNormal(1); }

    /** U(−1/√fan_in, 1/√fan_in): PyTorch's default for {@code nn.Linear} weights and biases. */
    static Init lecunUniform() { return (seed, in, out, shape) -> uniform(seed, 1 / Math.sqrt(in), shape); }

    /** N(0, 2/fan_in) (He, for ReLU). */
    static Init kaimingNormal() { return (seed, in, out, shape) -> Tensor.randn(seed, shape).mul(Math.sqrt(2.0 / in)); }

    /** N(0, std²). */
    static Init normal(double std) { return (seed, in, out, shape) -> Tensor.randn(seed, shape).mul(std); }

    /** U(−bound, bound). */
    static Init uniform(double bound) { return (seed, in, out, shape) -> uniform(seed, bound, shape); }

    static Init zeros() { return constant(0); }

    static Init constant(double v) { return (seed, in, out, shape) -> Tensor.full(v, shape); }

    private static Tensor uniform(long seed, double bound, long[] shape) { return Tensor.rand(seed, shape).mul(2 * bound).sub(bound); }

    /** A seed for part {@code k} of something seeded with {@code seed} (well mixed, so neighbouring seeds differ). */
    static long derive(long seed, long k) {
        long z = seed * 0x9E3779B97F4A7C15L + (k + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
