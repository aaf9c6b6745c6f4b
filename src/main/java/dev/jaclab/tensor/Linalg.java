package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;

/**
 * Matrix product primitives (rank ≥ 2 operands, broadcast leading dims; rank-1 cases are reshaped by Tensor): the
 * product A·B, and the affine map A·B + c as one node (the product without its bias never exists).
 */
final class Linalg {
    private Linalg() {}

    static class Matmul extends Primitive implements RowSparseVjp, SecondOrderJvp {
        @Override public String name() { return "matmul"; }

        /** 2 Σ_a t_a(A)·t_a(B); zero when only one operand moves. */
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) {
            return t[0] == null || t[1] == null ? null : SecondOrderJvp.sumOverDirections(t[0].matmul(t[1]), level, size).mul(2.0);
        }

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

        /** Each operand's values for the other's rule; the product itself is never read. */
        @Override protected boolean savesOutput(Node n) { return false; }

        /** 2·k flops per output element (k the inner dim); the broadcast batch dims are in the output's count. */
        @Override public Work work(long[][] in, long[] out, int b) {
            long[] a = in[0];
            return Work.gemm(2 * numel(out) * a[a.length - 1], numel(in), numel(out));
        }

        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor a = n.inputs()[0], b = n.inputs()[1];
            return new Tensor[]{
                    Elementwise.need(n, 0) ? g.matmul(b.mT()).sumTo(a.shape()) : null,
                    Elementwise.need(n, 1) ? a.mT().matmul(g).sumTo(b.shape()) : null};
        }

        @Override protected Tensor jvpPart(int input, Tensor t, Node n) {
            return input == 0 ? t.matmul(n.inputs()[1]) : n.inputs()[0].matmul(t);
        }

        /**
         * Restricted to K rows of the left operand per seed, where the right operand B is row-local (its row j belongs
         * to sample j) or the transpose of a row-local tensor (kᵀ in q·kᵀ): only row r_c of dB = A_rᵀ·g is wanted,
         * Σ_k A_r[k, r_c]·g[k], or only column r_c, Σ_k A_r[k]·g[k, r_c] — O(K·width) per seed instead of a dense
         * outer product. Other shapes fall back to {@link #vjp}.
         */

        @Override public Tensor[] vjpOwnRows(Tensor g, Node n, Own[] own, long[] rows) {
            Tensor a = n.inputs()[0], b = n.inputs()[1];
            int[] level = a.levels();
            if (own[1] == Own.ALL || own[1] == Own.TERMS || level.length != 1 || b.levels().length != 0 || a.rank() != 2 || b.rank() != 2
                    || !java.util.Arrays.equals(g.levels(), level)) return null;
            long c = rows.length, k = a.size(0);
            if (a.data().rank() != 3 || a.data().shape()[0] != c || g.data().rank() != 3 || g.data().shape()[0] != c) return null;
            NdArray db = own[1] == Own.ROW
                    ? a.data().columnsAt(rows).reshape(c, 1, k).matmul(g.data())                   // (C, 1, p)
                    : g.data().columnsAt(rows).reshape(c, 1, k).matmul(a.data());                  // (C, 1, inner)
            Tensor da = Elementwise.need(n, 0) ? g.matmul(b.mT()).sumTo(a.shape()) : null;
            return new Tensor[]{da, new Tensor(db, level)};
        }

        /**
         * A·B with plain matrices, g on K rows of the output per seed, and only S rows of B wanted (B = x.reshape(s·N, ...):
         * the forum's dense layer over the flattened batch): dB[rows] = A[outRows, inRows]ᵀ·g, O(K·S) per seed — the
         * K×S entries of A are all it reads.
         */
        @Override public Tensor vjpRowBlock(Tensor g, Node n, int input, long[] outRows, long[] inRows) {
            Tensor a = n.inputs()[0], b = n.inputs()[1];
            int[] level = g.levels();
            if (input != 1 || a.rank() != 2 || b.rank() != 2 || a.levels().length != 0 || b.levels().length != 0 || level.length != 1
                    || g.data().rank() != 3) return null;
            int c = (int) g.data().shape()[0];
            if (outRows.length != c * g.data().shape()[1] || inRows.length % c != 0) return null;
            long k = outRows.length / c, w = inRows.length / c, q = g.data().shape()[2];
            WorkMeter.add(new Work(2.0 * c * w * k * q, c * w * k, 0, 0, 0, 2));     // gathers K×S entries per seed, one small product
            if (ShapeTrace.active()) return new Tensor(NdArray.shapeOnly(g.dtype(), c, w, q), level);
            return new Tensor(a.data().blocksT(outRows, inRows, c).matmul(g.data()), level);          // (C, S, p)
        }

        /** x·W with plain matrices: every row of x goes through the same W. */
        @Override public boolean rowUniformLinear(Node n, int input) {
            Tensor a = n.inputs()[0], b = n.inputs()[1];
            return input == 0 && a.rank() == 2 && b.rank() == 2 && a.levels().length == 0 && b.levels().length == 0;
        }

        /** Left operand: rows stay rows. Right operand: per-sample only when dim 0 is a matmul batch dim. */
        @Override public boolean perSample(Node n, int input) {
            long[] s = n.inputs()[input].shape();
            if (input == 1 && s.length < 3) return false;
            return keepsSampleAxis(n, input) && (input == 0 || s.length >= 3);
        }
    }

    /**
     * x·W + b as one op (PyTorch's addmm): the bias is added into the product's own buffer, so a layer leaves one
     * (N, p) array, not the product and its sum. Every rule of the product holds for inputs 0 and 1 (the bias moves
     * the output, not its derivative in x or W); the bias's cotangent is the output's summed to its shape, its tangent
     * the output's tangent broadcast.
     */
    static final class Affine extends Matmul {
        @Override public String name() { return "affine"; }

        @Override protected long[] shape(long[][] in) {
            long[] out = super.shape(in);
            long[] c = in[2];
            if (!Shapes.broadcastsTo(c, out))
                throw new IllegalArgumentException("affine: bias " + Shapes.str(c) + " does not broadcast to the product "
                        + Shapes.str(in[0]) + " @ " + Shapes.str(in[1]) + " = " + Shapes.str(out));
            return out;
        }

        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].matmulAdd(in[1], in[2]); }

        /** The product's flops, and one pass over the output adding the bias. */
        @Override public Work work(long[][] in, long[] out, int b) {
            long[] a = in[0];
            return new Work(2 * numel(out) * a[a.length - 1], numel(out), 0, numel(in) + numel(out), 2 * numel(out), 1);
        }

        /** The bias's rules read its shape only. */
        @Override protected boolean savesInput(Node n, int input) { return input != 2; }

        @Override protected Tensor[] vjp(Tensor g, Node n) {
            return withBias(super.vjp(g, n), g, n);
        }

        /** The product's cotangents for x and W, and the bias's: g summed to its shape. */
        private static Tensor[] withBias(Tensor[] ab, Tensor g, Node n) {
            return ab == null ? null : new Tensor[]{ab[0], ab[1], Elementwise.need(n, 2) ? g.sumTo(n.inputs()[2].shape()) : null};
        }

        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return input == 2 ? t : super.jvpPart(input, t, n); }

        @Override public Tensor[] vjpOwnRows(Tensor g, Node n, Own[] own, long[] rows) {
            return withBias(super.vjpOwnRows(g, n, own, rows), g, n);
        }

        @Override public Tensor vjpRowBlock(Tensor g, Node n, int input, long[] outRows, long[] inRows) {
            return input == 2 ? null : super.vjpRowBlock(g, n, input, outRows, inRows);
        }

        /** The product's row-uniform inputs, with a bias shared by every row (a per-row bias shifts rows differently). */
        @Override public boolean rowUniformLinear(Node n, int input) {
            Tensor c = n.inputs()[2];
            return input != 2 && c.levels().length == 0 && c.rank() <= 1 && super.rowUniformLinear(n, input);
        }

        /** The bias: per-sample only when it has a row per sample. */
        @Override public boolean perSample(Node n, int input) { return input == 2 ? keepsSampleAxis(n, 2) : super.perSample(n, input); }
    }
}
