package dev.jaclab.tensor;

import dev.jaclab.nd.Shapes;

/** Readable text for tensors: a header (shape, dtype, grad) and the values, truncated for big tensors. */
final class TensorFormat {
    static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(shape=").append(Shapes.str(t.shape())).append(", dtype=").append(t.dtype());
        if (t.isRequiresGrad()) sb.append(t.isLeaf() ? ", requiresGrad" : ", grad_fn=" + t.node().primitive().name());
        if (t.levels().length > 0) return sb.append(", batched over ").append(t.levels().length).append(" level(s))").toString();
        sb.append(")\n");
        long[] s = t.shape();
        if (s.length == 0) return sb.append(num(t.item())).toString();
        double[] v = t.numel() <= 100_000 ? t.toDoubleArray() : null;
        if (v == null) return sb.append("[").append(Shapes.numel(s)).append(" values]").toString();
        append(sb, v, s, 0, 0, 0);
        return sb.toString();
    }

    private static void append(StringBuilder sb, double[] v, long[] s, int dim, long offset, int indent) {
        long n = s[dim];
        long stride = 1;
        for (int i = dim + 1; i < s.length; i++) stride *= s[i];
        sb.append('[');
        for (long i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                sb.append(dim == s.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + 1));
                i = n - EDGE - 1;
                continue;
            }
            if (dim == s.length - 1) sb.append(num(v[(int) (offset + i)]));
            else append(sb, v, s, dim + 1, offset + i * stride, indent + 1);
            if (i < n - 1) sb.append(dim == s.length - 1 ? ", " : ",\n" + " ".repeat(indent + 1));
        }
        sb.append(']');
    }

    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e6) return String.format("%.1f", d);
        double a = Math.abs(d);
        return a != 0 && (a < 1e-4 || a >= 1e6) ? String.format("%.4e", d) : String.format("%.4f", d);
    }
}
