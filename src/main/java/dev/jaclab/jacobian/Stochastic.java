package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Unbiased block estimator: tangents s ⊗ e_b with Rademacher sample signs s, P probes per input component; the
 * estimate of J[i][:, b] is the mean over probes of s_i·(J v)_i, with a per-entry standard error. Cross-sample terms
 * average out as 1/√P; exact when samples are independent (every term is then the block itself).
 *
 * <pre>{@code
 * Stochastic.Estimate e = Strategies.stochastic(64, 7).estimate(Jacobian.of(y, x).problem());
 * e.blocks(); e.standardError();   // both (N, m, n)
 * }</pre>
 */
public record Stochastic(int probes, long seed) implements Strategy {
    public Stochastic {
        if (probes < 2) throw new IllegalArgumentException("stochastic: needs at least 2 probes, got " + probes);
    }

    /** Estimated blocks and the standard error of each entry (both (N, m, n)). */
    public record Estimate(Tensor blocks, Tensor standardError) {}

    @Override public String name() { return "stochastic(" + probes + ")"; }

    @Override public boolean exact() { return false; }

    @Override public String refusal(Problem p) {
        long need = cost(p).peakBytes();
        return need <= p.budgetBytes() ? null : name() + " needs about " + Bytes.format(need) + "; budget " + Bytes.format(p.budgetBytes());
    }

    @Override public Cost cost(Problem p) {
        long v = (long) probes * p.inputWidth();
        return Cost.forward(1, v, v * Cost.perVectorBytes(p) + 2 * Cost.blockBytes(p), "P·n Rademacher JVPs");
    }

    @Override public Tensor run(Problem p) { return estimate(p).blocks(); }

    public Estimate estimate(Problem p) {
        int N = Math.toIntExact(p.samples()), n = Math.toIntExact(p.inputWidth());
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] signs = new double[probes * N];
        for (int i = 0; i < signs.length; i++) signs[i] = rnd.nextBoolean() ? 1 : -1;
        double[] t = new double[probes * n * N * n];
        for (int q = 0; q < probes; q++)
            for (int b = 0; b < n; b++)
                for (int i = 0; i < N; i++) t[((q * n + b) * N + i) * n + b] = signs[q * N + i];
        Tensor tangents = Tensor.fromArray(t, (long) probes * n, N, n).cast(p.x.dtype());
        Tensor out = p.toSampleMajor(Autograd.jvp(p.y, p.x, p.xTangents(tangents), true));   // (P·n, N, m)
        Tensor s = Tensor.fromArray(signs, probes, 1, N, 1).cast(p.x.dtype());
        Tensor samples = out.reshape(probes, n, N, p.outputWidth()).mul(s);                  // (P, n, N, m)
        Tensor mean = samples.mean(new int[]{0}, false);
        Tensor var = samples.sub(mean).square().sum(new int[]{0}, false).div(probes - 1);
        Tensor se = var.div(probes).sqrt();
        return new Estimate(mean.permute(1, 2, 0), se.permute(1, 2, 0));
    }
}
