package dev.jaclab.tensor;

import dev.jaclab.nd.Shapes;
import java.util.Arrays;
import java.util.Map;

/**
 * A batch of tangents or cotangents for a chunk of one-hot seeds at sample rows r_1..r_S, as the row-sparse sweeps
 * carry them. Row-sparse: seed s holds only K rows of the tensor (its row set; rows that repeat add up), stored as a
 * batch level of S over (K, ...). Dense: {@code rows} is null and the values are a batch level of S over the whole
 * tensor. The reverse sweep ({@link RowSparseSweep}) carries cotangents this way, the forward one
 * ({@link RowSparseForward}) tangents, and {@link MixedModeSweep} contracts the two where they meet.
 *
 * <pre>{@code
 * // seed s at row rows[s]: one row per seed, values (S, 1, width) as batch level `level`
 * SeedBatch.Chunk ch = new SeedBatch.Chunk(rows, Tensor.newLevel());
 * SeedBatch b = new SeedBatch(SeedBatch.perSeed(valuesRows, ch, 1), rows);
 * }</pre>
 */
record SeedBatch(Tensor values, long[] rows) {
    boolean sparse() { return rows != null; }

    int perSeed(Chunk ch) { return rows.length / ch.count(); }

    static SeedBatch dense(Tensor values) { return new SeedBatch(values, null); }

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
    Tensor densify(Chunk ch, Tensor t) {
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
    boolean ownRowsOnly(Chunk ch) { return sparse() && Arrays.equals(rows, ch.rows()); }

    /** Adds {@code g} to the batch already held for {@code t} (row sets unite; sparse + dense is dense). */
    static void add(Map<Tensor, SeedBatch> acc, Tensor t, SeedBatch g, Chunk ch) {
        SeedBatch prev = acc.get(t);
        if (prev == null) { acc.put(t, g); return; }
        if (prev.sparse() && g.sparse()) {
            if (Arrays.equals(prev.rows(), g.rows())) { acc.put(t, new SeedBatch(prev.values().add(g.values()), g.rows())); return; }
            acc.put(t, union(prev, g, ch));
            return;
        }
        acc.put(t, dense(prev.densify(ch, t).add(g.densify(ch, t))));
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
