package dev.jaclab.jacobian;

import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;

/**
 * Independent samples, a block of rows at a time: the function runs on one block of rows of x, that block's
 * Jacobians come from one batched sweep over the block's own tape (m VJPs when m ≤ n, as {@link ReverseSum}, else n
 * JVPs, as {@link ForwardSum}) and are written straight into their rows of the (N, m, n) result, and the block's tape
 * is freed before the next block runs. Peak memory is one block's forward and sweep — O(rows), not O(N) — plus the
 * result, and a block's intermediates stay in cache between its forward and its sweep. Exact: samples that do not
 * interact give the same rows whether the function sees them all at once or a block at a time (the independence is
 * checked on the tape of the first block, as the sum strategies check it).
 *
 * <p>{@code rowBlocks(0)} (the default, named {@code rowBlocks}) sizes the blocks itself: the first block has
 * {@value #PROBE_ROWS} rows, and the next ones as many rows as keep the block's widest batched tensor (the widest
 * tensor of its tape times the m or n vectors its sweep carries) near {@value #TARGET_BYTES} bytes (the 3-64-64-3 MLP in f32: 16,384 rows; its
 * blocks of 4,096 to 16,384 rows measured alike at N = 2^20, 32,768 and 65,536 slower, and sin's best blocks were
 * ~260,000 rows, where per-op costs no longer show).
 *
 * <p>It needs the function ({@code Jacobian.of(f, x)}), not only a recorded y: given a function,
 * {@code Jacobian.of(f, x).perSample(rowBlocks())} never records the whole batch, and neither does {@code auto()}
 * when it picks rowBlocks. The blocks after the first run on {@code Jacobian.parallelism} threads, each writing its
 * own rows of the result; they are the same blocks on any number of threads.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(1, 1 << 20, 3);
 * Tensor J = Jacobian.of(v -> model.forward(v)[0], x).perSample(Strategies.rowBlocks());        // (N, 3, 3)
 * Tensor J2 = Jacobian.of(v -> model.forward(v)[0], x).perSample(Strategies.rowBlocks(4096));   // 4,096 rows a block
 * }</pre>
 */
public record RowBlocks(int rows) implements Strategy {
    /** Rows of the first block when the blocks are sized automatically. */
    static final int PROBE_ROWS = 1024;
    /** Bytes of a block's widest batched tensor when the blocks are sized automatically. */
    static final long TARGET_BYTES = 12L << 20;

    public RowBlocks {
        if (rows < 0) throw new IllegalArgumentException("rowBlocks: rows per block must be >= 1 (or 0: sized automatically), got " + rows);
    }

    @Override public String name() { return rows == 0 ? "rowBlocks" : "rowBlocks(" + rows + ")"; }

    @Override public boolean needsIndependentSamples() { return true; }

    @Override public String refusal(Problem p) {
        if (!p.hasClosure()) return name() + " needs the function (Jacobian.of(f, x)), not only a recorded y: it runs f on each block of rows";
        if (p.axis() != 0) return name() + " splits axis 0 only";
        return SumRefusal.check(name(), p, true);
    }

    /** One batched sweep per block: reverse with m vectors when m ≤ n, else forward with n (one of ones on a diagonal tape); the closure's forward once over N. */
    @Override public Cost cost(Problem p) {
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth();
        long rowBytes = rowBytes(p);
        long[] sizes = blockRows(N, rows, rowBytes);
        long blocks = sizes.length, b = 0;
        for (long r : sizes) b = Math.max(b, r);
        long peak = 3 * rowBytes * b + Cost.blockBytes(p);
        boolean diagonal = p.structure().diagonal();                 // one VJP of ones per block
        String formula = blocks + " block(s) of ≤ " + b + " rows: forward + " + (diagonal ? "one VJP of ones" : m <= n ? "m VJPs" : "n JVPs")
                + ", batched per block";
        Cost c = diagonal ? Cost.reverse(blocks, blocks, peak, formula)
                : m <= n ? Cost.reverse(blocks, blocks * m, peak, formula) : Cost.forward(blocks, blocks * n, peak, formula);
        return c.withWork(1 + c.work() / blocks);
    }

    /**
     * The inner sweep's whole call traced once over N (the blocks split its elements and flops by rows), its ops once
     * per block; the blocks' forwards are not counted (every strategy given a function runs one over N). A diagonal
     * tape's blocks come out of diagEmbed already laid out, so writing them into their rows is one more copy of the
     * (N, m, n) result (the sums' permuted copy is the row write itself).
     */
    @Override public dev.jaclab.tensor.Work work(Problem p) {
        dev.jaclab.tensor.Work sweep = SweepWork.wholeRun(p, p.outputWidth() <= p.inputWidth() ? Strategies.reverseSum() : Strategies.forwardSum());
        int blocks = blockRows(p.samples(), rows, rowBytes(p)).length;
        double rowCopy = p.structure().diagonal() ? (double) p.samples() * p.outputWidth() * p.inputWidth() : 0;
        return sweep.plus(new dev.jaclab.tensor.Work(0, 0, 0, 0, 0, sweep.ops() * (blocks - 1), rowCopy));
    }

    /** Bytes of the widest batched tensor per row of a block's sweep. */
    private static long rowBytes(Problem p) {
        return Math.max(1, Math.min(p.outputWidth(), p.inputWidth()) * Cost.perVectorBytes(p) / 3 / Math.max(1, p.samples()));
    }

    @Override public Tensor run(Problem p) {
        Tensor J = blocks(p.closure, p.x.detach(), p.parallelism());
        return J.reshape(p.samples(), p.outputWidth(), p.inputWidth());
    }

    /**
     * The blocks (N, y per-sample shape, x per-sample shape) of {@code f} at {@code x} (batch axis 0), computed block by
     * block without recording f on the whole batch, the blocks after the first on {@code workers} threads
     * ({@link Chunks}), each writing its own rows of the result. The first block runs on the caller's thread: it sizes
     * the others, and refuses, before any other block runs, when its tape shows that samples interact. The blocks'
     * rows do not depend on the number of threads, so neither do the results.
     */
    Tensor blocks(Function<Tensor, Tensor> f, Tensor x, int workers) {
        long N = x.size(0);
        if (N == 0) throw new IllegalArgumentException(name() + ": x " + Shapes.str(x.shape()) + " has no samples");
        Tensor in = x.detach();
        long first = rows > 0 ? Math.min(rows, N) : Math.min(PROBE_ROWS, N), size;
        NdArray out;
        long[] blockShape;
        try (Scope scope = Tensor.scope()) {
            Problem p = block(f, in, 0, first, scope);
            String r = SumRefusal.check(name(), p, true);
            if (r != null) throw new IllegalArgumentException(r);
            blockShape = p.blockShape();
            out = NdArray.uninitialized(p.y.dtype(), N, p.outputWidth(), p.inputWidth());   // every row is written by its block
            scope.keep(Tensor.wrap(out));                            // the result outlives every block's scope
            size = rows > 0 ? rows : autoRows(Math.min(p.outputWidth(), p.inputWidth()) * Cost.perVectorBytes(p) / 3 / first);
            write(out, 0, p);
        }
        long rest = N - first, count = (rest + size - 1) / size, step = size;
        if (count > 0) {
            Tensor result = Tensor.wrap(out);
            Chunks.map(name(), (int) count, workers, k -> {
                long start = first + k * step;
                try (Scope scope = Tensor.scope()) {
                    write(out, start, block(f, in, start, Math.min(step, N - start), scope));
                }
                return result;                                       // each block wrote its own rows of the shared result
            });
        }
        return Tensor.wrap(out).reshape(Shapes.concat(new long[]{N}, blockShape));
    }

    /** The problem of rows [start, start + count): f recorded on them alone, its values that no rule reads released. */
    private Problem block(Function<Tensor, Tensor> f, Tensor in, long start, long count, Scope scope) {
        Tensor xb = in.narrow(0, start, count).requiresGrad();
        Tensor yb = f.apply(xb);
        if (!yb.isRequiresGrad() || yb.rank() == 0 || yb.size(0) != count)
            throw new IllegalArgumentException(name() + ": f maps x rows " + Shapes.str(xb.shape()) + " to y " + Shapes.str(yb.shape())
                    + ", not one output row per sample recorded from x");
        scope.release(yb);                                           // the block's forward values that no rule reads
        return Jacobian.of(yb, xb).parallelism(1).problem();
    }

    /**
     * One batched sweep over the block's tape, its (B, m, n) blocks written as rows start.. of {@code out}; a diagonal
     * tape takes reverseSum's one sweep of ones ({@link SumSeeds}), as its predicted work says.
     */
    private static void write(NdArray out, long start, Problem p) {
        if (p.structure().diagonal()) InPlace.assignRows(out, start, SumSeeds.diagonalByVjp(p).data());
        else if (p.outputWidth() <= p.inputWidth()) InPlace.assignRows(out, start, ReverseSum.sampleMajor(p).data(), new int[]{1, 0, 2});   // (m, B, n) → rows
        else InPlace.assignRows(out, start, ForwardSum.sampleMajor(p).data(), new int[]{1, 2, 0});                                     // (n, B, m) → rows
    }

    /**
     * The rows of each block for N samples: {@code rows} each, or when {@code rows} is 0 a first block of
     * {@link #PROBE_ROWS} and then blocks whose widest batched tensor, at {@code rowBytes} per row, is near
     * {@link #TARGET_BYTES}.
     */
    static long[] blockRows(long N, int rows, long rowBytes) {
        long first = rows > 0 ? rows : Math.min(PROBE_ROWS, N), next = rows > 0 ? rows : autoRows(rowBytes);
        long rest = Math.max(0, N - first), count = 1 + (rest + next - 1) / next;
        long[] out = new long[(int) count];
        out[0] = Math.min(first, N);
        for (int i = 1; i < count; i++) out[i] = Math.min(next, N - first - (i - 1) * next);
        return out;
    }

    /** Rows of an automatically sized block (after the first) at {@code rowBytes} of widest batched tensor per row. */
    private static long autoRows(long rowBytes) { return Math.max(PROBE_ROWS, TARGET_BYTES / Math.max(1, rowBytes)); }
}
