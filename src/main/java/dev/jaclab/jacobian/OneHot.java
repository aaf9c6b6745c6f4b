package dev.jaclab.jacobian;

import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;

/** One-hot seed batches over the flattened (sample, component) index r = i·w + k, and picking each seed's own row. */
final class OneHot {
    private OneHot() {}

    /** Seeds r = start .. start+count-1 as a (count, N, w) batch. */
    /**
     * The work of {@link #rows}: the seeds are built on the Java side and copied in (a zeroed double array, its copy
     * and the cast: three passes over count·samples·width elements, 20 bytes each written fresh). At large N this is
     * what a chunk of dense seeds costs beyond its sweep.
     */
    static dev.jaclab.tensor.Work rowsWork(long count, long samples, long width) {
        double e = (double) count * samples * width;
        return new dev.jaclab.tensor.Work(0, 3 * e, 0, 0, 20 * e, 2);
    }

    static Tensor rows(long start, long count, long samples, long width, DType dtype) {
        long plane = samples * width;
        double[] d = new double[Math.toIntExact(count * plane)];
        for (int c = 0; c < count; c++) d[(int) (c * plane + start + c)] = 1;
        return Tensor.fromArray(d, count, samples, width).cast(dtype);
    }

    /** From a (c, N, n) batch whose slice j was seeded at r = start + j, the rows g[j, r / w, :] → (c, n). */
    static Tensor ownRows(Tensor g, long start, long width) {
        long c = g.size(0), N = g.size(1), n = g.size(2);
        long[] idx = new long[(int) c];
        for (int j = 0; j < c; j++) idx[j] = j * N + (start + j) / width;
        return g.reshape(c * N, n).indexSelect(0, idx);
    }
}
