package dev.jaclab.tensor;

import dev.jaclab.nd.Shapes;

/**
 * Optional capability of a shape op: how its output's rows (axis 0) relate to its input's, so the row-sparse sweeps
 * can carry row sets through it instead of densifying. A new reshape-like op states its row map here; the sweeps
 * never test for concrete classes.
 *
 * <pre>{@code
 * x.reshape(3 * n, 1)   // rowsPerRow = -3: each input row becomes 3 output rows
 * x.mT()                // transposes = true on a 2-D x: output column j is input row j
 * }</pre>
 */
public interface RowMap {
    /**
     * s > 0 when each output row covers s whole input rows, −s when s output rows share one input row, 0 when rows do
     * not align.
     */
    default long rowsPerRow(Node n) { return 0; }

    /** Whether the 2-D output is the transpose of the 2-D input (its column j is the input's row j). */
    default boolean transposes(Node n) { return false; }

    /** The row relation of a reshape from the input's shape to the output's (whole rows split or merged). */
    static long reshapeRows(long[] in, long[] out) {
        if (in.length == 0 || out.length == 0 || in[0] == 0 || out[0] == 0 || in[0] == out[0]) return 0;
        long total = Shapes.numel(in), wIn = total / in[0], wOut = total / out[0];
        if (wOut % wIn == 0) return wOut / wIn;
        if (wIn % wOut == 0) return -(wIn / wOut);
        return 0;
    }
}
