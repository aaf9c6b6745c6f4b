package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.tensor.Backprop;
import dev.jaclab.tensor.Node;
import dev.jaclab.tensor.RowSparseSweep;
import dev.jaclab.tensor.RowSparseVjp;
import dev.jaclab.tensor.IdentitySets;
import dev.jaclab.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact per-sample blocks for coupled samples at near-forward cost: the N·m one-hot cotangents go C at a time through
 * a reverse sweep with <em>row-sparse</em> cotangents ({@link RowSparseSweep}): a one-hot seed stays one row through
 * per-sample ops, densifies only at ops that mix samples, and is cut back to its own row below them. Each VJP costs
 * its cone instead of a whole backward pass: for one attention layer across the batch about m forward passes' worth
 * of work instead of N·m backward passes. Memory O(C·N·width).
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(y, x).perSample(Strategies.sparseRows(256));   // exact, coupled samples
 * }</pre>
 */
public record SparseRows(int chunk) implements Strategy {
    public SparseRows {
        if (chunk < 1) throw new IllegalArgumentException("sparseRows: chunk size must be >= 1, got " + chunk);
    }

    @Override public String name() { return "sparseRows(" + chunk + ")"; }

    /** The largest chunk ≤ {@code maxChunk} whose predicted peak fits the problem's budget (at least 1). */
    public static SparseRows fitting(Problem p, int maxChunk) { return Strategies.fitting(p, maxChunk, SparseRows::new); }

    /**
     * With no dense cotangent anywhere (coupling only through a small shared context such as a batch mean) each seed
     * costs O(width), so the per-op overhead of a chunk dominates: chunks as large as an equal share of the seeds per
     * worker (at most 65,536) run at about a sum trick's cost. Otherwise the problem's chunk size.
     */
    @Override public int usefulChunk(Problem p) {
        if (!contextOnly(p)) return p.chunk;
        long seeds = p.samples() * p.outputWidth(), share = (seeds + p.parallelism() - 1) / p.parallelism();
        return (int) Math.max(p.chunk, Math.min(share, 1 << 16));
    }

    /**
     * Whether every dense cotangent is a small shared context (a tensor without the sample axis, such as a batch
     * mean) or reaches a row-local tensor only through an op that returns its own rows ({@link RowSparseVjp}, e.g. the
     * sum over samples): then each seed's cotangents are O(width) everywhere.
     */
    static boolean contextOnly(Problem p) {
        long n = p.samples();
        Structure s = p.structure();
        Set<Tensor> dense = denseTensors(p);
        for (Tensor t : dense) if (t.rank() > 0 && t.size(0) == n && !s.isRowLocal(t)) return false;
        for (Tensor t : s.path()) {
            Node node = t.node();
            if (node == null || !dense.contains(t)) continue;
            for (Tensor in : node.inputs())
                if (dense.contains(in) && in.rank() > 0 && in.size(0) == n && !(node.primitive() instanceof RowSparseVjp)) return false;
        }
        return true;
    }

    @Override public String refusal(Problem p) {
        if (p.axis() != 0) return "sparseRows works on batch axis 0";
        String released = p.releasedRefusal(name());
        if (released != null) return released;
        long need = cost(p).peakBytes();
        return need <= p.budgetBytes() ? null : name() + " needs about " + Bytes.format(need) + "; budget " + Bytes.format(p.budgetBytes());
    }

    /**
     * Which path tensors receive dense cotangents (the rest get row-sparse ones), decided from the tape alone. A
     * row-local tensor may receive a dense cotangent (from a mixing op) and is then cut back to its rows.
     */
    static Set<Tensor> denseTensors(Problem p) {
        Structure s = p.structure();
        Set<Tensor> onPath = IdentitySets.of();
        onPath.addAll(s.path());
        onPath.add(p.x);
        Map<Tensor, Boolean> sparse = new IdentityHashMap<>();
        sparse.put(p.y, true);
        List<Tensor> order = Backprop.topologicalOrder(p.y);
        Set<Tensor> dense = IdentitySets.of();
        for (int k = order.size() - 1; k >= 0; k--) {
            Tensor t = order.get(k);
            Boolean sp = sparse.get(t);
            if (sp == null) continue;
            if (!sp) dense.add(t);
            if (!sp && s.isRowLocal(t)) sp = true;
            Node n = t.node();
            if (n == null || t == p.x) continue;
            for (int i = 0; i < n.inputs().length; i++) {
                Tensor in = n.inputs()[i];
                if (!onPath.contains(in)) continue;
                Tensor source = n.primitive() instanceof RowSparseVjp && sp ? RowSparseSweep.transposedRowLocal(in, s::isRowLocal) : null;
                if (source != null) {                                     // own column of a transpose: goes to its source
                    sparse.merge(source, true, (a, b) -> a && b);
                    continue;
                }
                boolean inSparse = sp && (RowSparseSweep.keepsRowsSparse(n, i)
                        || (n.primitive() instanceof RowSparseVjp && (s.isRowLocal(in) || RowSparseSweep.splitOfRowLocal(in, s::isRowLocal) > 1)));
                sparse.merge(in, inSparse, (a, b) -> a && b);
            }
        }
        return dense;
    }


    /**
     * Why the blocks cannot be recorded: the sweep carries its cotangents as row sets and factored row terms through
     * restricted VJP kernels that run on plain matrices outside the tape, so there is nothing for a later backward to
     * differentiate; recording each seed's ordinary VJP instead is exactly {@code chunked(C)}.
     */
    @Override public String createGraphRefusal(Problem p) {
        return name() + ": createGraph is not supported: its row-sparse VJPs carry one-hot cotangents as row sets and factored row "
                + "terms through restricted kernels on plain matrices (matmul's own rows, fused attention's row tangents), off the tape, "
                + "and recording them would need the derivatives of those kernels with respect to the parameters. chunked(" + chunk
                + ") records the same blocks exactly (⌈N·m/" + chunk + "⌉ batched VJPs over the whole batch); Hessian.of(u, x) gives exact "
                + "differentiable second derivatives for coupled samples";
    }

    @Override public Cost cost(Problem p) {
        long N = p.samples(), v = N * p.outputWidth(), c = Math.min(chunk, v);
        Structure s = p.structure();
        Set<Tensor> dense = denseTensors(p);
        double perSeed = 0, forward = 0;
        long maxDense = 0, rowTemps = 0;
        for (Tensor t : s.path()) {
            forward += t.numel();
            if (t.node() != null) rowTemps = Math.max(rowTemps, (t.node().primitive() instanceof RowSparseVjp rs ? rs.ownRowsTemporaries(t.node()) : 0) * t.dtype().bytes());
            boolean d = dense.contains(t);
            double rowElems = t.rank() > 0 && t.size(0) == N ? (double) t.numel() / N : t.numel();
            perSeed += d ? t.numel() : rowElems;
            if (d) maxDense = Math.max(maxDense, t.numel() * t.dtype().bytes());
        }
        double work = forward == 0 ? 0 : 2.0 * v * perSeed / forward;
        // while the chunks run: one chunk's buffers beside the rows done; at the end the chunks' rows and their concatenation
        long peak = Math.max(c * (2 * maxDense + rowTemps + (p.x.numel() + p.y.numel()) / N * p.bytesPerElement()) + Cost.blockBytes(p),
                2 * Cost.blockBytes(p));
        return Cost.reverse((v + c - 1) / c, v, peak, "N·m row-sparse VJPs, " + c + " per batch (" + dense.size() + " dense tensors)").withWork(work);
    }

    /**
     * N·m row-sparse VJPs, {@code chunk} per sweep, over the path from y to x: one chunk's sweep traced with shapes only
     * (the sweep's own code and kernels, so every op it runs is counted) times the chunks, plus assembling the blocks;
     * where a kernel on the path cannot trace, each node's rule restricted to a seed's rows.
     */
    @Override public dev.jaclab.tensor.Work work(Problem p) {
        long v = p.samples() * p.outputWidth();
        try {
            return SweepWork.chunks(p, v, Math.min(chunk, v), (start, count) -> chunkRows(p, start, count, onPath(p)))
                    .plus(SweepWork.assembly(p, v, Math.min(chunk, v)));
        } catch (RuntimeException e) {
            return SweepWork.rowSparseReverse(p, p.structure().path(), denseTensors(p), v, Math.min(chunk, v));
        }
    }

    private static Set<Tensor> onPath(Problem p) {
        Set<Tensor> onPath = IdentitySets.of();
        onPath.addAll(p.structure().path());
        onPath.add(p.x);
        return onPath;
    }

    @Override public Tensor run(Problem p) { return runRows(p, 0, p.samples()); }

    /** The blocks of samples from ≤ i < to, (to − from, m, n): one slice of the work (a Spark partition, say). */
    @Override public Tensor runRows(Problem p, long from, long to) {
        RowRange.check(p, from, to);
        long m = p.outputWidth(), first = from * m, total = (to - from) * m;
        Set<Tensor> onPath = onPath(p);
        int count = (int) ((total + chunk - 1) / chunk);                         // kernels reuse their buffers across a worker's chunks
        List<Tensor> rows = Chunks.map(name(), count, p.parallelism(), k -> chunkRows(p, first + (long) k * chunk, Math.min(chunk, total - (long) k * chunk), onPath));
        return Tensor.concat(0, rows.toArray(new Tensor[0])).reshape(to - from, m, p.inputWidth());
    }

    /** The block rows of seeds start .. start+chunk (seed r at sample r / m, output r mod m), shape (c, n). */
    Tensor chunkRows(Problem p, long start, long count, Set<Tensor> onPath) {
        long m = p.outputWidth();
        int c = (int) count;
        long[] sampleRows = new long[c];
        double[] seed = new double[(int) (c * m)];
        for (int j = 0; j < c; j++) {
            long r = start + j;
            sampleRows[j] = r / m;
            seed[(int) (j * m + r % m)] = 1;
        }
        long[] yRest = dev.jaclab.nd.Shapes.suffix(p.y.shape(), 1);
        Tensor seeds = Tensor.fromArray(seed, dev.jaclab.nd.Shapes.concat(new long[]{c}, yRest)).cast(p.y.dtype());
        Passes.countReverse(c);
        Structure s = p.structure();
        return RowSparseSweep.run(p.y, p.x, sampleRows, seeds, s::isRowLocal, onPath::contains).reshape(c, -1);   // (c, x row size)
    }
}
