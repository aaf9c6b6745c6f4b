package dev.jaclab.nd;

import java.nio.ByteBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Broadcasting a packed array to a larger shape by copying memory blocks: each run of size-1 dims that grows is one
 * pass (outer × repeat × inner), and each pass copies the inner block once, then doubles the filled range — memory
 * speed, where ND4J's own broadcast walks element by element (seconds for 16 M elements).
 *
 * <pre>{@code
 * INDArray z = Broadcast.copy(Nd4j.rand(DataType.FLOAT, 16, 1, 16), new long[]{16, 65536, 16});
 * }</pre>
 */
final class Broadcast {
    private Broadcast() {}

    /** {@code src} (packed, same rank as {@code shape}, every dim equal or 1) copied out to {@code shape}; null for other dtypes. */
    static INDArray copy(INDArray src, long[] shape) {
        DataType t = src.dataType();
        if (t != DataType.FLOAT && t != DataType.DOUBLE) return null;
        int bytes = t == DataType.FLOAT ? 4 : 8;
        long[] cur = src.shape().clone();
        INDArray now = src;
        for (int end = shape.length; end > 0; ) {                      // runs right to left: dims after a run are already full
            if (cur[end - 1] == shape[end - 1]) { end--; continue; }
            int start = end;
            while (start > 0 && cur[start - 1] != shape[start - 1]) start--;
            long outer = Shapes.numel(java.util.Arrays.copyOfRange(cur, 0, start)), repeat = Shapes.numel(java.util.Arrays.copyOfRange(shape, start, end));
            long inner = Shapes.numel(java.util.Arrays.copyOfRange(shape, end, shape.length));
            System.arraycopy(shape, start, cur, start, end - start);
            INDArray next = Nd4j.createUninitialized(t, cur.clone());
            ByteBuffer from = now.data().pointer().asByteBuffer(), to = next.data().pointer().asByteBuffer();
            int block = (int) (inner * bytes);
            for (long o = 0; o < outer; o++) {
                int base = (int) (o * repeat * block);
                to.put(base, from, (int) (o * block), block);
                for (long filled = 1; filled < repeat; filled *= 2) {
                    long len = Math.min(filled, repeat - filled);
                    to.put((int) (base + filled * block), to, base, (int) (len * block));
                }
            }
            if (now != src) now.close();
            now = next;
            end = start;
        }
        return now;
    }
}
