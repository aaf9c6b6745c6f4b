package dev.jaclab.kernel;

import java.util.Locale;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import dev.jaclab.tensor.Tensor;

/**
 * Renders a {@code dev.jaclab.tensor.Tensor} as an HTML block (shape/dtype header, a table for rank ≤ 2,
 * truncated when large) plus {@code text/plain} (the tensor's own {@code toString()}).
 *
 * <pre>{@code
 * Tensor.randn(42, 3, 4)      // shown as a 3×4 table headed "Tensor (3, 4) float32"
 * }</pre>
 */
final class TensorView {
    /** Tensors with more elements than this are not copied out for display. */
    static final long MAX_COPY = 1L << 20;
    static final int ROWS = 20, HEAD_ROWS = 10, TAIL_ROWS = 5, COLS = 12, HEAD_COLS = 6, TAIL_COLS = 3;

    private TensorView() {}

    static DisplayData render(Tensor tensor) {
        long[] shape = tensor.shape();
        long n = 1;
        for (long s : shape) n *= s;
        StringBuilder html = new StringBuilder("<div class=\"jaclab-tensor\">");
        html.append("<div style=\"font-family:monospace\"><b>Tensor</b> ").append(shapeText(shape)).append(' ')
                .append(escape(String.valueOf(tensor.dtype()))).append(" &middot; ").append(n).append(n == 1 ? " element" : " elements")
                .append("</div>");
        if (shape.length <= 2 && n <= MAX_COPY && n > 0) {
            double[] v = tensor.toDoubleArray();
            long rows = shape.length == 2 ? shape[0] : 1, cols = shape.length == 0 ? 1 : shape[shape.length - 1];
            html.append(table(v, (int) rows, (int) cols));
        } else if (shape.length > 2) {
            html.append("<div><i>rank ").append(shape.length).append(": use select/narrow to view a slice</i></div>");
        }
        html.append("</div>");
        DisplayData d = new DisplayData(String.valueOf(tensor));
        d.putHTML(html.toString());
        return d;
    }

    static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        if (shape.length == 1) sb.append(',');
        return sb.append(')').toString();
    }

    private static String table(double[] v, int rows, int cols) {
        StringBuilder t = new StringBuilder("<table style=\"font-family:monospace;text-align:right\">");
        t.append("<thead><tr><th></th>");
        for (int c : indices(cols, COLS, HEAD_COLS, TAIL_COLS)) t.append(c < 0 ? "<th>&hellip;</th>" : "<th>" + c + "</th>");
        t.append("</tr></thead><tbody>");
        for (int r : indices(rows, ROWS, HEAD_ROWS, TAIL_ROWS)) {
            t.append("<tr>");
            if (r < 0) {
                t.append("<th>&vellip;</th>");
                for (int c : indices(cols, COLS, HEAD_COLS, TAIL_COLS)) t.append("<td>").append(c < 0 ? "" : "&vellip;").append("</td>");
            } else {
                t.append("<th>").append(r).append("</th>");
                for (int c : indices(cols, COLS, HEAD_COLS, TAIL_COLS))
                    t.append("<td>").append(c < 0 ? "&hellip;" : num(v[r * cols + c])).append("</td>");
            }
            t.append("</tr>");
        }
        return t.append("</tbody></table>").toString();
    }

    /** 0..n-1, or head, -1 (the gap), tail when n exceeds max. */
    static int[] indices(int n, int max, int head, int tail) {
        if (n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] out = new int[head + 1 + tail];
        for (int i = 0; i < head; i++) out[i] = i;
        out[head] = -1;
        for (int i = 0; i < tail; i++) out[head + 1 + i] = n - tail + i;
        return out;
    }

    static String num(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return String.format(Locale.ROOT, "%.1f", x);
        double a = Math.abs(x);
        return a != 0 && (a < 1e-3 || a >= 1e6) ? String.format(Locale.ROOT, "%.4e", x) : String.format(Locale.ROOT, "%.6g", x);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
