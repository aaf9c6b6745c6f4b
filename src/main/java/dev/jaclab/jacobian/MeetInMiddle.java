package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Passes;
import dev.jaclab.tensor.Backprop;
import dev.jaclab.tensor.MixedModeSweep;
import dev.jaclab.tensor.Node;
import dev.jaclab.tensor.RowSparseJvp;
import dev.jaclab.tensor.RowSparseVjp;
import dev.jaclab.tensor.RowTerm;
import dev.jaclab.tensor.NodeCache;
import dev.jaclab.tensor.IdentitySets;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact per-sample blocks through STACKED mixing layers (transformer-like models) in mixed mode: one-hot tangents go
 * up from x and one-hot cotangents come down from y, both row-sparse where they can be, and meet at a cut placed
 * halfway up the stack of mixing ops ({@link MixedModeSweep}). Through two attention layers the tangents cross the
 * first layer (one softmax column per seed) and the cotangents the last (one softmax row per seed): O(N·d) per seed
 * per layer, where a pure reverse sweep ({@link SparseRows}) carries a dense (N, d) cotangent back through the first
 * layer at O(N²·d) per seed. With at most one mixing layer it is {@link SparseRows} itself.
 *
 * <p>{@code chunk} counts seeds as {@link SparseRows} does: each chunk takes chunk / max(m, n) samples (at least one),
 * whose m cotangents and n tangents run as one batch each.
 *
 * <pre>{@code
 * Model m = Models.attentionStack(7, 3, 16, 2, true);          // two attention layers across the batch
 * Tensor[] in = m.inputs(1024, 0); in[0].requiresGrad();
 * Tensor y = m.forward(in)[0];
 * Tensor J = Jacobian.of(y, in[0]).perSample(Strategies.meetInMiddle(256));   // (1024, 3, 3), exact
 * }</pre>
 */
public record MeetInMiddle(int chunk) implements Strategy {
    public MeetInMiddle {
        if (chunk < 1) throw new IllegalArgumentException("meetInMiddle: chunk size must be >= 1, got " + chunk);
    }

    @Override public String name() { return "meetInMiddle(" + chunk + ")"; }

    /** The largest chunk ≤ {@code maxChunk} whose predicted peak fits the problem's budget (at least 1). */
    public static MeetInMiddle fitting(Problem p, int maxChunk) { return Strategies.fitting(p, maxChunk, MeetInMiddle::new); }

    @Override public String refusal(Problem p) {
        if (p.axis() != 0) return "meetInMiddle works on batch axis 0";
        String released = p.releasedRefusal(name());
        if (released != null) return released;
        long need = cost(p).peakBytes();
        return need <= p.budgetBytes() ? null : name() + " needs about " + Bytes.format(need) + "; budget " + Bytes.format(p.budgetBytes());
    }

    /** Samples per chunk. */
    int samplesPerChunk(Problem p) { return (int) Math.max(1, chunk / Math.max(p.outputWidth(), p.inputWidth())); }

    /**
     * Where the sweeps meet, read from the tape: each path tensor's mixing depth (the most mixing ops on a path from
     * x to it); tensors deeper than half of y's depth lie above the cut, and so does every non-mixing tensor at that
     * depth whose consumers all lie above it (the cotangents go down to the last mixing op's output, keeping the
     * frontier narrow). The frontier is the set of tensors below the cut that feed a node above it.
     */
    record Cut(int depth, Set<Tensor> upper, Set<Tensor> frontier, Set<Tensor> onPath) {
        boolean lower(Tensor t) { return onPath.contains(t) && !upper.contains(t); }
    }

    static Cut cut(Problem p) {
        Structure s = p.structure();
        Set<Tensor> onPath = IdentitySets.of();
        onPath.addAll(s.path());
        onPath.add(p.x);
        Map<Tensor, Integer> depth = new IdentityHashMap<>();
        Map<Tensor, List<Tensor>> consumers = new IdentityHashMap<>();
        Set<Tensor> mixing = IdentitySets.of();
        depth.put(p.x, 0);
        for (Tensor t : s.path()) {
            Node n = t.node();
            int d = 0;
            for (int i = 0; i < n.inputs().length; i++) {
                Tensor in = n.inputs()[i];
                if (!onPath.contains(in)) continue;
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(t);
                boolean mixes = !dev.jaclab.tensor.RowSparseSweep.keepsRowsSparse(n, i);       // reshapes of whole rows do not mix
                if (mixes) mixing.add(t);
                d = Math.max(d, depth.getOrDefault(in, 0) + (mixes ? 1 : 0));
            }
            depth.put(t, d);
        }
        int top = depth.getOrDefault(p.y, 0), half = top / 2;
        Set<Tensor> upper = IdentitySets.of();
        for (Tensor t : s.path()) if (depth.get(t) > half) upper.add(t);
        List<Tensor> path = s.path();
        for (int k = path.size() - 1; k >= 0; k--) {
            Tensor t = path.get(k);
            if (depth.get(t) != half || mixing.contains(t) || upper.contains(t)) continue;
            List<Tensor> users = consumers.getOrDefault(t, List.of());
            if (!users.isEmpty() && upper.containsAll(users)) upper.add(t);
        }
        Set<Tensor> frontier = IdentitySets.of();
        for (Tensor t : upper)
            for (Tensor in : t.node().inputs()) if (onPath.contains(in) && !upper.contains(in)) frontier.add(in);
        return new Cut(top, upper, frontier, onPath);
    }


    /**
     * Whether {@link SparseRows} alone is the better sweep: at most one mixing layer, or coupling only through a small
     * shared context (the reverse sweep's cotangents then stay O(width) per seed).
     */
    private static boolean delegates(Problem p, Cut cut) { return cut.depth() < 2 || SparseRows.contextOnly(p); }

    @Override public int usefulChunk(Problem p) { return delegates(p, cut(p)) ? new SparseRows(chunk).usefulChunk(p) : p.chunk; }

    @Override public Cost cost(Problem p) {
        Cut cut = cut(p);
        if (delegates(p, cut)) return new SparseRows(chunk).cost(p);
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth(), cs = Math.min(samplesPerChunk(p), N);
        Structure s = p.structure();
        Set<Tensor> denseDown = SparseRows.denseTensors(p), denseUp = denseTangents(p, cut);
        double down = 0, up = 0, forward = 0;
        long maxDown = 0, maxUp = 0;
        for (Tensor t : s.path()) {
            forward += t.numel();
            double rowElems = t.rank() > 0 && t.size(0) == N ? (double) t.numel() / N : t.numel();
            long bytes = t.numel() * t.dtype().bytes();
            if (cut.upper().contains(t)) {
                boolean d = denseDown.contains(t);
                down += d ? t.numel() : rowElems;
                if (d) maxDown = Math.max(maxDown, bytes);
            } else {
                boolean d = denseUp.contains(t);
                up += d ? t.numel() : rowElems;
                if (d) maxUp = Math.max(maxUp, bytes);
            }
        }
        double work = forward == 0 ? 0 : (2.0 * N * m * down + 1.5 * N * n * up) / forward;
        long factored = cut.depth() == 2 ? factoredBytes(p, cut, cs) : -1;
        long peak = Cost.blockBytes(p) + (factored >= 0 ? factored
                : cs * (3 * m * maxDown + 3 * n * maxUp) + (cut.depth() >= 3 ? termsBytes(p, cs * Math.max(m, n)) : 0));
        long chunks = (N + cs - 1) / cs;
        return new Cost(chunks, N * m, chunks, N * n, peak, work,
                "N·m row-sparse VJPs down to the cut and N·n row-sparse JVPs up to it, " + cs + " samples per batch (mixing depth " + cut.depth() + ")");
    }

    /**
     * Two mixing layers: the tangents cross the first by its one-row rule and the cotangents the last by theirs, and
     * both reach the frontier factored (row weights times features, through row-uniform linear maps), so a chunk holds
     * O(N) per seed and no dense (N, width) batch: the terms' row weights the mixing ops state
     * ({@link RowSparseJvp#oneRowTerms}, {@link RowSparseVjp#ownRowTerms}), the VJP's per-seed
     * scratch, and the contraction of the two sides at each frontier tensor that is not row-local
     * ({@link RowTerm#contractionElements}) — the sweeps free nothing before the chunk ends. −1 when a mixing op does
     * not state its terms, its tangents do not arrive on the seeds' own rows, or an op between it and the cut does not
     * keep terms factored (they are then written out dense).
     */
    private static long factoredBytes(Problem p, Cut cut, long cs) {
        Structure s = p.structure();
        long m = p.outputWidth(), n = p.inputWidth(), scratch = 0;
        RowTerm.Counts down = RowTerm.Counts.NONE, up = RowTerm.Counts.NONE;
        Set<Tensor> between = IdentitySets.of();                     // upper tensors the cotangent terms cross to reach the cut
        List<Tensor> path = s.path();
        for (int k = path.size() - 1; k >= 0; k--) {
            Tensor t = path.get(k);
            Node nd = t.node();
            boolean[] carried = new boolean[nd.inputs().length];
            boolean mixes = false;
            for (int i = 0; i < carried.length; i++) {
                carried[i] = cut.onPath().contains(nd.inputs()[i]);
                mixes |= carried[i] && !dev.jaclab.tensor.RowSparseSweep.keepsRowsSparse(nd, i);
            }
            boolean upper = cut.upper().contains(t);
            if (mixes && upper) {
                RowTerm.Counts c = nd.primitive() instanceof RowSparseVjp r ? r.ownRowTerms(nd, carried) : null;
                if (c == null) return -1;
                down = down.plus(c);
                scratch = Math.max(scratch, ((RowSparseVjp) nd.primitive()).ownRowsTemporaries(nd));
                for (int i = 0; i < carried.length; i++) if (carried[i] && cut.upper().contains(nd.inputs()[i])) between.add(nd.inputs()[i]);
            } else if (mixes) {
                RowTerm.Counts c = nd.primitive() instanceof RowSparseJvp r ? r.oneRowTerms(nd, carried) : null;
                if (c == null) return -1;
                for (int i = 0; i < carried.length; i++) if (carried[i] && !s.isRowLocal(nd.inputs()[i])) return -1;
                up = up.plus(c);
            } else if (upper ? between.contains(t) : !s.isRowLocal(t)) {
                for (int i = 0; i < carried.length; i++) {
                    if (!carried[i]) continue;
                    if (!nd.primitive().rowUniformLinear(nd, i)) return -1;
                    if (upper && cut.upper().contains(nd.inputs()[i])) between.add(nd.inputs()[i]);
                }
            }
        }
        long meet = 0;
        for (Tensor u : cut.frontier()) if (!s.isRowLocal(u)) meet += RowTerm.contractionElements(down, up, cs, m, n, u.size(0));
        return (cs * m * (down.weightElements() + scratch) + cs * n * up.weightElements() + meet) * p.y.dtype().bytes();
    }

    /**
     * With three or more mixing layers the layers next to the cut take their tangents or cotangents factored
     * ({@link RowSparseJvp#termsBytes}): the largest such rule's working set for a chunk's seeds.
     */
    private static long termsBytes(Problem p, long seeds) {
        long most = 0;
        for (Tensor t : p.structure().path())
            if (t.node() != null && t.node().primitive() instanceof RowSparseJvp r) most = Math.max(most, r.termsBytes(t.node(), seeds));
        return most;
    }

    /**
     * Row-sparse VJPs down to the cut for N·m seeds and row-sparse JVPs up to it for N·n seeds, per chunk of samples:
     * one chunk of the sweep itself traced with shapes only, times the chunks (so the factored and one-row kernels
     * state their own work); where a kernel cannot trace, each node's rule on the path instead.
     */
    @Override public dev.jaclab.tensor.Work work(Problem p) {
        Cut cut = cut(p);
        if (delegates(p, cut)) return new SparseRows(chunk).work(p);
        long N = p.samples(), cs = Math.min(samplesPerChunk(p), N);
        Structure s = p.structure();
        try (NodeCache cache = new NodeCache()) {
            return SweepWork.chunks(p, N, cs, (start, count) -> MixedModeSweep.blocks(p.y, p.x, java.util.stream.LongStream.range(start, start + count).toArray(),
                            cut.frontier()::contains, cut::lower, s::isRowLocal, cut.onPath()::contains, cache))
                    .plus(SweepWork.assembly(p, N, cs, p.outputWidth(), p.inputWidth()));
        } catch (RuntimeException e) {
            return estimated(p, cut);
        }
    }

    /** The per-node estimate: each rule on the path at its dense or row-sparse size. */
    private dev.jaclab.tensor.Work estimated(Problem p, Cut cut) {
        long N = p.samples(), cs = Math.min(samplesPerChunk(p), N);
        List<Tensor> lower = new ArrayList<>();
        for (Tensor t : p.structure().path()) if (!cut.upper().contains(t)) lower.add(t);
        return SweepWork.rowSparseReverse(p, cut.upper(), SparseRows.denseTensors(p), N * p.outputWidth(), cs * p.outputWidth())
                .plus(SweepWork.rowSparseForward(p, lower, denseTangents(p, cut), N * p.inputWidth(), cs * p.inputWidth()));
    }

    /** Lower tensors whose tangent is dense: those at or above a mixing op (the forward sweep's rule). */
    private static Set<Tensor> denseTangents(Problem p, Cut cut) {
        Set<Tensor> dense = IdentitySets.of();
        for (Tensor t : p.structure().path()) {
            if (cut.upper().contains(t)) continue;
            Node n = t.node();
            for (int i = 0; i < n.inputs().length; i++) {
                Tensor in = n.inputs()[i];
                if (cut.onPath().contains(in) && (dense.contains(in) || !n.primitive().perSample(n, i))) dense.add(t);
            }
        }
        return dense;
    }

    @Override public Tensor run(Problem p) { return runRows(p, 0, p.samples()); }

    /** The blocks of samples from ≤ i < to, (to − from, m, n). */
    @Override public Tensor runRows(Problem p, long from, long to) {
        RowRange.check(p, from, to);
        Cut cut = cut(p);
        if (delegates(p, cut)) return new SparseRows(chunk).runRows(p, from, to);
        long N = to - from, m = p.outputWidth(), n = p.inputWidth();
        int cs = samplesPerChunk(p);
        Structure s = p.structure();
        try (NodeCache cache = new NodeCache()) {
            List<Tensor> parts = Chunks.map(name(), (int) ((N + cs - 1) / cs), p.parallelism(), k -> {
                long start = (long) k * cs;
                long[] rows = new long[(int) Math.min(cs, N - start)];
                for (int i = 0; i < rows.length; i++) rows[i] = from + start + i;
                Passes.countReverse(rows.length * m);
                Passes.countForward(rows.length * n);
                return MixedModeSweep.blocks(p.y, p.x, rows, cut.frontier()::contains, cut::lower, s::isRowLocal, cut.onPath()::contains, cache);
            });
            return Tensor.concat(0, parts.toArray(new Tensor[0])).reshape(N, m, n);
        }
    }
}
