package dev.jaclab.jacobian;

import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;

/**
 * Independent samples, {@code rows} samples at a time: the function runs on one block of rows of x, that block's
 * Jacobians come from one batched sweep over the block's own tape (m VJPs when m ≤ n, as {@link ReverseSum}, else n
 * JVPs, as {@link ForwardSum}) and are written straight into their rows of the (N, m, n) result, and the block's tape
 * is freed before the next block runs. Peak memory is one block's forward and sweep — O(rows), not O(N) — plus the
 * result, and a block's intermediates stay in cache between its forward and its sweep. Exact: samples that do not
 * interact give the same rows whether the function sees them all at once or a block at a time (the independence is
 * checked on the tape of the first block, as the sum strategies check it).
 *
 * <p>It needs the function ({@code Jacobian.of(f, x)}), not only a recorded y: given a function,
 * {@code Jacobian.of(f, x).perSample(rowBlocks(B))} never records the whole batch.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(1, 1 << 20, 3);
 * Tensor J = Jacobian.of(v -> model.forward(v)[0], x).perSample(Strategies.rowBlocks(16384));   // (N, 3, 3)
 * }</pre>
 */
public record RowBlocks(int rows) implements Strategy {
    public RowBlocks {
        if (rows < 1) throw new IllegalArgumentException("rowBlocks: rows per block must be >= 1, got " + rows);
    }

    @Override public String name() { return "rowBlocks(" + rows + ")"; }

    @Override public boolean needsIndependentSamples() { return true; }

    @Override public String refusal(Problem p) {
        if (!p.hasClosure()) return name() + " needs the function (Jacobian.of(f, x)), not only a recorded y: it runs f on each block of rows";
        if (p.axis() != 0) return name() + " splits axis 0 only";
        return SumRefusal.check(name(), p, true);
    }

    /** One batched sweep per block: reverse with m vectors when m ≤ n, else forward with n; the closure's forward once over N. */
    @Override public Cost cost(Problem p) {
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth(), blocks = Math.max(1, (N + rows - 1) / rows), b = Math.min(rows, N);
        long w = Math.min(m, n), peak = w * Cost.perVectorBytes(p) / Math.max(1, N) * b + Cost.blockBytes(p);
        String formula = "⌈N/" + rows + "⌉ blocks: forward + " + (m <= n ? "m VJPs" : "n JVPs") + ", batched per block";
        Cost c = m <= n ? Cost.reverse(blocks, blocks * m, peak, formula) : Cost.forward(blocks, blocks * n, peak, formula);
        return c.withWork(1 + c.work() / blocks);
    }

    /** The inner sweep's whole call traced once over N (the blocks split it by rows), plus nothing for the layout. */
    @Override public dev.jaclab.tensor.Work work(Problem p) {
        return SweepWork.wholeRun(p, p.outputWidth() <= p.inputWidth() ? Strategies.reverseSum() : Strategies.forwardSum());
    }

    @Override public Tensor run(Problem p) {
        Tensor J = blocks(p.closure, p.x.detach());
        return J.reshape(p.samples(), p.outputWidth(), p.inputWidth());
    }

    /**
     * The blocks (N, y per-sample shape, x per-sample shape) of {@code f} at {@code x} (batch axis 0), computed block by
     * block without recording f on the whole batch. Refuses, before the second block, when the first block's tape shows
     * that samples interact.
     */
    Tensor blocks(Function<Tensor, Tensor> f, Tensor x) {
        long N = x.size(0);
        if (N == 0) throw new IllegalArgumentException(name() + ": x " + Shapes.str(x.shape()) + " has no samples");
        Tensor in = x.detach();
        NdArray out = null;
        long[] blockShape = null;
        for (long start = 0; start < N; start += rows) {
            long count = Math.min(rows, N - start);
            try (Scope scope = Tensor.scope()) {
                Tensor xb = in.narrow(0, start, count).requiresGrad();
                Tensor yb = f.apply(xb);
                if (!yb.isRequiresGrad() || yb.rank() == 0 || yb.size(0) != count)
                    throw new IllegalArgumentException(name() + ": f maps x rows " + Shapes.str(xb.shape()) + " to y " + Shapes.str(yb.shape())
                            + ", not one output row per sample recorded from x");
                scope.release(yb);                                   // the block's forward values that no rule reads
                Problem p = Jacobian.of(yb, xb).parallelism(1).problem();
                if (out == null) {
                    String r = SumRefusal.check(name(), p, true);
                    if (r != null) throw new IllegalArgumentException(r);
                    blockShape = p.blockShape();
                    out = NdArray.zeros(yb.dtype(), N, p.outputWidth(), p.inputWidth());
                    scope.keep(Tensor.wrap(out));                    // the result outlives every block's scope
                }
                Strategy inner = p.outputWidth() <= p.inputWidth() ? new ReverseSum(false) : new ForwardSum(false);
                InPlace.assignRows(out, start, inner.run(p).data());
            }
        }
        return Tensor.wrap(out).reshape(Shapes.concat(new long[]{N}, blockShape));
    }
}
