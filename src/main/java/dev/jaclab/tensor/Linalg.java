package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;

/** Matrix product primitive (rank ≥ 2 operands, broadcast leading dims). Rank-1 cases are reshaped by Tensor. */
final class Linalg {
    private Linalg() {}

    static final class Matmul extends Primitive {
        @Override public String name() { return "matmul"; }

        @Override protected boolean broadcasting() { return true; }

        @Override protected long[] shape(long[][] in) {
            long[] a = in[0], b = in[1];
            if (a.length < 2 || b.length < 2)
                throw new IllegalArgumentException("matmul: operands need rank >= 2, got " + Shapes.str(a) + " @ " + Shapes.str(b));
            long k1 = a[a.length - 1], k2 = b[b.length - 2];
            if (k1 != k2)
                throw new IllegalArgumentException("matmul: " + Shapes.str(a) + " @ " + Shapes.str(b)
                        + ": inner dims " + k1 + " and " + k2 + " differ");
            long[] batch = Shapes.broadcast("matmul", Shapes.prefix(a, a.length - 2), Shapes.prefix(b, b.length - 2));
            return Shapes.concat(batch, new long[]{a[a.length - 2], b[b.length - 1]});
        }

        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].matmul(in[1]); }

        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor a = n.inputs()[0], b = n.inputs()[1];
            return new Tensor[]{
                    Elementwise.need(n, 0) ? g.matmul(b.mT()).sumTo(a.shape()) : null,
                    Elementwise.need(n, 1) ? a.mT().matmul(g).sumTo(b.shape()) : null};
        }

        @Override protected Tensor jvp(Tensor[] t, Node n) {
            Tensor a = n.inputs()[0], b = n.inputs()[1];
            Tensor l = t[0] == null ? null : t[0].matmul(b), r = t[1] == null ? null : a.matmul(t[1]);
            return l == null ? r : r == null ? l : l.add(r);
        }

        /** Left operand: rows stay rows. Right operand: per-sample only when dim 0 is a matmul batch dim. */
        @Override public boolean perSample(Node n, int input) {
            long[] s = n.inputs()[input].shape();
            if (input == 1 && s.length < 3) return false;
            return keepsSampleAxis(n, input) && (input == 0 || s.length >= 3);
        }
    }
}
