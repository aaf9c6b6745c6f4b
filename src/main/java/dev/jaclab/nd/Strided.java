package dev.jaclab.nd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Strided copies into a fresh packed array, in one pass over host memory: {@code out[i₀…iₖ] = src[Σ i_d·stride_d]}.
 * A broadcast is a stride of 0, a permutation is the source's strides permuted. ND4J's own broadcast op costs
 * ~75 ns per element on (3, 16384, 3) and a permuted {@code dup} ~4 ns; this loop is memory-bound (~1 ns).
 * Host memory only: on a CUDA backend, or beyond 2 GiB (a direct buffer's limit), {@link #supported} is false
 * and callers keep ND4J's route.
 *
 * <pre>{@code
 * INDArray tiled = Strided.copy(packed, new long[]{3, 16384, 3}, new long[]{3, 0, 1});   // (3,1,3) → (3,16384,3)
 * }</pre>
 */
final class Strided {
    private static final boolean HOST = !Backend.kind().equals("CUDA");
    /** Sources up to this size are read onto the heap (larger ones take ND4J's route). */
    private static final long MAX_SOURCE_BYTES = 1L << 28;

    private Strided() {}

    /** Whether {@link #copy} runs for a packed source and an output of these sizes. */
    static boolean supported(INDArray src, long outNumel) {
        DataType t = src.dataType();
        long w = t.width();
        return HOST && (t == DataType.FLOAT || t == DataType.DOUBLE) && outNumel * w < Integer.MAX_VALUE
                && src.length() * w <= MAX_SOURCE_BYTES && src.offset() == 0;
    }

    /** Element strides of a packed (c-order) array of {@code shape}. */
    static long[] packedStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /** Strides that read {@code src} (packed, padded on the left to the rank of {@code shape}) broadcast to {@code shape}. */
    static long[] broadcastStrides(long[] srcShape, long[] shape) {
        long[] padded = Shapes.padLeft(srcShape, shape.length), s = packedStrides(padded);
        for (int d = 0; d < shape.length; d++) if (padded[d] == 1 && shape[d] != 1) s[d] = 0;
        return s;
    }

    /** A fresh packed array of {@code shape} with {@code out[idx] = src[Σ idx_d · strides_d]} (src packed, offset 0). */
    static INDArray copy(INDArray src, long[] shape, long[] strides) {
        INDArray z = Pool.uninitialized(src.dataType(), shape);
        copyInto(src, shape, strides, z, 0);
        return z;
    }

    /**
     * The same copy written into the packed array {@code z} from element {@code at} on (its next numel(shape) elements):
     * a block of rows of a larger result, written in place. z must be host memory under 2 GiB, src as for {@link #copy}.
     */
    static void copyInto(INDArray src, long[] shape, long[] strides, INDArray z, long at) {
        long n = Shapes.numel(shape);
        if (n == 0) return;
        // drop size-1 dims, merge neighbours that walk the source contiguously
        long[] sh = new long[shape.length], st = new long[shape.length];
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (r > 0 && st[r - 1] == strides[d] * shape[d]) {
                sh[r - 1] *= shape[d];
                st[r - 1] = strides[d];
                continue;
            }
            sh[r] = shape[d];
            st[r++] = strides[d];
        }
        if (r == 0) {
            sh[0] = 1;
            r = 1;
        }
        sh = Arrays.copyOf(sh, r);
        st = Arrays.copyOf(st, r);
        long w = src.dataType().width();
        ByteBuffer sb = bytes(src), zb = bytes(z).position((int) (at * w)).slice().order(ByteOrder.nativeOrder());
        boolean f = src.dataType() == DataType.FLOAT;
        if (r > 1 && sh[r - 1] < 16 && st[r - 2] != 0 && n <= GATHER_MAX) {
            if (f) gatherFloats(sb.asFloatBuffer(), zb.asFloatBuffer(), sh, st, n);
            else gatherDoubles(sb.asDoubleBuffer(), zb.asDoubleBuffer(), sh, st, n);
        } else if (f) floats(sb.asFloatBuffer(), zb.asFloatBuffer(), sh, st, n);
        else doubles(sb.asDoubleBuffer(), zb.asDoubleBuffer(), sh, st, n);
    }

    /**
     * z[at + Σ idx_d · to_d] = src[Σ idx_d · from_d] for every index of {@code shape}: a block written into place
     * inside a larger packed array (src packed, offset 0; both host memory under 2 GiB). The last dim is the inner loop.
     */
    static void copyBlock(INDArray src, long[] shape, long[] from, INDArray z, long at, long[] to) {
        int r = shape.length, inner = (int) shape[r - 1];
        long outer = Shapes.numel(shape) / Math.max(1, inner);
        int fi = (int) from[r - 1], ti = (int) to[r - 1];
        ByteBuffer sb = bytes(src), zb = bytes(z);
        boolean f = src.dataType() == DataType.FLOAT;
        FloatBuffer sf = f ? sb.asFloatBuffer() : null, zf = f ? zb.asFloatBuffer() : null;
        DoubleBuffer sd = f ? null : sb.asDoubleBuffer(), zd = f ? null : zb.asDoubleBuffer();
        SmallOps.Rows w = new SmallOps.Rows(shape, from, to, r);
        for (long o = 0; o < outer; o++) {
            int si = (int) w.px, zi = (int) (w.py + at);
            if (f) for (int j = 0; j < inner; j++, si += fi, zi += ti) zf.put(zi, sf.get(si));
            else for (int j = 0; j < inner; j++, si += fi, zi += ti) zd.put(zi, sd.get(si));
            w.next();
        }
    }

    /**
     * (..., p) → a fresh packed (..., p, p) with each row of the source on a diagonal and zeros elsewhere (src packed,
     * offset 0, as for {@link #copy}): rows gathered in heap chunks, each written with one bulk put.
     */
    static INDArray diagEmbed(INDArray src, long[] outShape) {
        INDArray z = Pool.uninitialized(src.dataType(), outShape);
        int p = (int) outShape[outShape.length - 1], block = p * p, rows = (int) (src.length() / Math.max(1, p));
        int chunk = Math.max(1, (1 << 12) / Math.max(1, block));           // a chunk of 16 KiB (floats): fill and scatter in L1
        FloatBuffer sf = null, zf = null;
        DoubleBuffer sd = null, zd = null;
        boolean f = src.dataType() == DataType.FLOAT;
        if (f) { sf = bytes(src).asFloatBuffer(); zf = bytes(z).asFloatBuffer(); }
        else { sd = bytes(src).asDoubleBuffer(); zd = bytes(z).asDoubleBuffer(); }
        float[] fin = f ? heapFloats(0, chunk * p) : null, fout = f ? heapFloats(1, chunk * block) : null;
        double[] din = f ? null : heapDoubles(0, chunk * p), dout = f ? null : heapDoubles(1, chunk * block);
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int c = Math.min(chunk, rows - r0);
            if (f) {
                sf.get(r0 * p, fin, 0, c * p);
                Arrays.fill(fout, 0, c * block, 0f);
                for (int k = 0; k < p; k++)                                    // one diagonal position at a time: long loops
                    for (int i = 0, from = k, to = k * (p + 1); i < c; i++, from += p, to += block) fout[to] = fin[from];
                zf.put(r0 * block, fout, 0, c * block);
            } else {
                sd.get(r0 * p, din, 0, c * p);
                Arrays.fill(dout, 0, c * block, 0d);
                for (int k = 0; k < p; k++)
                    for (int i = 0, from = k, to = k * (p + 1); i < c; i++, from += p, to += block) dout[to] = din[from];
                zd.put(r0 * block, dout, 0, c * block);
            }
        }
        return z;
    }

    /**
     * Heap arrays reused per thread (slot 0 the source, 1 the output) up to this many elements each; longer ones are
     * fresh. A copy made per op otherwise leaves its source and output as garbage: 1.2 MB per (3, 16384, 3) permute.
     */
    private static final int REUSE_MAX = 1 << 20;
    private static final ThreadLocal<float[][]> HEAP_FLOATS = ThreadLocal.withInitial(() -> new float[2][0]);
    private static final ThreadLocal<double[][]> HEAP_DOUBLES = ThreadLocal.withInitial(() -> new double[2][0]);

    /** A heap array of at least n elements for this thread's slot (contents undefined). */
    private static float[] heapFloats(int slot, int n) {
        if (n > REUSE_MAX) return new float[n];
        float[][] a = HEAP_FLOATS.get();
        if (a[slot].length < n) a[slot] = new float[Math.max(n, Math.min(REUSE_MAX, 2 * a[slot].length))];
        return a[slot];
    }

    private static double[] heapDoubles(int slot, int n) {
        if (n > REUSE_MAX) return new double[n];
        double[][] a = HEAP_DOUBLES.get();
        if (a[slot].length < n) a[slot] = new double[Math.max(n, Math.min(REUSE_MAX, 2 * a[slot].length))];
        return a[slot];
    }

    /** The host buffer of a packed array (offset 0) as a native-order byte view. */
    static ByteBuffer bytes(INDArray x) {
        long len = x.length() * x.dataType().width();
        return new org.bytedeco.javacpp.BytePointer(x.data().addressPointer()).capacity(len).limit(len).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /** Outputs up to this many elements with short rows are gathered whole on the heap, longest dim innermost. */
    private static final long GATHER_MAX = 1L << 24;

    /** The odometer order for the gather: the longest dim last, so the innermost loop is long. */
    private static int[] order(long[] sh) {
        int r = sh.length, longest = 0;
        for (int d = 1; d < r; d++) if (sh[d] > sh[longest]) longest = d;
        int[] o = new int[r];
        for (int d = 0, j = 0; d < r; d++) if (d != longest) o[j++] = d;
        o[r - 1] = longest;
        return o;
    }

    /*
     * Short rows with a strided middle dim (permutations such as (B, N, m) → (N, B, m)): the whole output is assembled
     * on the heap walking the longest dim innermost, then written with one bulk put.
     */
    private static void gatherFloats(FloatBuffer s, FloatBuffer z, long[] sh, long[] st, long n) {
        float[] src = heapFloats(0, s.capacity()), out = heapFloats(1, (int) n);
        s.get(0, src, 0, s.capacity());
        Gather g = new Gather(sh, st);
        do {
            for (int j = 0, at = (int) g.srcBase, to = (int) g.outBase; j < g.len; j++, at += g.srcStep, to += g.outStep) out[to] = src[at];
        } while (g.next());
        z.put(0, out, 0, (int) n);
    }

    private static void gatherDoubles(DoubleBuffer s, DoubleBuffer z, long[] sh, long[] st, long n) {
        double[] src = heapDoubles(0, s.capacity()), out = heapDoubles(1, (int) n);
        s.get(0, src, 0, s.capacity());
        Gather g = new Gather(sh, st);
        do {
            for (int j = 0, at = (int) g.srcBase, to = (int) g.outBase; j < g.len; j++, at += g.srcStep, to += g.outStep) out[to] = src[at];
        } while (g.next());
        z.put(0, out, 0, (int) n);
    }

    /** An odometer over every dim but the longest, tracking the source and (packed) output offsets. */
    private static final class Gather {
        final long[] sh, st, os, idx;
        final int[] order;
        final int len, srcStep, outStep;
        long srcBase, outBase;

        Gather(long[] sh, long[] st) {
            this.sh = sh;
            this.st = st;
            os = packedStrides(sh);
            order = order(sh);
            idx = new long[sh.length];
            int last = order[sh.length - 1];
            len = (int) sh[last];
            srcStep = (int) st[last];
            outStep = (int) os[last];
        }

        boolean next() {
            for (int k = sh.length - 2; k >= 0; k--) {
                int d = order[k];
                srcBase += st[d];
                outBase += os[d];
                if (++idx[d] < sh[d]) return true;
                srcBase -= st[d] * sh[d];
                outBase -= os[d] * sh[d];
                idx[d] = 0;
            }
            return false;
        }
    }

    /*
     * The source is read into a heap array once and the output is assembled in heap chunks, each written with one
     * bulk put (element-wise access to direct buffers is several times slower than arrays). The last two merged dims
     * form a block of mid rows × inner elements; the dims before them step an odometer once per block. Blocks run as
     * long loops: a repeated row (mid stride 0) is written once and doubled with arraycopy, short rows are walked
     * column by column (a 3-element inner loop per row costs more than its copy).
     */
    private static final int CHUNK = 1 << 15, MAX_BLOCK = 1 << 22;

    private static void floats(FloatBuffer s, FloatBuffer z, long[] sh, long[] st, long n) {
        float[] src = heapFloats(0, s.capacity());
        s.get(0, src, 0, s.capacity());
        Walk w = new Walk(sh, st, n);
        float[] out = heapFloats(1, w.bufferSize());
        for (int pos = 0; pos < n; ) {
            int o = 0;
            for (int q = 0; q < w.per && pos + o < n; q++, w.step()) {
                int b = (int) w.base;
                if (w.ms == 0 && w.mid > 1) {
                    for (int k = 0, at = b; k < w.inner; k++, at += w.is) out[o + k] = src[at];
                    for (int filled = w.inner; filled < w.block; filled *= 2)
                        System.arraycopy(out, o, out, o + filled, Math.min(filled, w.block - filled));
                } else if (w.inner < 16) {
                    for (int k = 0; k < w.inner; k++)
                        for (int j = 0, at = b + k * w.is, to = o + k; j < w.mid; j++, at += w.ms, to += w.inner) out[to] = src[at];
                } else for (int j = 0, row = b, to = o; j < w.mid; j++, row += w.ms, to += w.inner) {
                    if (w.is == 1) System.arraycopy(src, row, out, to, w.inner);
                    else for (int k = 0, at = row; k < w.inner; k++, at += w.is) out[to + k] = src[at];
                }
                o += w.block;
            }
            z.put(pos, out, 0, o);
            pos += o;
        }
    }

    private static void doubles(DoubleBuffer s, DoubleBuffer z, long[] sh, long[] st, long n) {
        double[] src = heapDoubles(0, s.capacity());
        s.get(0, src, 0, s.capacity());
        Walk w = new Walk(sh, st, n);
        double[] out = heapDoubles(1, w.bufferSize());
        for (int pos = 0; pos < n; ) {
            int o = 0;
            for (int q = 0; q < w.per && pos + o < n; q++, w.step()) {
                int b = (int) w.base;
                if (w.ms == 0 && w.mid > 1) {
                    for (int k = 0, at = b; k < w.inner; k++, at += w.is) out[o + k] = src[at];
                    for (int filled = w.inner; filled < w.block; filled *= 2)
                        System.arraycopy(out, o, out, o + filled, Math.min(filled, w.block - filled));
                } else if (w.inner < 16) {
                    for (int k = 0; k < w.inner; k++)
                        for (int j = 0, at = b + k * w.is, to = o + k; j < w.mid; j++, at += w.ms, to += w.inner) out[to] = src[at];
                } else for (int j = 0, row = b, to = o; j < w.mid; j++, row += w.ms, to += w.inner) {
                    if (w.is == 1) System.arraycopy(src, row, out, to, w.inner);
                    else for (int k = 0, at = row; k < w.inner; k++, at += w.is) out[to + k] = src[at];
                }
                o += w.block;
            }
            z.put(pos, out, 0, o);
            pos += o;
        }
    }

    /** The walk over merged dims: block = mid · inner elements, an odometer over the dims before them. */
    private static final class Walk {
        final long[] sh, st, idx;
        final int inner, is, mid, ms, block, per, outer;
        final long total;
        long base;

        Walk(long[] sh, long[] st, long n) {
            total = n;
            int r = sh.length;
            if (r > 1 && sh[r - 1] * sh[r - 2] > MAX_BLOCK) {              // split mid so one block stays small
                long c = Math.max(1, MAX_BLOCK / sh[r - 1]);
                while (sh[r - 2] % c != 0) c--;
                sh = Arrays.copyOf(sh, r + 1);
                st = Arrays.copyOf(st, r + 1);
                sh[r] = sh[r - 1];
                st[r] = st[r - 1];
                sh[r - 1] = c;
                st[r - 1] = st[r - 2];
                sh[r - 2] /= c;
                st[r - 2] *= c;
                r++;
            }
            this.sh = sh;
            this.st = st;
            idx = new long[r];
            inner = (int) sh[r - 1];
            is = (int) st[r - 1];
            mid = r > 1 ? (int) sh[r - 2] : 1;
            ms = r > 1 ? (int) st[r - 2] : 0;
            outer = Math.max(0, r - 2);
            block = mid * inner;
            per = Math.max(1, CHUNK / block);
        }

        int bufferSize() { return (int) Math.min(total, (long) per * block); }

        void step() {
            for (int d = outer - 1; d >= 0; d--) {
                base += st[d];
                if (++idx[d] < sh[d]) break;
                base -= st[d] * sh[d];
                idx[d] = 0;
            }
        }
    }
}
