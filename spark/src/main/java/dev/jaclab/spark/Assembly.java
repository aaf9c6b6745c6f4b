package dev.jaclab.spark;

import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** The driver's checks on what the partitions returned, and the assembly of (N, m, n). */
final class Assembly {
    private Assembly() {}

    /**
     * Every partition exactly once, with the rows it was given: a missing, repeated or shifted partition is an error,
     * never a silently wrong result. Returns the results in partition order.
     */
    static List<RowBlocks> checkOnce(List<RowBlocks> parts, List<long[]> ranges) {
        RowBlocks[] seen = new RowBlocks[ranges.size()];
        for (RowBlocks r : parts) {
            if (r.partition() < 0 || r.partition() >= seen.length) throw new IllegalStateException("SparkJacobian: result for unknown partition " + r.partition());
            if (seen[r.partition()] != null) throw new IllegalStateException("SparkJacobian: partition " + r.partition() + " returned twice");
            long[] g = ranges.get(r.partition());
            if (r.from() != g[1] || r.to() != g[2])
                throw new IllegalStateException("SparkJacobian: partition " + r.partition() + " computed rows [" + r.from() + ", " + r.to() + "), was given [" + g[1] + ", " + g[2] + ")");
            if (r.values() != null && r.values().length != r.rows() * r.m() * r.n())
                throw new IllegalStateException("SparkJacobian: partition " + r.partition() + " returned " + r.values().length + " values for " + r.rows() + " blocks of " + r.m() + "×" + r.n());
            seen[r.partition()] = r;
        }
        for (int i = 0; i < seen.length; i++) if (seen[i] == null) throw new IllegalStateException("SparkJacobian: partition " + i + " returned nothing");
        return Arrays.asList(seen);
    }

    static Tensor assemble(List<RowBlocks> ordered, long n, DType t) {
        long m = ordered.get(0).m(), k = ordered.get(0).n();
        double[] all = new double[Math.toIntExact(n * m * k)];
        for (RowBlocks r : ordered) System.arraycopy(r.values(), 0, all, Math.toIntExact(r.from() * m * k), r.values().length);
        return SparkJacobian.tensor(t, all, n, m, k);
    }
}
