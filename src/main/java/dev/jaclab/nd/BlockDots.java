package dev.jaclab.nd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-sample blocks assembled from tangents and cotangents over a whole tensor: C tiny products with a long
 * contraction (p, q = 3, X = N·width). {@link #of} is out[c, i, k] = Σ_x a[c, i, x]·b[c, k, x]; {@link #withFactor}
 * is the same against a factored batch (row weights times features) without writing it out. ND4J's batched matmul
 * runs each of the C products as its own gemm call (~0.3 ms apiece at C = 85, X = 8,192); these are one pass over the
 * operands on the heap, sums in double.
 *
 * <pre>{@code
 * NdArray a = NdArray.random(DType.FLOAT32, 1, true, 85, 3, 8192), b = NdArray.random(DType.FLOAT32, 2, true, 85, 3, 8192);
 * NdArray blocks = BlockDots.of(a, b);     // (85, 3, 3)
 * }</pre>
 */
public final class BlockDots {
    private BlockDots() {}

    /** The C blocks a[c]·b[c]ᵀ, (C, p, q), in the operands' promoted dtype. */
    public static NdArray of(NdArray a, NdArray b) {
        long[] sa = a.shape(), sb = b.shape();
        if (sa.length != 3 || sb.length != 3 || sa[0] != sb[0] || sa[2] != sb[2])
            throw new IllegalArgumentException("block dots: a " + Shapes.str(sa) + " and b " + Shapes.str(sb) + " are not (C, p, X) and (C, q, X)");
        DType t = DType.promote(a.dtype(), b.dtype());
        long c = sa[0], p = sa[1], q = sb[1], x = sa[2];
        Rows ra = new Rows(a, t, p * x), rb = new Rows(b, t, q * x);
        double[] out = new double[(int) (c * p * q)];
        for (int s = 0; s < c; s++) {
            double[] u = ra.block(s), v = rb.block(s);
            for (int i = 0; i < p; i++) for (int k = 0; k < q; k++) out[(int) ((s * p + i) * q + k)] = dot(u, (int) (i * x), v, (int) (k * x), (int) x);
        }
        return NdArray.fromDoubles(t, out, c, p, q);
    }

    /**
     * Σ over (row r, feature e) of d[c, i, r, e]·w[c·q + k, r]·f[·, e], (C, p, q): d (C, p, N·width) dense, w (C·q, N)
     * row weights, f (C·q, width) per seed or, when {@code shared}, (N, width) per row.
     */
    public static NdArray withFactor(NdArray d, NdArray w, NdArray f, boolean shared) {
        long[] sd = d.shape(), sw = w.shape(), sf = f.shape();
        long c = sd[0], p = sd[1], n = sw.length == 2 ? sw[1] : -1, width = sf.length == 2 ? sf[1] : -1, q = c == 0 ? 0 : sw[0] / Math.max(1, c);
        if (sd.length != 3 || sw.length != 2 || sf.length != 2 || sw[0] != c * q || sd[2] != n * width || sf[0] != (shared ? n : sw[0]))
            throw new IllegalArgumentException("block dots: dense " + Shapes.str(sd) + " against factor " + Shapes.str(sw) + " ⊗ " + Shapes.str(sf)
                    + (shared ? " (shared)" : " (per seed)") + " do not match");
        DType t = DType.promote(d.dtype(), DType.promote(w.dtype(), f.dtype()));
        if (!shared) return perSeedFactor(d, w, f, t, c, p, q, n, width);
        Rows rd = new Rows(d, t, p * n * width), rw = new Rows(w, t, q * n), rf = new Rows(f, t, n * width);
        int rows = (int) n, wd = (int) width, qs = (int) q;
        double[] fs = rf.block(0), out = new double[(int) (c * p * q)], g = new double[rows];
        for (int s = 0; s < c; s++) {
            double[] u = rd.block(s), a = rw.block(s);
            for (int i = 0; i < p; i++) {
                int at = (int) ((s * p + i) * q), base = i * rows * wd;
                for (int r = 0; r < rows; r++) g[r] = dot(u, base + r * wd, fs, r * wd, wd);   // g[r] = d[c, i, r]·f[r]
                for (int k = 0; k < qs; k++) out[at + k] = dot(g, 0, a, k * rows, rows);
            }
        }
        return NdArray.fromDoubles(t, out, c, p, q);
    }

    /**
     * Per-seed features: per sample one gemm G = d[c] (p·N, width) · f[c]ᵀ (width, q) — every row's dot with every seed's
     * features at gemm rate — then out[c, i, k] = Σ_r w[c·q + k, r]·G[i·N + r, k] on the heap.
     */
    private static NdArray perSeedFactor(NdArray d, NdArray w, NdArray f, DType t, long c, long p, long q, long n, long width) {
        INDArray dAll = NdArray.packedCopy(d.cast(t).a).reshape('c', c * p * n, width), fAll = NdArray.packedCopy(f.cast(t).a);
        INDArray g = NdArray.tracked(org.nd4j.linalg.factory.Nd4j.createUninitialized(dAll.dataType(), p * n, q));
        Rows rw = new Rows(w, t, q * n), rg = new Rows(NdArray.borrow(g), t, p * n * q);
        int rows = (int) n, qs = (int) q;
        double[] out = new double[(int) (c * p * q)];
        for (int s = 0; s < c; s++) {
            INDArray ds = dAll.get(NDArrayIndex.interval(s * p * n, (s + 1) * p * n), NDArrayIndex.all());
            INDArray fs = fAll.get(NDArrayIndex.interval(s * q, (s + 1) * q), NDArrayIndex.all());
            org.nd4j.linalg.factory.Nd4j.gemm(ds, fs, g, false, true, 1.0, 0.0);
            double[] a = rw.block(s), gv = rg.block(0);
            for (int i = 0; i < p; i++)
                for (int k = 0; k < qs; k++) {
                    double sum = 0;
                    for (int r = 0, at = i * rows * qs + k; r < rows; r++, at += qs) sum += a[k * rows + r] * gv[at];
                    out[(int) ((s * p + i) * q + k)] = sum;
                }
        }
        return NdArray.fromDoubles(t, out, c, p, q);
    }

    /** A factored batch over all rows: seed s's value at row r is a[s, r]·f[s] (per seed) or a[s, r]·f[r] (shared). */
    public record Term(NdArray a, NdArray f, boolean shared) {}

    /**
     * Two sides that are each a dense part plus factored terms, met whole: out[c, i, k] = Σ_x A[c, i, x]·B[c, k, x] with
     * A = da + Σ ta written out and B = db + Σ tb, (C, p, q). The dense parts are (C, p, N·w) and (C, q, N·w) or null
     * (then that side is its terms alone; {@code perSample} gives its seeds per sample); each term's row weights are
     * (C·seeds, N). One sample at a time, each side's rows are summed on the heap (one pass per term over its N·w
     * values) and dotted: O(C·(p + q)·N·w) per term instead of a pass per pair of terms.
     */
    public static NdArray ofSums(NdArray da, List<Term> ta, NdArray db, List<Term> tb, long c, long[] perSample, long rows, long width) {
        Side a = new Side("a", da, ta, c, perSample[0], rows, width), b = new Side("b", db, tb, c, perSample[1], rows, width);
        DType t = DType.promote(a.dtype, b.dtype);
        int p = (int) a.seeds, q = (int) b.seeds, w = (int) width;
        double[] out = new double[(int) (c * p * q)];
        for (int s = 0; s < c; s++) {
            double[][] u = a.full(s), v = b.full(s);
            for (int i = 0; i < p; i++)
                for (int k = 0; k < q; k++) {
                    double dot = 0;
                    for (int e = 0; e < w; e++) dot += dot(u[i * w + e], 0, v[k * w + e], 0, (int) rows);
                    out[(s * p + i) * q + k] = dot;
                }
        }
        return NdArray.fromDoubles(t, out, c, p, q);
    }

    /** One side of {@link #ofSums}: its dense part and terms read per sample, summed into one heap buffer. */
    private static final class Side {
        final long seeds;
        final DType dtype;
        final Rows dense;
        final Rows[] weights, features;
        final double[][][] fixed;                      // shared features, read once, feature-major: [term][e][row]
        final double[][] sum, a;                       // [seed·w + e][row]; one term's row weights [seed][row]
        final int rows, width;

        Side(String name, NdArray d, List<Term> terms, long c, long perSample, long rows, long width) {
            long x = rows * width;
            long[] sd = d == null ? null : d.shape();
            if (sd != null && (sd.length != 3 || sd[0] != c || sd[2] != x))
                throw new IllegalArgumentException("block dots: dense " + name + " " + Shapes.str(sd) + " is not (" + c + ", seeds, " + rows + "·" + width + ")");
            seeds = sd != null ? sd[1] : perSample;
            DType t = d == null ? null : d.dtype();
            for (Term term : terms) {
                long[] sa = term.a().shape(), sf = term.f().shape();
                boolean ok = sa.length == 2 && sf.length == 2 && sa[0] == c * seeds && sa[1] == rows && sf[1] == width && sf[0] == (term.shared() ? rows : sa[0]);
                if (!ok) throw new IllegalArgumentException("block dots: " + name + " term " + Shapes.str(sa) + " ⊗ " + Shapes.str(sf)
                        + (term.shared() ? " (shared)" : " (per seed)") + " does not match " + c + " samples × " + seeds + " seeds over " + rows + " rows of width " + width);
                DType tt = DType.promote(term.a().dtype(), term.f().dtype());
                t = t == null ? tt : DType.promote(t, tt);
            }
            if (t == null) throw new IllegalArgumentException("block dots: side " + name + " has neither a dense part nor terms");
            dtype = t;
            this.rows = (int) rows;
            this.width = (int) width;
            dense = d == null ? null : new Rows(d, t, seeds * x);
            weights = new Rows[terms.size()];
            features = new Rows[terms.size()];
            fixed = new double[terms.size()][][];
            for (int i = 0; i < terms.size(); i++) {
                Term term = terms.get(i);
                weights[i] = new Rows(term.a(), t, seeds * rows);
                features[i] = new Rows(term.f(), t, term.shared() ? rows * width : seeds * width);
                if (term.shared()) fixed[i] = split(features[i].block(0), this.width, this.rows);
            }
            sum = new double[(int) (seeds * width)][this.rows];
            a = new double[(int) seeds][this.rows];
        }

        /** x (rows, cols) row-major → its columns, each its own array. */
        private static double[][] split(double[] x, int cols, int rows) {
            double[][] out = new double[cols][rows];
            for (int r = 0; r < rows; r++) for (int e = 0; e < cols; e++) out[e][r] = x[r * cols + e];
            return out;
        }

        /**
         * Sample s's seeds written out, feature-major ([seed·w + e][row], one array per feature so that every term is a
         * vectorizable pass of length N over arrays indexed alike): the dense part plus every term.
         */
        double[][] full(int s) {
            int n = rows, w = width;
            if (dense != null) {
                double[] d = dense.block(s);
                for (int k = 0; k < seeds; k++)
                    for (int e = 0; e < w; e++) {
                        double[] to = sum[k * w + e];
                        for (int r = 0, from = k * n * w + e; r < n; r++, from += w) to[r] = d[from];
                    }
            } else for (double[] row : sum) java.util.Arrays.fill(row, 0);
            for (int i = 0; i < weights.length; i++) {
                double[] all = weights[i].block(s), f = fixed[i] != null ? null : features[i].block(s);
                for (int k = 0; k < seeds; k++) System.arraycopy(all, k * n, a[k], 0, n);
                for (int k = 0; k < seeds; k++)
                    for (int e = 0; e < w; e++) {
                        double[] y = sum[k * w + e], ak = a[k];
                        if (fixed[i] != null) {
                            double[] fe = fixed[i][e];
                            for (int r = 0; r < n; r++) y[r] += ak[r] * fe[r];
                        } else {
                            double fe = f[k * w + e];
                            if (fe != 0) for (int r = 0; r < n; r++) y[r] += fe * ak[r];
                        }
                    }
            }
            return sum;
        }
    }

    private static double dot(double[] a, int oa, double[] b, int ob, int n) {
        double s0 = 0, s1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            s0 += a[oa + j] * b[ob + j];
            s1 += a[oa + j + 1] * b[ob + j + 1];
        }
        if (j < n) s0 += a[oa + j] * b[ob + j];
        return s0 + s1;
    }

    /** Consecutive blocks of a packed array read onto the heap as doubles, one block at a time (buffer reused). */
    private static final class Rows {
        final ByteBuffer bytes;
        final boolean f32;
        final int len;
        final double[] block;
        final float[] floats;

        Rows(NdArray x, DType t, long blockLen) {
            INDArray a = NdArray.packedCopy(x.cast(t).a);
            long bytesLen = a.length() * a.dataType().width();
            bytes = new org.bytedeco.javacpp.BytePointer(a.data().addressPointer()).capacity(bytesLen).limit(bytesLen).asByteBuffer()
                    .order(ByteOrder.nativeOrder());
            if (blockLen > Integer.MAX_VALUE - 8 || a.length() * a.dataType().width() > Integer.MAX_VALUE - 8)
                throw new IllegalArgumentException("block dots: operand of " + a.length() + " elements is beyond one direct buffer");
            f32 = a.dataType() == DataType.FLOAT;
            len = (int) blockLen;
            block = new double[len];
            floats = f32 ? new float[len] : null;
        }

        double[] block(int s) {
            if (f32) {
                bytes.asFloatBuffer().get(s * len, floats);
                for (int i = 0; i < len; i++) block[i] = floats[i];
            } else bytes.asDoubleBuffer().get(s * len, block);
            return block;
        }
    }
}
