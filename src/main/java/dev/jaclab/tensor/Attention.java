package dev.jaclab.tensor;

import dev.jaclab.nd.AttentionBatch;
import dev.jaclab.nd.AttentionTangents;
import dev.jaclab.nd.AttentionTerms;
import dev.jaclab.nd.FusedAttention;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * Fused attention primitive: softmax(q·kᵀ·scale over the key axis)·v, with q (…, N, d), k (…, M, d), v (…, M, dv).
 * Its forward streams blocks of query rows, so the N×M score matrix is never stored (memory O(block·M)); its VJP
 * and JVP recompute each block's scores. Query rows are per-sample (row i of the output depends on row i of q);
 * keys and values mix samples. Restricted to a few query rows (the row-sparse sweep), the same VJP rule recomputes
 * only those rows of attention.
 */
final class Attention {
    /** Score elements per block (rows × M). */
    static final long BLOCK_ELEMENTS = 1L << 22;

    private Attention() {}

    /**
     * Query rows per block so that one block of scores (rows × keys, times the batch multiplicity) stays bounded. In a
     * {@link ShapeTrace} (nothing is computed, nothing stored) one block: the rules' work is the same, traced once.
     */
    static long blockRows(long rows, long keys) { return ShapeTrace.active() ? rows : computedBlockRows(rows, keys); }

    /** The block size a computed run uses. */
    static long computedBlockRows(long rows, long keys) { return Math.max(1, Math.min(rows, BLOCK_ELEMENTS / Math.max(1, keys))); }

    /** How many logical copies a tensor's batch levels and leading dims carry (physical elements / (rows × cols)). */
    static long multiplicity(NdArray a) {
        long[] s = a.shape();
        return a.numel() / Math.max(1, s[s.length - 2] * s[s.length - 1]);
    }

    static final class Fused extends Primitive implements RowSparseJvp, RowSparseVjp {
        final double scale;

        Fused(double scale) { this.scale = scale; }

        @Override public String name() { return "attention"; }

        @Override protected boolean broadcasting() { return true; }

        @Override protected long[] shape(long[][] in) {
            long[] q = in[0], k = in[1], v = in[2];
            if (q.length < 2 || k.length < 2 || v.length < 2)
                throw new IllegalArgumentException("attention: q, k, v need rank >= 2, got " + Shapes.str(q) + ", " + Shapes.str(k) + ", " + Shapes.str(v));
            if (q[q.length - 1] != k[k.length - 1])
                throw new IllegalArgumentException("attention: q " + Shapes.str(q) + " and k " + Shapes.str(k) + " differ in feature dim ("
                        + q[q.length - 1] + " vs " + k[k.length - 1] + ")");
            if (k[k.length - 2] != v[v.length - 2])
                throw new IllegalArgumentException("attention: k " + Shapes.str(k) + " and v " + Shapes.str(v) + " differ in key count ("
                        + k[k.length - 2] + " vs " + v[v.length - 2] + ")");
            long[] batch = Shapes.broadcast("attention", Shapes.broadcast("attention", Shapes.prefix(q, q.length - 2), Shapes.prefix(k, k.length - 2)),
                    Shapes.prefix(v, v.length - 2));
            return Shapes.concat(batch, new long[]{q[q.length - 2], v[v.length - 1]});
        }

        @Override protected NdArray forward(NdArray[] in, int b) {
            NdArray q = in[0], k = in[1], v = in[2];
            if (q.rank() == 2 && k.rank() == 2 && v.rank() == 2)
                return FusedAttention.forward(q, k, v, scale, blockRows(q.shape()[0], k.shape()[0]));
            int r = k.rank();
            int[] perm = Shapes.range(0, r);
            perm[r - 2] = r - 1;
            perm[r - 1] = r - 2;
            NdArray kT = k.permute(perm);
            long rows = q.shape()[q.rank() - 2], keys = k.shape()[r - 2];
            long block = blockRows(rows, keys * Math.max(multiplicity(q), multiplicity(k)));
            List<NdArray> parts = new ArrayList<>();
            for (long s = 0; s < rows; s += block) {
                try (dev.jaclab.nd.Arena arena = dev.jaclab.nd.Arena.open()) {      // frees the block's scores
                    NdArray qb = block >= rows ? q : q.narrow(q.rank() - 2, s, Math.min(block, rows - s));
                    NdArray scores = qb.matmul(kT).mul(scale);
                    int sl = scores.rank() - 1;
                    NdArray e = scores.sub(scores.max(new int[]{sl}, true)).exp();
                    NdArray y = e.div(e.sum(new int[]{sl}, true)).matmul(v);
                    arena.keep(y);
                    parts.add(y);
                }
            }
            return parts.size() == 1 ? parts.get(0) : NdArray.concat(parts.get(0).rank() - 2, parts.toArray(new NdArray[0]));
        }

        /**
         * Per block of query rows: scores q·kᵀ (2·N·M·d flops), their scale, max, subtraction and normalisation (about
         * four passes over the N×M scores), one exp each, and P·v (2·N·M·dv flops); B copies for batch dims.
         */
        @Override public Work work(long[][] in, long[] out, int b) {
            long[] q = in[0], k = in[1], v = in[2];
            double rows = q[q.length - 2], keys = k[k.length - 2], d = q[q.length - 1], dv = v[v.length - 1];
            double copies = numel(out) / (rows * dv), scores = copies * rows * keys;
            long blocks = (long) Math.ceil(rows / computedBlockRows((long) rows, (long) (keys * copies)));
            return new Work(2 * scores * (d + dv), 4 * scores, scores, numel(in), numel(out) + 2 * scores, 7.0 * blocks);
        }

        /** Softmax rows of one block of queries (recomputed). */
        private Tensor probs(Tensor qb, Tensor k) { return qb.mul(scale).matmul(k.mT()).softmax(-1); }

        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor q = n.inputs()[0], k = n.inputs()[1], v = n.inputs()[2];
            boolean nq = Elementwise.need(n, 0), nk = Elementwise.need(n, 1), nv = Elementwise.need(n, 2);
            if (seedBatch(n, g)) {                                   // C dense cotangents sharing the softmax rows
                WorkMeter.add(AttentionWork.seedBatch(n, g.data().shape()[0], nq ? 1 : 0, nk ? 1 : 0, nv ? 1 : 0));
                if (ShapeTrace.active()) return new Tensor[]{nq ? seedsLike(q, g) : null, nk ? seedsLike(k, g) : null, nv ? seedsLike(v, g) : null};
                NdArray[] d = AttentionBatch.vjp(q.data(), k.data(), v.data(), n.output().data(), g.data(), scale, nq, nk, nv);
                return new Tensor[]{d[0] == null ? null : new Tensor(d[0], g.levels()), d[1] == null ? null : new Tensor(d[1], g.levels()),
                        d[2] == null ? null : new Tensor(d[2], g.levels())};
            }
            long rows = q.size(-2), block = blockRows(rows, k.size(-2) * Math.max(multiplicity(g.data()), multiplicity(q.data())));
            List<Tensor> dq = new ArrayList<>();
            Tensor dk = null, dv = null;
            boolean recording = GradMode.isEnabled();                // higher order: the block's tensors are on the tape
            for (long s = 0; s < rows; s += block) {
                long len = Math.min(block, rows - s);
                Tensor oldK = dk, oldV = dv;
                try (dev.jaclab.nd.Arena arena = recording ? null : dev.jaclab.nd.Arena.open()) {   // frees the block's temporaries
                    Tensor qb = len == rows ? q : q.narrow(-2, s, len), gb = len == rows ? g : g.narrow(-2, s, len);
                    Tensor p = probs(qb, k);
                    if (nv) dv = acc(dv, p.mT().matmul(gb));
                    if (nq || nk) {
                        Tensor dp = gb.matmul(v.mT());
                        Tensor ds = p.mul(dp.sub(dp.mul(p).sum(new int[]{-1}, true))).mul(scale);
                        if (nq) dq.add(ds.matmul(k));
                        if (nk) dk = acc(dk, ds.mT().matmul(qb));
                    }
                    if (arena != null) {
                        arena.keep(dk == null ? null : dk.data(), dv == null ? null : dv.data());
                        if (nq) arena.keep(dq.get(dq.size() - 1).data());
                    }
                }
                if (!recording) {                                     // superseded accumulators: nothing else holds them
                    if (oldK != null && oldK != dk) oldK.data().close();
                    if (oldV != null && oldV != dv) oldV.data().close();
                }
            }
            return new Tensor[]{nq ? Tensor.concat(-2, dq.toArray(new Tensor[0])).sumTo(q.shape()) : null,
                    nk ? dk.sumTo(k.shape()) : null, nv ? dv.sumTo(v.shape()) : null};
        }

        private static Tensor acc(Tensor a, Tensor b) { return a == null ? b : a.add(b); }

        /**
         * One query row per seed ({@link FusedAttention#vjp}): its scores against the M keys (2·M·d), the exp, dP against
         * v (2·M·dv), dS and dq (2·M·d); keys and values come back as factored row terms, O(M) each. Its rows live in
         * per-thread scratch buffers: nothing is written to fresh memory.
         */
        @Override public Work ownRowsWork(Node n) {
            double m = n.inputs()[1].size(-2), d = n.inputs()[0].size(-1), dv = n.inputs()[2].size(-1);
            return new Work(2 * m * (2 * d + dv), 4 * m, m, 0, 0, 6);
        }

        /**
         * Three attention rows per seed, held in the chunk loop's scratch: the softmax row, dS, and the scores of the
         * distinct query rows (seeds of one sample share theirs; the buffer is sized for a whole chunk).
         */
        @Override public long ownRowsTemporaries(Node n) { return 3 * n.inputs()[1].size(-2); }

        /** Keys and values as factored terms: dk = dS ⊗ scale·q, dv = P ⊗ g, one per-seed (S, M) row weight each. */
        @Override public RowTerm.Counts ownRowTerms(Node n, boolean[] wanted) {
            int parts = (wanted[1] ? 1 : 0) + (wanted[2] ? 1 : 0);
            return new RowTerm.Counts(parts, 0, parts * n.inputs()[1].size(-2));
        }

        /**
         * {@link #jvpOneRow}'s terms: a key tangent gives w·v_r (per seed) and −w·y (shared; w and −w two (S, N)
         * arrays), a value tangent P[:, r]·Δv (per seed); a query tangent stays on its own row.
         */
        @Override public RowTerm.Counts oneRowTerms(Node n, boolean[] carried) {
            long rows = n.inputs()[0].size(-2);
            int k = carried[1] ? 1 : 0, v = carried[2] ? 1 : 0;
            return new RowTerm.Counts(k + v, k, (2L * k + v) * rows);
        }

        @Override public Tensor[] vjpOwnRows(Tensor g, Node n, Own[] own, long[] rows) { return vjpOwnRows(g, n, own, rows, null); }

        /** Keys and values asked for as {@link Own#TERMS} come back factored: dk = dS ⊗ scale·q, dv = P ⊗ g. */
        @Override public Tensor[] vjpOwnRows(Tensor g, Node n, Own[] own, long[] rows, List<RowTerm>[] terms) {
            Tensor q = n.inputs()[0], k = n.inputs()[1], v = n.inputs()[2], y = n.output();
            if (own[1] == Own.COLUMN || own[2] == Own.COLUMN) return null;
            boolean[] ownRow = {false, own[1] == Own.ROW, own[2] == Own.ROW};
            int[] level = q.levels();
            if (level.length != 1 || k.levels().length != 0 || v.levels().length != 0 || k.rank() != 2 || v.rank() != 2
                    || !java.util.Arrays.equals(g.levels(), level) || !java.util.Arrays.equals(y.levels(), level)) return null;
            long c = rows.length, d = q.size(-1), dv = v.size(-1);
            if (!java.util.Arrays.equals(q.data().shape(), new long[]{c, 1, d}) || !java.util.Arrays.equals(g.data().shape(), new long[]{c, 1, dv})
                    || !java.util.Arrays.equals(y.data().shape(), new long[]{c, 1, dv})) return null;
            boolean nq = Elementwise.need(n, 0), nk = Elementwise.need(n, 1), nv = Elementwise.need(n, 2);
            FusedAttention.Part pk = part(nk, ownRow[1], terms != null && own[1] == Own.TERMS), pv = part(nv, ownRow[2], terms != null && own[2] == Own.TERMS);
            WorkMeter.add(ownRowsWork(n).scaled(c, 1));                // the kernel calls ND4J directly: it states its work itself
            FusedAttention.Grads r = ShapeTrace.active() ? tracedGrads(q.dtype(), c, k.size(0), d, dv, nq, pk, pv)
                    : FusedAttention.vjp(q.data(), k.data(), v.data(), g.data(), y.data(), rows, scale, nq, pk, pv);
            if (r.dkFactors() != null) terms[1] = List.of(term(r.dkFactors()));
            if (r.dvFactors() != null) terms[2] = List.of(term(r.dvFactors()));
            return new Tensor[]{perSeed(r.dq(), level, 1, d), perSeed(r.dk(), level, ownRow[1] ? 1 : k.size(0), d),
                    perSeed(r.dv(), level, ownRow[2] ? 1 : v.size(0), dv)};
        }

        private static FusedAttention.Part part(boolean needed, boolean ownRow, boolean factored) {
            return !needed ? FusedAttention.Part.NONE : ownRow ? FusedAttention.Part.OWN_ROW
                    : factored ? FusedAttention.Part.FACTORED : FusedAttention.Part.ALL_ROWS;
        }

        /** The one-row kernel's results with shapes only (a traced sweep): dq (C, d); dk, dv one row or all M rows, or factors. */
        private static FusedAttention.Grads tracedGrads(dev.jaclab.nd.DType t, long c, long m, long d, long dv, boolean nq,
                                                        FusedAttention.Part pk, FusedAttention.Part pv) {
            return new FusedAttention.Grads(nq ? NdArray.shapeOnly(t, c, d) : null, tracedRows(t, pk, c, m, d), tracedRows(t, pv, c, m, dv),
                    pk == FusedAttention.Part.FACTORED ? new FusedAttention.Factors(NdArray.shapeOnly(t, c, m), NdArray.shapeOnly(t, c, d)) : null,
                    pv == FusedAttention.Part.FACTORED ? new FusedAttention.Factors(NdArray.shapeOnly(t, c, m), NdArray.shapeOnly(t, c, dv)) : null);
        }

        private static NdArray tracedRows(dev.jaclab.nd.DType t, FusedAttention.Part part, long c, long m, long w) {
            return part == FusedAttention.Part.OWN_ROW ? NdArray.shapeOnly(t, c, w) : part == FusedAttention.Part.ALL_ROWS ? NdArray.shapeOnly(t, c, m * w) : null;
        }

        private static RowTerm term(FusedAttention.Factors f) { return new RowTerm(Tensor.wrap(f.rowWeight()), Tensor.wrap(f.features()), false); }

        /** (C, rows·width) values as a batch level of C seeds over (rows, width). */
        private static Tensor perSeed(NdArray a, int[] level, long rows, long width) {
            return a == null ? null : new Tensor(a.reshape(a.shape()[0], rows, width), level);
        }

        @Override protected Tensor jvp(Tensor[] t, Node n) {
            Tensor q = n.inputs()[0], k = n.inputs()[1], v = n.inputs()[2];
            if (seedBatch(n, t)) {                                   // C dense tangents sharing the softmax rows
                Tensor any = t[0] != null ? t[0] : t[1] != null ? t[1] : t[2];
                WorkMeter.add(AttentionWork.seedBatch(n, any.data().shape()[0], t[0] == null ? 0 : 1, t[1] == null ? 0 : 1, t[2] == null ? 0 : 1));
                if (ShapeTrace.active()) return seedsLike(n.output(), any);
                return new Tensor(AttentionBatch.jvp(q.data(), k.data(), v.data(), n.output().data(), t[0] == null ? null : t[0].data(),
                        t[1] == null ? null : t[1].data(), t[2] == null ? null : t[2].data(), scale), any.levels());
            }
            long mult = 1;
            for (Tensor ti : t) if (ti != null) mult = Math.max(mult, multiplicity(ti.data()));
            long rows = q.size(-2), block = blockRows(rows, k.size(-2) * mult);
            List<Tensor> out = new ArrayList<>();
            for (long s = 0; s < rows; s += block) {
                long len = Math.min(block, rows - s);
                Tensor qb = len == rows ? q : q.narrow(-2, s, len);
                Tensor p = probs(qb, k);
                Tensor ds = null;
                if (t[0] != null) ds = (len == rows ? t[0] : t[0].narrow(-2, s, len)).matmul(k.mT());
                if (t[1] != null) ds = acc(ds, qb.matmul(t[1].mT()));
                Tensor y = null;
                if (ds != null) {
                    ds = ds.mul(scale);
                    y = p.mul(ds.sub(p.mul(ds).sum(new int[]{-1}, true))).matmul(v);
                }
                if (t[2] != null) y = acc(y, p.matmul(t[2]));
                out.add(y);
            }
            return Tensor.concat(-2, out.toArray(new Tensor[0]));
        }

        /**
         * Self-attention over plain matrices with the tangents of q, k and v on row r_s only: the output tangent on
         * every row from one softmax column per seed ({@link AttentionTangents}), in factored form, O(N·d) per seed;
         * the softmax row statistics are computed once per run. Other shapes return null (densify, then {@link #jvp}).
         */
        @Override public Tangent jvpOneRow(Tensor[] t, Node n, long[] rows, NodeCache cache) {
            Tensor q = n.inputs()[0], k = n.inputs()[1], v = n.inputs()[2];
            for (Tensor in : n.inputs()) if (in.levels().length != 0 || in.rank() != 2) return null;
            if (q.size(0) != k.size(0)) return null;
            int[] level = null;
            NdArray[] d = new NdArray[3];
            for (int i = 0; i < 3; i++) {
                if (t[i] == null) continue;
                long width = n.inputs()[i].size(1);
                if (t[i].levels().length != 1 || !java.util.Arrays.equals(t[i].data().shape(), new long[]{rows.length, 1, width})) return null;
                level = t[i].levels();
                d[i] = t[i].data().reshape(rows.length, width).cast(q.dtype());
            }
            if (level == null) return null;
            NdArray lse = cache.get(n, () -> {                       // once per run; the kernels call ND4J directly: they state their work
                WorkMeter.add(AttentionWork.rowLogSumExp(n));
                return ShapeTrace.active() ? NdArray.shapeOnly(q.dtype(), q.size(0))
                        : AttentionTangents.rowLogSumExp(q.data(), k.data(), scale, blockRows(q.size(0), k.size(0)));
            });
            WorkMeter.add(AttentionWork.oneRow(n, rows.length, java.util.Arrays.stream(rows).distinct().count(), d[0] != null, d[1] != null, d[2] != null));
            AttentionTangents.Factors f = ShapeTrace.active() ? AttentionTangents.oneRowShapes(q.data(), v.data(), rows.length, d[0] != null, d[1] != null, d[2] != null)
                    : AttentionTangents.oneRow(q.data(), k.data(), v.data(), n.output().data(), lse, rows, d[0], d[1], d[2], scale);
            List<RowTerm> terms = new ArrayList<>();
            if (f.w() != null) {                                      // w·(v_r − y): a per-seed and a shared term
                Tensor w = Tensor.wrap(f.w());
                terms.add(new RowTerm(w, Tensor.wrap(f.vr()), false));
                terms.add(new RowTerm(w.neg(), n.output().detach(), true));
            }
            if (f.pc() != null) terms.add(new RowTerm(Tensor.wrap(f.pc()), t[2].toLogical(level[0], rows.length).reshape(rows.length, -1), false));
            Tensor own = f.corr() == null ? null : new Tensor(f.corr().reshape(rows.length, 1, v.size(1)), level);
            return new Tangent(own, terms);
        }

        /**
         * Factored tangents of q, k, v (a second mixing layer of a stack: what one attention layer makes of a seed on one
         * row, through linear maps) → the output tangent as wide products of the softmax rows ({@link AttentionTerms}).
         * Plain matrices of one dtype only, outside higher-order recording.
         */
        @Override public Factored jvpTerms(List<RowTerm>[] terms, Node n, int level) {
            if (!plainLayer(n)) return null;
            List<List<AttentionTerms.Factor>> f = new ArrayList<>();
            for (List<RowTerm> t : terms) {
                List<AttentionTerms.Factor> fi = factors(t);
                if (fi == null) return null;
                f.add(fi);
            }
            Tensor q = n.inputs()[0], k = n.inputs()[1], v = n.inputs()[2];
            AttentionTerms.Part out = ShapeTrace.active() ? AttentionTerms.jvpShapes(q.data(), k.data(), v.data(), f.get(0), f.get(1), f.get(2))
                    : AttentionTerms.jvp(q.data(), k.data(), v.data(), n.output().data(), f.get(0), f.get(1), f.get(2), scale);
            WorkMeter.add(AttentionWork.terms(n, seeds(terms), terms[1].size() + (int) terms[2].stream().filter(RowTerm::shared).count(), 0));
            return factored(out, level);
        }

        /** A factored output cotangent → the cotangents of q, k, v ({@link AttentionTerms#vjp}); as {@link #jvpTerms}. */
        @Override public Factored[] vjpTerms(List<RowTerm> terms, Node n, boolean[] wanted, int level) {
            List<AttentionTerms.Factor> f = factors(terms);
            if (!plainLayer(n) || f == null || terms.isEmpty()) return null;
            Tensor q = n.inputs()[0], k = n.inputs()[1], v = n.inputs()[2];
            AttentionTerms.Part[] out = ShapeTrace.active() ? AttentionTerms.vjpShapes(q.data(), k.data(), v.data(), f, wanted[0], wanted[1], wanted[2])
                    : AttentionTerms.vjp(q.data(), k.data(), v.data(), n.output().data(), f, scale, wanted[0], wanted[1], wanted[2]);
            int products = wanted[1] ? terms.size() + 1 : 0;
            WorkMeter.add(AttentionWork.terms(n, terms.get(0).seeds(), products, wanted[2] ? (int) terms.stream().filter(RowTerm::shared).count() : 0));
            return new Factored[]{factored(out[0], level), factored(out[1], level), factored(out[2], level)};
        }

        @Override public long termsBytes(Node n, long seeds) {
            Tensor q = n.inputs()[0], k = n.inputs()[1], v = n.inputs()[2];
            if (q.rank() != 2 || k.rank() != 2 || v.rank() != 2) return 0;
            return AttentionTerms.workingElements(q.size(0), k.size(0), q.size(1), v.size(1), seeds) * q.dtype().bytes();
        }

        /** Plain matrices q, k, v of one dtype, no batch levels, not recording. */
        private static boolean plainLayer(Node n) {
            if (GradMode.isEnabled()) return false;
            Tensor q = n.inputs()[0];
            for (Tensor in : n.inputs()) if (in.levels().length != 0 || in.rank() != 2 || in.dtype() != q.dtype()) return false;
            return true;
        }

        /** RowTerms as the kernel's factors; null when one carries batch levels. */
        private static List<AttentionTerms.Factor> factors(List<RowTerm> terms) {
            List<AttentionTerms.Factor> out = new ArrayList<>();
            for (RowTerm t : terms) {
                if (t.a().levels().length != 0 || t.f().levels().length != 0) return null;
                out.add(new AttentionTerms.Factor(t.a().data(), t.f().data(), t.shared()));
            }
            return out;
        }

        private static long seeds(List<RowTerm>[] terms) {
            for (List<RowTerm> t : terms) if (!t.isEmpty()) return t.get(0).seeds();
            return 0;
        }

        private static Factored factored(AttentionTerms.Part p, int level) {
            if (p == null) return null;
            List<RowTerm> terms = new ArrayList<>();
            for (AttentionTerms.Factor f : p.factors()) terms.add(new RowTerm(Tensor.wrap(f.a()), Tensor.wrap(f.f()), f.shared()));
            return new Factored(p.dense() == null ? null : new Tensor(p.dense(), new int[]{level}), terms);
        }

        /** A shape-only tensor shaped like {@code like} with the seeds' batch level (a traced kernel's result). */
        private static Tensor seedsLike(Tensor like, Tensor seeds) {
            long[] shape = Shapes.concat(new long[]{seeds.data().shape()[0]}, like.shape());
            return new Tensor(NdArray.shapeOnly(like.dtype(), shape), seeds.levels());
        }

        /**
         * Whether {@link AttentionBatch} takes these tangents (or this cotangent): plain matrices q, k, v of one dtype
         * and one batch level of C seeds, each seed dense over all rows, outside higher-order recording.
         */
        private static boolean seedBatch(Node n, Tensor... seeds) {
            if (GradMode.isEnabled()) return false;
            Tensor q = n.inputs()[0];
            for (Tensor in : n.inputs()) if (in.levels().length != 0 || in.rank() != 2 || in.dtype() != q.dtype()) return false;
            int[] level = null;
            long c = -1;
            for (Tensor s : seeds) {
                if (s == null) continue;
                long[] shape = s.data().shape();
                if (s.levels().length != 1 || shape.length != 3 || s.dtype() != q.dtype() || (level != null && (level[0] != s.levels()[0] || shape[0] != c))
                        || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(shape, 1, 3), s.shape())) return false;
                level = s.levels();
                c = shape[0];
            }
            return level != null;
        }

        /** Query rows are per-sample; keys and values mix samples unless dim 0 is a leading batch dim. */
        @Override public boolean perSample(Node n, int input) {
            if (input == 0) return keepsSampleAxis(n, 0);
            return n.inputs()[input].rank() >= 3 && keepsSampleAxis(n, input);
        }
    }
}
