package dev.jaclab.nd;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The array plumbing of {@link AttentionTerms}: wide operands built in place as column blocks of outer products, views
 * of those blocks as (rows, seeds, width), products into row-major buffers, and the per-(row, seed) scalings and
 * normalisations applied to them. Temporaries are registered with the current {@link Arena}; work buffers come from
 * {@link Scratch}.
 */
final class WideOps {
    private WideOps() {}

    /** A view of m's buffer with these sizes and element strides from m's offset + at. */
    static INDArray view(INDArray m, long at, long[] shape, long[] strides) {
        return Nd4j.create(m.data(), shape, strides, m.offset() + at, 'c');
    }

    /** a·b with either transposed, into a fresh row-major array. */
    static INDArray mm(INDArray a, boolean ta, INDArray b, boolean tb) {
        INDArray out = NdArray.tracked(Pool.uninitialized(a.dataType(), ta ? a.columns() : a.rows(), tb ? b.rows() : b.columns()));
        Nd4j.gemm(a, b, out, ta, tb, 1.0, 0.0);
        return out;
    }

    /** Query rows per block so that a block of softmax rows stays within {@code block} elements. */
    static long blockRows(AttentionLayer l, long block) { return Math.max(1, Math.min(l.n, block / Math.max(1, l.m))); }

    /** Rows c0..c0+c of a (seeds, ·) matrix. */
    static INDArray seedRows(INDArray a, long c0, long c) { return AttentionLayer.rows(a, c0, c); }

    static INDArray cols(INDArray a, long c0, long c) { return a.get(NDArrayIndex.all(), NDArrayIndex.interval(c0, c0 + c)); }

    /** The transpose of a (c, R) matrix, packed (R, c). */
    static INDArray packedT(INDArray a) { return NdArray.tracked(a.transpose().dup('c')); }

    /** (R, c) ⊗ (R, w) → (R, c·w): row r holds a[r, s]·b[r, :] for each s. */
    static INDArray outer(INDArray a, INDArray b) {
        long r = a.rows(), c = a.columns(), w = b.columns();
        INDArray out = Nd4j.createUninitialized(a.dataType(), r, c, w);
        INDArray ap = a.isView() || a.ordering() != 'c' ? NdArray.tracked(a.dup('c')) : a, bp = b.isView() || b.ordering() != 'c' ? NdArray.tracked(b.dup('c')) : b;
        Nd4j.exec(new MulOp(new INDArray[]{ap.reshape('c', r, c, 1), bp.reshape('c', r, 1, w)}, new INDArray[]{out}));
        return NdArray.tracked(out).reshape('c', r, c * w);
    }

    /** Columns at..at + c·width of a row-major matrix m (R, ·) as an (R, c, width) view. */
    static INDArray block3(INDArray m, long at, long c, long width) {
        return Nd4j.create(m.data(), new long[]{m.rows(), c, width}, new long[]{m.stride(0), width, 1}, m.offset() + at, 'c');
    }

    /** One fresh (R, Σ c·w) matrix of column blocks a (R, c) ⊗ b (R, w), each written in place (row r: a[r, s]·b[r, :]). */
    static INDArray wide(String slot, List<INDArray[]> parts) {
        long r = parts.get(0)[0].rows(), total = 0;
        for (INDArray[] p : parts) total += p[0].columns() * p[1].columns();
        INDArray out = Scratch.work(slot, parts.get(0)[0].dataType(), r, total);
        long at = 0;
        for (INDArray[] p : parts) {
            long c = p[0].columns(), w = p[1].columns();
            INDArray a = p[0].isView() || p[0].ordering() != 'c' ? NdArray.tracked(p[0].dup('c')) : p[0];
            INDArray b = p[1].isView() || p[1].ordering() != 'c' ? NdArray.tracked(p[1].dup('c')) : p[1];
            Nd4j.exec(new MulOp(new INDArray[]{a.reshape('c', r, c, 1), b.reshape('c', r, 1, w)}, new INDArray[]{block3(out, at, c, w)}));
            at += c * w;
        }
        return out;
    }

    /**
     * From z (R, c, w + 1) = [E·v, rowsum(E)] per (row, seed), scaled by s (R, c) when given: acc (R, c, w) += s ⊙ E·v
     * and rho (R, c) −= s ⊙ rowsum(E) (the row weights of the shared factor ρ ⊗ y).
     */
    static void addScaled(INDArray acc, INDArray rho, INDArray z, INDArray s, long w, long group) {
        INDArray ev = z.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, w));
        INDArray sum = z.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(w));
        if (group > 1) {                                        // z holds one column block per group of seeds
            addExpanded(acc, ev, s, group);
            INDArray r3 = view(rho, 0, new long[]{rho.size(0), rho.size(1) / group, group}, new long[]{rho.stride(0), group, 1});
            INDArray t = NdArray.tracked(Pool.uninitialized(rho.dataType(), r3.shape()));
            Nd4j.exec(new MulOp(new INDArray[]{s.reshape('c', r3.shape()), NdArray.tracked(sum.dup('c')).reshape('c', rho.size(0), rho.size(1) / group, 1)},
                    new INDArray[]{t}));
            r3.subi(t);
            return;
        }
        if (s == null) {
            acc.addi(ev);
            rho.subi(sum);
            return;
        }
        acc.addi(times(ev, s));
        rho.subi(NdArray.tracked(sum.mul(s)));
    }

    /**
     * acc (R, c, w) += s (R, c) ⊙ z expanded, where z (R, c / group, w) holds one value per group of consecutive seeds.
     * acc is row-major with unit strides inside a row (a rows view of a packed array).
     */
    static void addExpanded(INDArray acc, INDArray z, INDArray s, long group) {
        if (group == 1) {
            acc.addi(times(z, s));
            return;
        }
        long r = acc.size(0), c = acc.size(1), w = acc.size(2), g = c / group;
        INDArray a4 = view(acc, 0, new long[]{r, g, group, w}, new long[]{acc.stride(0), group * w, w, 1});
        INDArray z4 = NdArray.tracked(z.dup('c')).reshape('c', r, g, 1, w);
        INDArray sp = s.isView() ? NdArray.tracked(s.dup('c')) : s;
        INDArray t = NdArray.tracked(Pool.uninitialized(acc.dataType(), r, g, group, w));
        Nd4j.exec(new MulOp(new INDArray[]{z4, sp.reshape('c', r, g, group, 1)}, new INDArray[]{t}));
        a4.addi(t);
    }

    /** (R, c·(w+1)) or (R, c, w+1) of [E·v, rowsum(E)] → E·v − rowsum(E)·y, (R, c, w). */
    static INDArray normalised(INDArray z, INDArray y, long w) {
        long r = z.size(0), c = z.length() / (r * (w + 1));
        INDArray z3 = z.reshape('c', r, c, w + 1);
        INDArray sum = NdArray.tracked(z3.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(w, w + 1)).dup('c'));
        INDArray ev = NdArray.tracked(z3.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, w)).dup('c'));
        INDArray t = NdArray.tracked(Pool.uninitialized(z.dataType(), r, c, w));
        Nd4j.exec(new MulOp(new INDArray[]{sum, y.isView() ? NdArray.tracked(y.dup('c')).reshape('c', r, 1, w) : y.reshape('c', r, 1, w)}, new INDArray[]{t}));
        Nd4j.exec(new SubOp(new INDArray[]{ev, t}, new INDArray[]{ev}));
        return ev;
    }

    /** x (R, c, w) scaled by s (R, c) per (row, seed), and by g (R, w) per (row, feature) when given: fresh. */
    static INDArray times(INDArray x, INDArray s, INDArray... g) {
        INDArray out = NdArray.tracked(Pool.uninitialized(x.dataType(), x.shape()));
        INDArray sp = s.isView() ? NdArray.tracked(s.dup('c')) : s;
        Nd4j.exec(new MulOp(new INDArray[]{x, sp.reshape('c', x.size(0), x.size(1), 1)}, new INDArray[]{out}));
        if (g.length > 0) Nd4j.exec(new MulOp(new INDArray[]{out, g[0].reshape('c', x.size(0), 1, x.size(2))}, new INDArray[]{out}));
        return out;
    }

    /** P ⊙ (F·vᵀ − ρ) for a block of rows (ρ (b, 1) or null), fresh. */
    static INDArray scores(INDArray p, INDArray f, INDArray v, INDArray rho) {
        INDArray fv = mm(f, false, v, true);
        if (rho != null) fv.subiColumnVector(rho);
        return fv.muli(p);
    }
}
