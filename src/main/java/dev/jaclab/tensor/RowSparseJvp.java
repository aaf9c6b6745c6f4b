package dev.jaclab.tensor;

/**
 * Optional capability of a primitive that mixes samples: its JVP when every input tangent sits on one row per seed
 * (row r_s of each input that has a tangent; the forward twin of the row-restricted VJP). The row-sparse forward
 * sweep ({@link RowSparseForward}) uses it where a one-hot tangent reaches a mixing op; without it the tangent is
 * densified and the ordinary {@link Primitive#jvp} runs, at dense cost.
 *
 * <pre>{@code
 * // attention: input tangent on row r only → output tangent on every row from column r of the softmax, O(N·d)
 * RowSparseJvp.Tangent dy = ((RowSparseJvp) node.primitive()).jvpOneRow(tangentRows, node, rows, cache);
 * }</pre>
 */
public interface RowSparseJvp {
    /**
     * An output tangent over all rows: a part on row r_s of each seed ({@code ownRow}, a batch level of S over
     * (1, width), or null) plus factored parts over all rows ({@link RowTerm}s).
     */
    record Tangent(Tensor ownRow, java.util.List<RowTerm> terms) {}

    /**
     * The output tangent, or null when this case is not covered.
     *
     * @param t     for each input, row r_s of its tangent as a batch level of S over (1, ...), or null for zero
     * @param n     the recorded node
     * @param rows  r_s for each seed
     * @param cache per-run values (e.g. softmax statistics), reused across chunks
     */
    Tangent jvpOneRow(Tensor[] t, Node n, long[] rows, NodeCache cache);

    /**
     * The factored terms {@link #jvpOneRow} hands back when the inputs {@code carried} marks have tangents (the cost
     * model's working set of a chunk: what reaches the frontier of a meet-in-the-middle sweep); null when not stated.
     */
    default RowTerm.Counts oneRowTerms(Node n, boolean[] carried) { return null; }

    /**
     * S seeds' values over all rows of a 2-D tensor: a dense part (a batch level of S over the whole tensor, or null)
     * plus factored parts ({@link RowTerm}s).
     */
    record Factored(Tensor dense, java.util.List<RowTerm> terms) {}

    /**
     * The output tangent when the input tangents come factored over all rows ({@code terms[i]}, S seeds each; an
     * empty list is a zero tangent), the dense part as batch level {@code level}; null when not covered (the sweep
     * then writes the terms out and runs {@link Primitive#jvp}). What a second mixing layer of a stack receives.
     */
    default Factored jvpTerms(java.util.List<RowTerm>[] terms, Node n, int level) { return null; }

    /**
     * Bytes the factored rules ({@link #jvpTerms} and {@code RowSparseVjp.vjpTerms}) hold at once for S seeds — their
     * reused work buffers and the dense parts they hand back — for the cost model's peak; 0 when not implemented.
     */
    default long termsBytes(Node n, long seeds) { return 0; }
}
