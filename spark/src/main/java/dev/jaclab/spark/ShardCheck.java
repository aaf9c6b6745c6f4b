package dev.jaclab.spark;

import dev.jaclab.explore.Model;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.nd.Backend;
import dev.jaclab.tensor.Tensor;
import java.nio.file.Path;

/**
 * Compares a shard directory with the blocks computed in this one JVM, without Spark: the model's own inputs at N and
 * seed, {@code Jacobian.of(y, x).perSample(strategy)}. Prints the largest difference; exit status 1 above the
 * tolerance times max(1, largest |entry|) (float32 blocks summed in other chunk groupings differ in the last bits), 2 on
 * bad input.
 *
 * <pre>{@code
 * java -cp 'spark/target/jaclab-spark.jar:spark/target/lib/*' dev.jaclab.spark.ShardCheck attention 4096 1 sparseRows /shared/blocks 1e-6
 * }</pre>
 */
public final class ShardCheck {
    private ShardCheck() {}

    /** Largest absolute difference between the shards and the single-JVM blocks. */
    public static double maxDifference(ModelSpec spec, long n, long seed, String strategy, Path dir) {
        return compare(spec, n, seed, strategy, dir)[0];
    }

    /** {largest absolute difference, largest |entry| of the single-JVM blocks}. */
    public static double[] compare(ModelSpec spec, long n, long seed, String strategy, Path dir) {
        Backend.configure();
        Tensor shards = NpyShards.read(dir);
        Model m = spec.model();
        Tensor[] in = m.inputs(n, seed);
        Tensor x = in[m.inputIndex()].requiresGrad();
        Tensor y = m.forward(in)[m.outputIndex()];
        Tensor local = Jacobian.of(y, x).perSample(Forward.strategy(strategy));
        if (!java.util.Arrays.equals(local.shape(), shards.shape()))
            throw new IllegalArgumentException("ShardCheck: the shards hold " + java.util.Arrays.toString(shards.shape()) + ", the model gives " + java.util.Arrays.toString(local.shape()));
        return new double[]{local.maxAbsDiff(shards), local.abs().max().toDoubleArray()[0]};
    }

    public static void main(String[] a) {
        if (a.length != 6) {
            System.err.println("usage: ShardCheck MODEL N SEED STRATEGY DIR TOLERANCE");
            System.exit(2);
        }
        try {
            double[] d = compare(ModelSpec.builtIn(a[0]), Long.parseLong(a[1]), Long.parseLong(a[2]), a[3], Path.of(a[4]));
            double tol = Double.parseDouble(a[5]) * Math.max(1, d[1]);
            System.out.printf("ShardCheck %s N=%s: largest difference from the single-JVM blocks %.3g, largest entry %.3g, tolerance %.3g%n", a[0], a[1], d[0], d[1], tol);
            System.exit(d[0] <= tol ? 0 : 1);
        } catch (IllegalArgumentException e) {
            System.err.println("ShardCheck: " + e.getMessage());
            System.exit(2);
        }
    }
}
