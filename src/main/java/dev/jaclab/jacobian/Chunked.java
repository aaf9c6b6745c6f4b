package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.nd.Arena;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact answer streamed: the N·m one-hot cotangents go C at a time through batched VJPs and only each seed's
 * own row is kept. Memory O(C·N·n), time N·m/C batched VJPs — the PyTorch-equivalent exact algorithm.
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(y, x).perSample(Strategies.chunked(256));
 * }</pre>
 */
public record Chunked(int chunk) implements Strategy {
    public Chunked {
        if (chunk < 1) throw new IllegalArgumentException("chunked: chunk size must be >= 1, got " + chunk);
    }

    @Override public String name() { return "chunked(" + chunk + ")"; }

    /** The largest chunk ≤ {@code maxChunk} whose predicted peak fits the problem's budget (at least 1). */
    public static Chunked fitting(Problem p, int maxChunk) { return Strategies.fitting(p, maxChunk, Chunked::new); }

    @Override public String refusal(Problem p) {
        long need = cost(p).peakBytes();
        return need <= p.budgetBytes() ? null
                : name() + " needs about " + Bytes.format(need) + " for " + chunk + " cotangents at once; budget " + Bytes.format(p.budgetBytes());
    }

    @Override public String createGraphRefusal(Problem p) { return null; }

    @Override public Cost cost(Problem p) {
        long v = p.samples() * p.outputWidth(), c = Math.min(chunk, v);
        return Cost.reverse((v + c - 1) / c, v, c * Cost.perVectorBytes(p) + Cost.blockBytes(p), "N·m VJPs, " + c + " per batch");
    }

    /** Its batched VJPs plus building each chunk's one-hot seeds. */
    @Override public dev.jaclab.tensor.Work work(Problem p) {
        long v = p.samples() * p.outputWidth(), c = Math.min(chunk, v), full = v / c, rest = v - full * c;
        dev.jaclab.tensor.Work seeds = OneHot.rowsWork(c, p.samples(), p.outputWidth()).times(full)
                .plus(rest == 0 ? dev.jaclab.tensor.Work.NONE : OneHot.rowsWork(rest, p.samples(), p.outputWidth()));
        return SweepWork.of(p, cost(p)).plus(seeds);
    }

    @Override public Tensor run(Problem p) {
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth();
        return rows(p, N * m).reshape(N, m, n);
    }

    /**
     * The block rows of the first {@code count} one-hot seeds (r = i·m + k), shape (count, n). Benchmarks time a
     * prefix and scale it when the whole run would take hours (each chunk costs the same).
     */
    public Tensor rows(Problem p, long count) {
        long m = p.outputWidth(), N = p.samples(), total = Math.min(count, N * m), chunks = (total + chunk - 1) / chunk;
        List<Tensor> rows = new ArrayList<>();
        try (Progress task = Progress.start(name(), chunks, "chunks");
             Arena results = p.createGraph() ? null : Arena.open()) {                  // frees the chunks' rows once joined, or on interrupt
            for (long s = 0; s < total; s += chunk) {
                Progress.checkInterrupted(name() + " after " + task.done() + " of " + chunks + " chunks");
                long c = Math.min(chunk, total - s);
                if (p.createGraph()) rows.add(chunkRows(p, s, c));                          // on the tape: nothing may be freed
                else {
                    try (Arena arena = Arena.open()) {                                      // frees the chunk's temporaries
                        Tensor own = chunkRows(p, s, c);
                        arena.keep(own.data());
                        rows.add(own);
                    }
                }
                task.step();
            }
            Tensor all = Tensor.concat(0, rows.toArray(new Tensor[0]));
            if (results != null) results.keep(all.data());
            return all;
        }
    }

    /** Own rows (c, n) of the one-hot seeds start .. start+c−1, from one batched VJP. */
    private static Tensor chunkRows(Problem p, long start, long c) {
        Tensor seeds = OneHot.rows(start, c, p.samples(), p.outputWidth(), p.y.dtype());
        Tensor g = p.toSampleMajor(Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{p.yCotangents(seeds)},
                new Autograd.Options(true, p.createGraph()))[0]);                              // (c, N, n)
        return OneHot.ownRows(g, start, p.outputWidth());
    }
}
