package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batch levels: the hidden leading dims that vmap, batched VJPs (is_grads_batched) and batched JVPs add to a tensor.
 * Each level has a unique id; newer levels (larger ids) sit further right among the physical batch dims, and
 * operations align levels by id, so nested transforms never confuse two batch axes of the same size.
 * The two primitives here move a dim between the logical shape and a batch level.
 */
final class BatchLevels {
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    private BatchLevels() {}

    /** A fresh level id, newer than every level in use. */
    static int fresh() { return NEXT.getAndIncrement(); }

    static int[] insert(int[] levels, int level) {
        int[] out = Arrays.copyOf(levels, levels.length + 1);
        out[levels.length] = level;
        Arrays.sort(out);
        return out;
    }

    static int[] remove(int[] levels, int level) { return Arrays.stream(levels).filter(l -> l != level).toArray(); }

    static int indexOf(int[] levels, int level) {
        for (int i = 0; i < levels.length; i++) if (levels[i] == level) return i;
        return -1;
    }

    /** Physical permutation moving dim {@code from} to position {@code to}, others keeping their order. */
    static int[] move(int rank, int from, int to) {
        int[] rest = new int[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) if (i != from) rest[j++] = i;
        int[] perm = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) perm[i] = i == to ? from : rest[j++];
        return perm;
    }

    static boolean identity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    /** Logical dim 0 becomes batch level {@code level}. */
    static final class ToBatch extends Linear {
        final int level;
        ToBatch(int level) { this.level = level; }
        @Override public String name() { return "toBatch"; }
        @Override protected long[] shape(long[][] in) {
            if (in[0].length == 0) throw new IllegalArgumentException("vmap: cannot map over a scalar (shape ())");
            return Shapes.suffix(in[0], 1);
        }
        @Override protected NdArray forward(NdArray[] in, int b) { throw new IllegalStateException("bound by Tensor.toBatch"); }
        /** A dim moved to the batch levels: a view. */
        @Override public Work work(long[][] in, long[] out, int b) { return Work.VIEW; }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.toLogical(level, n.inputs()[0].size(0))}; }
        @Override protected Tensor apply(Tensor... in) { return bind(in[0], level); }
        @Override public boolean perSample(Node n, int input) { return false; }

        static Tensor bind(Tensor x, int level) {
            int[] lv = x.levels();
            if (BatchLevels.indexOf(lv, level) >= 0) throw new IllegalArgumentException("vmap: level " + level + " already present");
            int[] out = insert(lv, level);
            int pos = indexOf(out, level);
            int[] perm = move(x.data().rank(), lv.length, pos);
            NdArray phys = identity(perm) ? x.data() : x.data().permute(perm);
            Tensor y = new Tensor(phys, out);
            Binder.record(new ToBatch(level), new Tensor[]{x}, y);
            return y;
        }
    }

    /** Batch level {@code level} becomes logical dim 0 (broadcast to {@code size} when the tensor lacks it). */
    static final class ToLogical extends Linear {
        final int level;
        final long size;
        ToLogical(int level, long size) { this.level = level; this.size = size; }
        @Override public String name() { return "toLogical"; }
        @Override protected long[] shape(long[][] in) { return Shapes.concat(new long[]{size}, in[0]); }
        @Override protected NdArray forward(NdArray[] in, int b) { throw new IllegalStateException("bound by Tensor.toLogical"); }
        /** A batch level back as a logical dim: a view (or a broadcast view where the tensor lacked it). */
        @Override public Work work(long[][] in, long[] out, int b) { return Work.VIEW; }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            boolean had = indexOf(n.inputs()[0].levels(), level) >= 0;
            return new Tensor[]{had ? g.toBatch(level) : g.sum(new int[]{0}, false)};
        }
        @Override protected Tensor apply(Tensor... in) { return bind(in[0], level, size); }
        @Override public boolean perSample(Node n, int input) { return false; }

        static Tensor bind(Tensor x, int level, long size) {
            int[] lv = x.levels();
            int at = indexOf(lv, level);
            NdArray phys;
            int[] out = lv;
            if (at < 0) {
                long[] s = x.data().shape();
                long[] withDim = Shapes.concat(Shapes.concat(Shapes.prefix(s, lv.length), new long[]{1}), Shapes.suffix(s, lv.length));
                long[] target = withDim.clone();
                target[lv.length] = size;
                phys = x.data().reshape(withDim).broadcastTo(target);
            } else {
                if (x.data().shape()[at] != size)
                    throw new IllegalArgumentException("vmap: batch level has size " + x.data().shape()[at] + ", expected " + size);
                out = remove(lv, level);
                int[] perm = move(x.data().rank(), at, out.length);
                phys = identity(perm) ? x.data() : x.data().permute(perm);
            }
            Tensor y = new Tensor(phys, out);
            Binder.record(new ToLogical(level, size), new Tensor[]{x}, y);
            return y;
        }
    }
}
