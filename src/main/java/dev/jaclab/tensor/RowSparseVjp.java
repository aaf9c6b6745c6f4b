package dev.jaclab.tensor;

import java.util.List;

/**
 * Optional capability of a primitive: VJPs restricted to what the row-sparse sweep ({@link RowSparseSweep}) wants
 * from a node — each seed's own row or column of a row-local input, factored cotangents over all rows, or the few
 * rows of a contracted input that a seed's sample owns. Without it the sweep runs the ordinary {@link Primitive#vjp}
 * and cuts back (exact, at dense cost).
 *
 * <pre>{@code
 * // attention restricted to one query row per seed: dq for that row, row r_c of dk and dv (or softmax-row terms)
 * Tensor[] parts = ((RowSparseVjp) node.primitive()).vjpOwnRows(g, restricted, own, rows);
 * }</pre>
 */
public interface RowSparseVjp {
    /** Which part of an input's cotangent the sweep wants. */
    enum Own {
        /** All of it, as {@link Primitive#vjp} gives it. */
        ALL,
        /** Only row r_c (the input's row j belongs to sample j), as one row (1, ...) per seed. */
        ROW,
        /** Only column r_c of a 2-D input that is the transpose of such a tensor, as one row of that tensor per seed. */
        COLUMN,
        /** All rows of a 2-D input, preferably as {@link RowTerm}s (a rule that cannot factor it answers as for ALL). */
        TERMS
    }

    /**
     * The VJP on a node restricted to the seeds' rows (a batch level of seeds): cotangents for every differentiable
     * input as {@link Primitive#vjp} would give, except the parts {@code own[i]} asks for. {@code rows} holds r_c for
     * each seed. Null for cases it does not cover (the sweep then uses the ordinary rule and cuts back).
     */
    default Tensor[] vjpOwnRows(Tensor g, Node restricted, Own[] own, long[] rows) { return null; }

    /**
     * {@link #vjpOwnRows} that may answer the {@link Own#TERMS} slots in factored form: it then puts their RowTerms in
     * {@code terms[i]} and returns null at i. By default the plain rule (TERMS slots answered as ALL).
     */
    default Tensor[] vjpOwnRows(Tensor g, Node restricted, Own[] own, long[] rows, List<RowTerm>[] terms) {
        Own[] plain = own.clone();
        for (int i = 0; i < plain.length; i++) if (plain[i] == Own.TERMS) plain[i] = Own.ALL;
        return vjpOwnRows(g, restricted, plain, rows);
    }

    /** Elements {@link #vjpOwnRows} holds per seed while it runs (the cost model's per-seed memory); 0 by default. */
    default long ownRowsTemporaries(Node n) { return 0; }

    /**
     * The factored terms {@link #vjpOwnRows} hands back for the {@link Own#TERMS} slots {@code wanted} marks (the cost
     * model's working set of a chunk, as {@link RowSparseJvp#oneRowTerms}); null when not stated.
     */
    default RowTerm.Counts ownRowTerms(Node n, boolean[] wanted) { return null; }

    /**
     * The cotangent of rows {@code inRows} (S per seed) of input {@code input}, from a cotangent g on output rows
     * {@code outRows} (K per seed; g a batch level of C seeds over (K, ...)), where that input's rows are contracted
     * into the output and only these few are wanted — a batch level over (S, ...). Null when not covered.
     */
    default Tensor vjpRowBlock(Tensor g, Node n, int input, long[] outRows, long[] inRows) { return null; }

    /**
     * The work of the restricted rule for one seed (its own rows), where it is not simply 1/N of the whole rule; null
     * by default (the cost model then takes the whole rule's work over N).
     */
    default Work ownRowsWork(Node n) { return null; }

    /**
     * The cotangents of the inputs {@code wanted} marks from an output cotangent factored over all rows (S seeds), each
     * a dense part (batch level {@code level}) plus factored parts, null at inputs not wanted; null when not covered
     * (the sweep then writes the terms out and runs {@link Primitive#vjp}).
     */
    default RowSparseJvp.Factored[] vjpTerms(List<RowTerm> terms, Node n, boolean[] wanted, int level) { return null; }
}
