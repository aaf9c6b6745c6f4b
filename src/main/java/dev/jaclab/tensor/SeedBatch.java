package dev.jaclab.tensor;

import dev.jaclab.nd.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A batch of tangents or cotangents for a chunk of one-hot seeds at sample rows r_1..r_S, as the row-sparse sweeps
 * carry them. Row-sparse: seed s holds only K rows of the tensor (its row set; rows that repeat add up), stored as a
 * batch level of S over (K, ...). Dense: {@code rows} is null and the values are a batch level of S over the whole
 * tensor. Either may come with {@link RowTerm}s, factored parts over all rows of a 2-D tensor (the value is the plain
 * part plus the terms; {@code values} is null when there is no plain part). The reverse sweep ({@link RowSparseSweep}) carries cotangents this way, the forward one
 * ({@link RowSparseForward}) tangents, and {@link MixedModeSweep} contracts the two where they meet.
 *
 * <pre>{@code
 * // seed s at row rows[s]: one row per seed, values (S, 1, width) as batch level `level`
 * SeedBatch.Chunk ch = new SeedBatch.Chunk(rows, Tensor.newLevel());
 * SeedBatch b = new SeedBatch(SeedBatch.perSeed(valuesRows, ch, 1), rows);
 * }</pre>
 */
record SeedBatch(Tensor values, long[] rows, List<RowTerm> terms) {
    SeedBatch(Tensor values, long[] rows) { this(values, rows, List.of()); }

    boolean sparse() { return rows != null; }

    boolean hasTerms() { return !terms.isEmpty(); }

    int perSeed(Chunk ch) { return rows.length / ch.count(); }

    static SeedBatch dense(Tensor values) { return new SeedBatch(values, null); }

    static SeedBatch ofTerms(List<RowTerm> terms) { return new SeedBatch(null, null, terms); }

    /** The plain part alone (null when there is none). */
    SeedBatch plain() { return values == null ? null : new SeedBatch(values, rows); }

    /** The terms folded into a dense plain part over the rows of {@code t}. */
    SeedBatch termsDensified(Chunk ch, Tensor t) {
        if (!hasTerms()) return this;
        Tensor d = RowTerm.sum(terms).toBatch(ch.level());
        return dense(values == null ? d : densifyPlain(ch, t).add(d));
    }

    /** The chunk: seed rows r_s and the batch level that carries the S seeds. */
    record Chunk(long[] rows, int level) {
        int count() { return rows.length; }
    }

    /** The seeds' logical values: (S, K, ...) when row-sparse, (S, ...) when dense. */
    Tensor logical(Chunk ch) { return values.toLogical(ch.level(), ch.count()); }

    /** (S·K, ...) rows → batch level S over (K, ...). */
    static Tensor perSeed(Tensor rows, Chunk ch, int k) {
        return rows.reshape(Shapes.concat(new long[]{ch.count(), k}, Shapes.suffix(rows.shape(), 1))).toBatch(ch.level());
    }

    /** This batch as a dense one over all rows of {@code t}. */
    Tensor densify(Chunk ch, Tensor t) { return hasTerms() ? termsDensified(ch, t).values() : densifyPlain(ch, t); }

    private Tensor densifyPlain(Chunk ch, Tensor t) {
        if (!sparse()) return values;
        Tensor v = logical(ch);                                                             // (S, K, ...)
        long rowsOfT = t.size(0), k = perSeed(ch);
        long[] rest = Shapes.suffix(v.shape(), 2);
        long[] flat = new long[rows.length];
        for (int i = 0; i < flat.length; i++) flat[i] = (i / k) * rowsOfT + rows[i];
        Tensor d = v.reshape(Shapes.concat(new long[]{flat.length}, rest)).scatterAdd(0, flat, ch.count() * rowsOfT);
        return d.reshape(Shapes.concat(new long[]{ch.count(), rowsOfT}, rest)).toBatch(ch.level());
    }

    /**
     * Only row r_s of seed s, as one row per seed: what a row-local tensor needs (its other rows never see x's row
     * r_s, so their parts cannot contribute to block s).
     */
    SeedBatch ownRows(Chunk ch) {
        if (hasTerms()) {
            Tensor own = null;
            for (RowTerm t : terms) {
                Tensor r = t.atRows(ch.rows());
                own = own == null ? r : own.add(r);
            }
            own = perSeed(own, ch, 1);
            return values == null ? new SeedBatch(own, ch.rows()) : new SeedBatch(plain().ownRows(ch).values().add(own), ch.rows());
        }
        if (sparse() && Arrays.equals(rows, ch.rows())) return this;
        if (!sparse()) {
            Tensor d = logical(ch);                                                          // (S, N, ...)
            long n = d.size(1);
            long[] flat = new long[ch.count()];
            for (int c = 0; c < flat.length; c++) flat[c] = c * n + ch.rows()[c];
            Tensor rowsOnly = d.reshape(Shapes.concat(new long[]{ch.count() * n}, Shapes.suffix(d.shape(), 2))).indexSelect(0, flat);
            return new SeedBatch(perSeed(rowsOnly, ch, 1), ch.rows());
        }
        int k = perSeed(ch);                                                                 // sum the rows equal to r_s
        Tensor v = logical(ch);
        double[] mask = new double[rows.length];
        for (int i = 0; i < mask.length; i++) mask[i] = rows[i] == ch.rows()[i / k] ? 1 : 0;
        long[] maskShape = Shapes.padLeft(new long[0], v.rank());
        maskShape[0] = ch.count();
        maskShape[1] = k;
        Tensor own = v.mul(Tensor.fromArray(mask, maskShape).cast(v.dtype())).sum(new int[]{1}, true);
        return new SeedBatch(own.toBatch(ch.level()), ch.rows());
    }

    /** Whether this batch holds exactly row r_s for each seed s. */
    boolean ownRowsOnly(Chunk ch) { return !hasTerms() && sparse() && Arrays.equals(rows, ch.rows()); }

    /** Adds {@code g} to the batch already held for {@code t} (row sets unite; sparse + dense is dense). */
    static void add(Map<Tensor, SeedBatch> acc, Tensor t, SeedBatch g, Chunk ch) {
        SeedBatch prev = acc.get(t);
        if (prev == null) { acc.put(t, g); return; }
        if (prev.hasTerms() || g.hasTerms() || prev.values() == null || g.values() == null) {
            List<RowTerm> terms = new java.util.ArrayList<>(prev.terms());
            terms.addAll(g.terms());
            SeedBatch a = prev.plain(), b = g.plain();
            if (a == null || b == null) {
                SeedBatch only = a == null ? b : a;
                acc.put(t, only == null ? ofTerms(terms) : new SeedBatch(only.values(), only.rows(), terms));
                return;
            }
            Map<Tensor, SeedBatch> one = new java.util.IdentityHashMap<>(Map.of(t, a));
            add(one, t, b, ch);
            SeedBatch sum = one.get(t);
            acc.put(t, new SeedBatch(sum.values(), sum.rows(), terms));
            return;
        }
        if (prev.sparse() && g.sparse()) {
            if (Arrays.equals(prev.rows(), g.rows())) { acc.put(t, new SeedBatch(prev.values().add(g.values()), g.rows())); return; }
            acc.put(t, union(prev, g, ch));
            return;
        }
        acc.put(t, dense(prev.densifyPlain(ch, t).add(g.densifyPlain(ch, t))));
    }

    /** Two row sets of the same tensor as one: each seed's rows of a, then its rows of b. */
    private static SeedBatch union(SeedBatch a, SeedBatch b, Chunk ch) {
        int ka = a.perSeed(ch), kb = b.perSeed(ch);
        long[] rows = new long[a.rows().length + b.rows().length];
        for (int c = 0; c < ch.count(); c++) {
            System.arraycopy(a.rows(), c * ka, rows, c * (ka + kb), ka);
            System.arraycopy(b.rows(), c * kb, rows, c * (ka + kb) + ka, kb);
        }
        return new SeedBatch(Tensor.concat(1, a.logical(ch), b.logical(ch)).toBatch(ch.level()), rows);
    }
}
