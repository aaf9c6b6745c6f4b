package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;

/** Composite operations (no rules of their own: built from primitives) and argument checks behind Tensor's methods. */
final class TensorOps {
    private TensorOps() {}

    static int[] dims(String op, int[] dims, int rank) {
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = Shapes.dim(op, dims[i], rank);
        int[] sorted = out.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++)
            if (sorted[i] == sorted[i - 1]) throw new IllegalArgumentException(op + ": dim " + sorted[i] + " repeated in " + Arrays.toString(dims));
        return out;
    }

    static Tensor concat(int dim, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: no tensors given");
        if (parts.length == 1) return parts[0];
        int d = Shapes.dim("concat", dim, parts[0].rank());
        return Binder.bind(new ShapeOps.Concat(d), parts);
    }

    static Tensor stack(int dim, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("stack: no tensors given");
        int d = dim < 0 ? dim + parts[0].rank() + 1 : dim;
        Tensor[] u = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!Arrays.equals(parts[i].shape(), parts[0].shape()))
                throw new IllegalArgumentException("stack: shapes " + Shapes.str(parts[0].shape()) + " and " + Shapes.str(parts[i].shape()) + " differ");
            u[i] = parts[i].unsqueeze(d);
        }
        return u.length == 1 ? u[0] : Binder.bind(new ShapeOps.Concat(d), u);
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("allClose: shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " differ");
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    static boolean allClose(Tensor a, Tensor b, double rtol, double atol) {
        if (!Arrays.equals(a.shape(), b.shape())) return false;
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i]) || Double.isNaN(y[i])) return false;
            if (Math.abs(x[i] - y[i]) > atol + rtol * Math.abs(y[i])) return false;
        }
        return true;
    }

    /** Constant sign(x) (zero where x is zero). */
    static Tensor sign(Tensor x) { return new Tensor(x.data().sign(), x.levels()); }

    static Tensor compare(String op, Tensor a, Tensor b) {
        int[] levels = Binder.union(a, b);
        int r = Math.max(a.rank(), b.rank());
        NdArray m = Binder.align(a, levels, r).compare(op, Binder.align(b, levels, r));
        return new Tensor(m, levels);
    }

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0)
            throw new IllegalArgumentException("matmul: scalar operand in " + Shapes.str(a.shape()) + " @ " + Shapes.str(b.shape()) + " (use mul)");
        boolean av = a.rank() == 1, bv = b.rank() == 1;
        if (av && bv && a.size(0) != b.size(0))
            throw new IllegalArgumentException("matmul: " + Shapes.str(a.shape()) + " @ " + Shapes.str(b.shape()) + ": inner dims " + a.size(0) + " and " + b.size(0) + " differ");
        Tensor l = av ? a.unsqueeze(0) : a, r = bv ? b.unsqueeze(1) : b;
        Tensor y = Binder.bind(new Linalg.Matmul(), l, r);
        if (bv) y = y.squeeze(-1);
        if (av) y = y.squeeze(av && bv ? -1 : -2);
        return y;
    }

    static Tensor affine(Tensor x, Tensor w, Tensor b) {
        if (b == null) return matmul(x, w);
        if (x.rank() < 2 || w.rank() < 2)
            throw new IllegalArgumentException("affine: operands need rank >= 2, got " + Shapes.str(x.shape()) + " @ " + Shapes.str(w.shape())
                    + " (use matmul(...).add(b) for vectors)");
        return Binder.bind(new Linalg.Affine(), x, w, b);
    }

    static Tensor outer(Tensor a, Tensor b) {
        if (a.rank() != 1 || b.rank() != 1)
            throw new IllegalArgumentException("outer: needs two vectors, got " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        return a.reshape(a.size(0), 1).mul(b.reshape(1, b.size(0)));
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        int r = x.rank();
        int a = Shapes.dim("transpose", d0, r), b = Shapes.dim("transpose", d1, r);
        if (a == b) return x;
        int[] p = Shapes.range(0, r);
        p[a] = b;
        p[b] = a;
        return Binder.bind(new ShapeOps.Permute(p), x);
    }

    static Tensor permute(Tensor x, int[] perm) {
        int[] p = new int[perm.length];
        for (int i = 0; i < p.length; i++) p[i] = perm[i] < 0 ? perm[i] + x.rank() : perm[i];
        if (Arrays.equals(p, Shapes.range(0, x.rank()))) return x;
        return Binder.bind(new ShapeOps.Permute(p), x);
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        int[] d = dims("mean", dims, x.rank());
        long count = 1;
        for (int i : d) count *= x.size(i);
        return x.sum(d, keepDim).div(count);
    }

    static Tensor var(Tensor x, int[] dims, boolean keepDim, int correction) {
        int[] d = dims("var", dims, x.rank());
        long count = 1;
        for (int i : d) count *= x.size(i);
        if (correction < 0 || count - correction <= 0)
            throw new IllegalArgumentException("var: " + count + " element(s) over dims " + Arrays.toString(dims) + " of "
                    + Shapes.str(x.shape()) + " with correction " + correction + " leave no degrees of freedom");
        Tensor centred = x.sub(x.mean(d, true));
        return centred.square().sum(d, keepDim).div(count - correction);
    }

    static Tensor logSumExp(Tensor x, int[] dims, boolean keepDim) {
        int[] d = dims("logSumExp", dims, x.rank());
        Tensor m = x.detach().max(d, true);
        Tensor lse = x.sub(m).exp().sum(d, true).log().add(m);
        return keepDim ? lse : lse.reshape(Reductions.reducedShape(x.shape(), sorted(d), false));
    }

    static Tensor softmax(Tensor x, int dim) {
        int d = Shapes.dim("softmax", dim, x.rank());
        Tensor e = x.sub(x.detach().max(new int[]{d}, true)).exp();
        return e.div(e.sum(new int[]{d}, true));
    }

    static Tensor logSoftmax(Tensor x, int dim) { return x.sub(x.logSumExp(new int[]{dim}, true)); }

    private static int[] sorted(int[] d) { int[] s = d.clone(); Arrays.sort(s); return s; }

    static Tensor sumTo(Tensor x, long[] target) {
        long[] s = x.shape();
        if (Arrays.equals(s, target)) return x;
        if (!Shapes.broadcastsTo(target, s))
            throw new IllegalArgumentException("sumTo: " + Shapes.str(s) + " cannot be reduced to " + Shapes.str(target));
        int lead = s.length - target.length;
        int[] dims = java.util.stream.IntStream.range(0, s.length)
                .filter(i -> i < lead || (target[i - lead] == 1 && s[i] != 1)).toArray();
        Tensor r = dims.length == 0 ? x : x.sum(dims, true);
        return r.reshape(target);
    }

    static Tensor reshape(Tensor x, long[] shape) {
        long[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shapes.str(shape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0)
                throw new IllegalArgumentException("reshape: cannot view " + Shapes.str(x.shape()) + " as " + Shapes.str(shape));
            s[infer] = x.numel() / known;
        }
        if (Arrays.equals(s, x.shape())) return x;
        return Binder.bind(new ShapeOps.Reshape(s), x);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.rank();
        int d = dim < 0 ? dim + r + 1 : dim;
        if (d < 0 || d > r) throw new IllegalArgumentException("unsqueeze: dim " + dim + " out of range for rank " + r);
        long[] s = x.shape();
        long[] o = new long[r + 1];
        for (int i = 0, j = 0; i <= r; i++) o[i] = i == d ? 1 : s[j++];
        return x.reshape(o);
    }

    static Tensor squeeze(Tensor x, int dim) {
        long[] s = x.shape();
        int d = Shapes.dim("squeeze", dim, s.length);
        if (s[d] != 1) throw new IllegalArgumentException("squeeze: dim " + dim + " of " + Shapes.str(s) + " has size " + s[d] + ", not 1");
        long[] o = new long[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) o[j++] = s[i];
        return x.reshape(o);
    }

    static Tensor squeeze(Tensor x) { return x.reshape(Arrays.stream(x.shape()).filter(v -> v != 1).toArray()); }
}
