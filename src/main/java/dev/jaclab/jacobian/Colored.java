package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.Tensor;

/**
 * Sparsity detection + greedy coloring + decompression. Samples of one color share a seed (forward: tangent e_b on
 * every sample of the color; reverse: cotangent e_k), so the cost is colors·min(n, m) vectors: n (or m) for
 * independent samples, (w+1)·n for banded coupling of half-width w (only diagonal blocks are wanted, so fewer than
 * the 2w+1 colors of a full-Jacobian coloring), independent of N. Dense coupling needs N
 * colors; then this strategy refuses and says so (use sparseRows or chunked).
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(y, x).perSample(Strategies.colored());
 * }</pre>
 */
public record Colored() implements Strategy {
    @Override public String name() { return "colored"; }

    @Override public String refusal(Problem p) {
        if (!p.structure().independent() && !SparsityPattern.probes(p))
            return "colored needs the coupling pattern, which is only probed for N <= " + SparsityPattern.PROBE_LIMIT + " on a computed graph";
        int colors = colors(p);
        if (!p.structure().independent() && colors * 2L > p.samples())
            return "colored falls back: dense coupling needs " + colors + " colors for N = " + p.samples()
                    + " (no compression); use sparseRows or chunked";
        long need = cost(p).peakBytes();
        return need <= p.budgetBytes() ? null : "colored needs about " + Bytes.format(need) + "; budget " + Bytes.format(p.budgetBytes());
    }

    private static int colors(Problem p) {
        if (p.structure().independent()) return 1;
        return Coloring.count(p.pattern().colors());
    }

    private static boolean forward(Problem p) { return p.inputWidth() <= p.outputWidth(); }

    @Override public Cost cost(Problem p) {
        boolean probe = !p.structure().independent();
        long colors = probe && SparsityPattern.probes(p) ? colors(p) : 1;
        long w = forward(p) ? p.inputWidth() : p.outputWidth();
        long v = colors * w;
        Cost main = forward(p) ? Cost.forward(1, v, v * Cost.perVectorBytes(p) + Cost.blockBytes(p), colors + " colors × n JVPs")
                : Cost.reverse(1, v, v * Cost.perVectorBytes(p) + Cost.blockBytes(p), colors + " colors × m VJPs");
        if (!probe) return main;
        long chunk = SparsityPattern.probeChunk(p), N = p.samples();
        return Cost.forward((N + chunk - 1) / chunk, N, chunk * Cost.perVectorBytes(p), "N probe JVPs").plus(main);
    }

    @Override public Tensor run(Problem p) {
        int N = Math.toIntExact(p.samples());
        int[] color = p.structure().independent() ? new int[N] : p.pattern().colors();
        int colors = Coloring.count(color);
        boolean fwd = forward(p);
        int w = Math.toIntExact(fwd ? p.inputWidth() : p.outputWidth());
        int v = colors * w;
        double[] seed = new double[v * N * w];
        for (int i = 0; i < N; i++)
            for (int b = 0; b < w; b++) seed[((color[i] * w + b) * N + i) * w + b] = 1;
        Tensor seeds = Tensor.fromArray(seed, v, N, w).cast(p.x.dtype());
        Tensor out = fwd ? p.toSampleMajor(Autograd.jvp(p.y, p.x, p.xTangents(seeds), true))   // (v, N, m)
                : p.toSampleMajor(Autograd.vjp(p.y, p.x, p.yCotangents(seeds), true));         // (v, N, n)
        long other = out.size(2);
        long[] idx = new long[N * w];
        for (int i = 0; i < N; i++)
            for (int b = 0; b < w; b++) idx[i * w + b] = (long) (color[i] * w + b) * N + i;
        Tensor rows = out.reshape((long) v * N, other).indexSelect(0, idx).reshape(N, w, other);   // (N, w, other)
        return fwd ? rows.permute(0, 2, 1) : rows;
    }
}
