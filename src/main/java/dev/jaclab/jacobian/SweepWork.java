package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.RuleWork;
import dev.jaclab.tensor.ShapeTrace;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import dev.jaclab.tensor.WorkMeter;
import java.util.Set;

/**
 * What a strategy's sweeps cost in {@link Work}, from the tape's shapes: a batched reverse (or forward) sweep of B
 * vectors is traced once ({@link ShapeTrace}: the real sweep code binds the real rules, nothing is computed), a
 * row-sparse sweep adds each node's rule work restricted to the rows one seed touches. Exact for the sweep code, so
 * predicted and counted work agree on any tape; the shapes may be those of a model traced at a large N.
 *
 * <pre>{@code
 * Work w = SweepWork.of(problem, Strategies.chunked(256).cost(problem));   // ⌈N·m/256⌉ sweeps of 256 cotangents
 * }</pre>
 */
final class SweepWork {
    private SweepWork() {}

    /** One batched reverse sweep from y to x carrying {@code vectors} cotangents. */
    static Work reverse(Problem p, long vectors) {
        if (vectors <= 0) return Work.NONE;
        try (ShapeTrace t = ShapeTrace.open(); WorkMeter m = WorkMeter.open()) {
            Tensor seeds = Tensor.zeros(p.y.dtype(), vectors, p.samples(), p.outputWidth());
            Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.yCotangents(seeds)}, new Autograd.Options(true, false));
            return m.work();
        }
    }

    /** One plain (unbatched) reverse sweep of a single cotangent shaped like y. */
    static Work reverseOne(Problem p) {
        try (ShapeTrace t = ShapeTrace.open(); WorkMeter m = WorkMeter.open()) {
            Autograd.vjp(p.y, p.x, Tensor.zeros(p.y.dtype(), p.y.shape()), false);
            return m.work();
        }
    }

    /** One batched forward sweep from x to y carrying {@code vectors} tangents. */
    static Work forward(Problem p, long vectors) {
        if (vectors <= 0) return Work.NONE;
        try (ShapeTrace t = ShapeTrace.open(); WorkMeter m = WorkMeter.open()) {
            Tensor seeds = Tensor.zeros(p.x.dtype(), vectors, p.samples(), p.inputWidth());
            Autograd.jvp(p.y, p.x, p.xTangents(seeds), true);
            return m.work();
        }
    }

    /**
     * The work of the sweeps a cost states: its reverse vectors spread evenly over its reverse sweeps (full sweeps of
     * ⌈V/S⌉ vectors and one of the rest), and likewise forward.
     */
    static Work of(Problem p, Cost c) { return sweeps(p, c.reverseSweeps(), c.reverseVectors(), true).plus(sweeps(p, c.forwardSweeps(), c.forwardVectors(), false)); }

    private static Work sweeps(Problem p, long sweeps, long vectors, boolean reverse) {
        if (sweeps <= 0 || vectors <= 0) return Work.NONE;
        long per = (vectors + sweeps - 1) / sweeps, full = vectors / per, rest = vectors - full * per;
        Work one = reverse ? reverse(p, per) : forward(p, per);
        Work w = one.times(full);
        return rest == 0 ? w : w.plus(reverse ? reverse(p, rest) : forward(p, rest));
    }

    /** One chunk of a strategy's loop: the block rows of seeds start .. start + count. */
    interface Chunk { Tensor rows(long start, long count); }

    /**
     * The work of {@code seeds} seeds run {@code chunk} at a time by the strategy's own chunk code, traced with shapes
     * only: the first chunk, the second times the other full chunks, plus the last partial one. Every chunk runs the
     * same ops on the same shapes (only which rows differ) — but the first may also compute what a run caches for all
     * its chunks (softmax row statistics, say), which is why the second is traced too. This equals the counted work;
     * throws where a kernel cannot trace.
     */
    static Work chunks(Problem p, long seeds, long chunk, Chunk body) {
        if (seeds <= 0) return Work.NONE;
        long full = seeds / chunk, rest = seeds - full * chunk;
        Work w = Work.NONE;
        try (ShapeTrace t = ShapeTrace.open()) {
            if (full > 0) w = traced(() -> body.rows(0, chunk));
            if (full > 1) w = w.plus(traced(() -> body.rows(chunk, chunk)).times(full - 1));
            if (rest > 0) w = w.plus(traced(() -> body.rows(full * chunk, rest)));
        }
        return w;
    }

    /** Joining the chunks' block rows into the (N, m, n) blocks: one concat and a reshape. */
    static Work assembly(Problem p, long seeds, long chunk) { return assembly(p, seeds, chunk, p.inputWidth()); }

    /** The same for chunks of {@code chunk} rows shaped {@code row} each (a sample's whole block, say). */
    static Work assembly(Problem p, long rows, long chunk, long... row) {
        long count = (rows + chunk - 1) / chunk;
        try (ShapeTrace t = ShapeTrace.open()) {
            Tensor[] parts = new Tensor[(int) count];
            for (int k = 0; k < count; k++) parts[k] = Tensor.zeros(p.x.dtype(), dev.jaclab.nd.Shapes.concat(new long[]{Math.min(chunk, rows - k * chunk)}, row));
            return traced(() -> Tensor.concat(0, parts).reshape(p.samples(), p.outputWidth(), p.inputWidth()));
        }
    }

    /**
     * A strategy that runs as one call (a sum trick): {@code perSample}'s run and layout of the blocks traced with shapes
     * only, so seeds, sweeps and copies are all counted; its sweeps' work where a kernel on the path cannot trace.
     */
    static Work wholeRun(Problem p, Strategy s) {
        try (ShapeTrace t = ShapeTrace.open()) {
            return traced(() -> p.toUserBlocks(s.run(p)));
        } catch (RuntimeException e) {
            return of(p, s.cost(p));
        }
    }

    private static Work traced(java.util.function.Supplier<Tensor> run) {
        try (WorkMeter m = WorkMeter.open()) {
            run.get();
            return m.work();
        }
    }

    /**
     * Row-sparse VJPs of {@code seeds} one-hot cotangents, {@code chunk} per sweep, over the path tensors in
     * {@code visited}: a node whose output cotangent is dense runs its whole rule per seed, one whose cotangent is a
     * seed's own rows runs it on those rows (1/N of it, or what the primitive states: {@code RowSparseVjp.ownRowsWork});
     * every node pays its ops once per chunk.
     */
    static Work rowSparseReverse(Problem p, Iterable<Tensor> visited, Set<Tensor> dense, long seeds, long chunk) {
        return rowSparse(p, visited, dense, seeds, chunk, true);
    }

    /** The forward twin: row-sparse JVPs of {@code seeds} one-hot tangents over {@code visited}. */
    static Work rowSparseForward(Problem p, Iterable<Tensor> visited, Set<Tensor> dense, long seeds, long chunk) {
        return rowSparse(p, visited, dense, seeds, chunk, false);
    }

    private static Work rowSparse(Problem p, Iterable<Tensor> visited, Set<Tensor> dense, long seeds, long chunk, boolean reverse) {
        if (seeds <= 0) return Work.NONE;
        long N = p.samples(), chunks = (seeds + chunk - 1) / chunk;
        Set<Tensor> onPath = dev.jaclab.tensor.IdentitySets.of();
        for (Tensor t : p.structure().path()) onPath.add(t);
        onPath.add(p.x);
        Work w = Work.NONE;
        for (Tensor t : visited) {
            if (t.node() == null || t == p.x) continue;
            boolean rows = !dense.contains(t) && t.rank() > 0 && t.size(0) % N == 0;    // k·N rows: k per sample
            Work own = reverse && rows && t.node().primitive() instanceof dev.jaclab.tensor.RowSparseVjp r ? r.ownRowsWork(t.node()) : null;
            if (own != null) {                                                // the primitive states its restricted rule
                w = w.plus(own.scaled(seeds, chunks));
                continue;
            }
            Work one = reverse ? RuleWork.vjp(t.node(), 1) : RuleWork.jvp(t.node(), 1, onPath::contains);
            w = w.plus(one.scaled(rows ? (double) seeds / N : seeds, chunks));
        }
        return w;
    }
}
