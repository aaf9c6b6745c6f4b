package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.tensor.Backprop;
import dev.jaclab.tensor.ForwardSweep;
import dev.jaclab.tensor.GradMode;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact per-sample Hessian blocks H_i = ∂²u_i/∂x_i² when samples are coupled (attention across the batch), where the
 * sum over the batch would add the cross terms ∂²u_i/∂x_i∂x_j. Forward-over-reverse with one seed per sample output:
 * the N·m one-hot cotangents go C at a time (one batch level) through a recorded reverse sweep, giving each seed's
 * gradient row ∂u_ik/∂x; a forward sweep of that recorded VJP with tangents on the seed's own sample only (a second
 * batch level of n directions, aligned with the first, so seed r pairs with its own tangents) differentiates it again;
 * each seed keeps its own sample's n×n block. Everything is recorded when asked, so the blocks train the parameters.
 *
 * <p>Cost: ⌈N·m / C⌉ chunks, each one reverse sweep of C vectors and one forward sweep of C·n vectors over the whole
 * graph — N·m reverse and N·m·n forward vectors in all, against 1 and n for the sum trick (wrong here): O(N²) work.
 * With createGraph the recorded sweeps stay alive until the loss's backward, O(N·m·graph) memory. The row-sparse sweeps
 * that make first derivatives of coupled samples cheap ({@code sparseRows}, {@code meetInMiddle}) run off the tape
 * and have no second-order form yet, so this is the exact fallback.
 */
final class CoupledHessian {
    private CoupledHessian() {}

    /** Blocks (N·m, n, n), sample-major, row r = i·m + k. */
    static Tensor blocks(Problem p, int chunk, boolean createGraph) {
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth(), seeds = N * m;
        List<Tensor> parts = new ArrayList<>();
        for (long start = 0; start < seeds; start += chunk) {
            long c = Math.min(chunk, seeds - start);
            parts.add(chunkBlocks(p, start, c, createGraph));
        }
        return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
    }

    /** Human-readable cost, as {@link Cost} states it for strategies. */
    static String cost(Problem p, int chunk) {
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth(), v = N * m;
        return "exact per-sample second derivatives of coupled samples: " + ((v + chunk - 1) / chunk) + " chunks of " + Math.min(chunk, v)
                + " seeds, " + v + " reverse and " + v * n + " forward vectors over the whole graph (the sum trick: 1 and " + n + ", but wrong here)";
    }

    private static Tensor chunkBlocks(Problem p, long start, long c, boolean createGraph) {
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth();
        int seedLevel = Tensor.newLevel();
        Tensor cot = p.yCotangents(OneHot.rows(start, c, N, m, p.y.dtype())).toBatch(seedLevel);
        Passes.countReverse(c);
        Tensor g = Backprop.vjp(new Tensor[]{p.y}, new Tensor[]{cot}, new Tensor[]{p.x}, true).get(p.x);   // level: seeds
        if (g == null) return Tensor.zeros(p.x.dtype(), c, n, n);
        double[] t = new double[Math.toIntExact(c * n * N * n)];                    // (c, n, N, n): e_a on the seed's sample
        double[] own = new double[Math.toIntExact(c * N)];                           // (c, N): the seed's sample
        for (int r = 0; r < c; r++) {
            long i = (start + r) / m;
            own[(int) (r * N + i)] = 1;
            for (int a = 0; a < n; a++) t[(int) (((r * n + a) * N + i) * n + a)] = 1;
        }
        Tensor tangents = p.xTangents(Tensor.fromArray(t, c * n, N, n).cast(p.x.dtype()))   // (c·n, x shape)
                .reshape(dev.jaclab.nd.Shapes.concat(new long[]{c, n}, p.x.shape()))
                .toBatch(seedLevel);
        int directionLevel = Tensor.newLevel();
        tangents = tangents.toBatch(directionLevel);
        Passes.countForward(c * n);
        Tensor dg;
        try (var mode = GradMode.set(createGraph)) {
            dg = ForwardSweep.jvp(new Tensor[]{g}, new Tensor[]{p.x}, new Tensor[]{tangents}, createGraph)[0];
            if (dg == null) return Tensor.zeros(p.x.dtype(), c, n, n);
            Tensor cols = p.toSampleMajor(dg.toLogical(directionLevel, n).toLogical(seedLevel, c).reshape(
                    dev.jaclab.nd.Shapes.concat(new long[]{c * n}, p.x.shape()))).reshape(c, n, N, n);   // [r, a, j, b]
            Tensor mask = Tensor.fromArray(own, c, 1, N, 1).cast(p.x.dtype());
            return cols.mul(mask).sum(new int[]{2}, false).transpose(1, 2);                     // [r, b, a]
        }
    }
}
