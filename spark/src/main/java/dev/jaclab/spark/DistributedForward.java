package dev.jaclab.spark;

import dev.jaclab.explore.AttentionLayers;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.RowRangeForward;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The forward of an {@link AttentionLayers} model computed by the cluster, layer by layer ({@link RowRangeForward}):
 * one Spark stage per layer plus one for layer 0's keys and values; each partition computes its range of query rows
 * ({@link ForwardStage}), the driver gathers each stage's O(N·d) rows and broadcasts what the next stage needs. No
 * executor computes the whole O(N²) forward; every one then records the model's whole tape from the gathered state in
 * O(N·d²) ({@link Forward}).
 *
 * <p>The gathered state travels as one {@link Inputs}: per layer its attention output (N, d) and, where the blocks need
 * them ({@link RowRangeForward#needsStatistics}), its softmax row statistics (N).
 */
final class DistributedForward {
    private DistributedForward() {}

    /** The gathered state and what it cost. */
    record Result(Inputs state, SparkRun.Stages stages) {}

    /** The model as {@link AttentionLayers}, or the reason it cannot be computed by ranges of rows. */
    static AttentionLayers layers(ModelSpec spec) {
        Model m = spec.model();
        if (m instanceof AttentionLayers a) return a;
        throw new IllegalArgumentException(spec.describe() + " is not made of attention layers (dev.jaclab.explore.AttentionLayers): its forward "
                + "cannot be computed by ranges of rows; use --forward whole (every executor records the whole forward)");
    }

    static Result run(JavaSparkContext sc, ModelSpec spec, Broadcast<Inputs> inputs, List<long[]> ranges) {
        long t0 = System.nanoTime();
        AttentionLayers m = layers(spec);
        int layers = m.layers();
        double[] tasks = {0, 0, 0};
        List<Tensor> state = new ArrayList<>(), attended = new ArrayList<>();
        Tensor[] kv = stage(sc, spec, inputs, null, -1, ranges, 2, tasks, "keys and values of layer 0");
        for (int l = 0; l < layers; l++) {
            List<Tensor> given = new ArrayList<>(attended);
            given.add(kv[0]);
            given.add(kv[1]);
            Broadcast<Inputs> b = sc.broadcast(Inputs.of(given.toArray(new Tensor[0])));
            boolean stats = RowRangeForward.needsStatistics(m, l), next = l + 1 < layers;
            Tensor[] out = stage(sc, spec, inputs, b, l, ranges, 1 + (stats ? 1 : 0) + (next ? 2 : 0), tasks,
                    "attention rows of layer " + l + (next ? ", keys and values of layer " + (l + 1) : ""));
            b.destroy();
            attended.add(out[0]);
            state.add(out[0]);
            if (stats) state.add(out[1]);
            if (next) kv = new Tensor[]{out[out.length - 2], out[out.length - 1]};
        }
        return new Result(Inputs.of(state.toArray(new Tensor[0])), new SparkRun.Stages(layers + 1, (System.nanoTime() - t0) / 1e9, tasks[0], tasks[1], tasks[2]));
    }

    /** One stage over every range; the gathered tensors (N rows each), each partition's rows checked to come once. */
    private static Tensor[] stage(JavaSparkContext sc, ModelSpec spec, Broadcast<Inputs> inputs, Broadcast<Inputs> given, int layer,
                                  List<long[]> ranges, int outputs, double[] tasks, String what) {
        sc.setJobDescription("distributed forward of " + spec.describe() + ": " + what);
        List<ForwardStage.Rows> got = sc.parallelize(ranges, ranges.size()).map(new ForwardStage(spec, inputs, given, layer)).collect();
        ForwardStage.Rows[] seen = checkOnce(got, ranges, outputs, what);
        for (ForwardStage.Rows r : seen) {
            tasks[0] += r.seconds();
            tasks[1] = Math.max(tasks[1], r.seconds());
            tasks[2] += r.cpuSeconds();
        }
        Tensor[][] rows = new Tensor[outputs][seen.length];
        for (int i = 0; i < seen.length; i++) {
            Tensor[] t = seen[i].values().tensors();
            for (int k = 0; k < outputs; k++) rows[k][i] = t[k];
        }
        Tensor[] out = new Tensor[outputs];
        for (int k = 0; k < outputs; k++) out[k] = seen.length == 1 ? rows[k][0] : Tensor.concat(0, rows[k]);
        return out;
    }

    /**
     * Every range exactly once, with its own rows and the stage's tensors: a missing, repeated or shifted range is an
     * error, never a silently wrong forward. Returns the ranges' results in order.
     */
    static ForwardStage.Rows[] checkOnce(List<ForwardStage.Rows> got, List<long[]> ranges, int outputs, String what) {
        ForwardStage.Rows[] seen = new ForwardStage.Rows[ranges.size()];
        for (ForwardStage.Rows r : got) {
            long[] g = r.partition() >= 0 && r.partition() < seen.length ? ranges.get(r.partition()) : null;
            if (g == null || seen[r.partition()] != null || r.from() != g[1] || r.to() != g[2] || r.values().count() != outputs
                    || r.values().samples() != r.to() - r.from())
                throw new IllegalStateException("distributed forward (" + what + "): partition " + r.partition() + " returned rows [" + r.from() + ", " + r.to()
                        + ") with " + r.values().count() + " tensors" + (g == null ? ", an unknown partition"
                        : seen[r.partition()] != null ? ", a second time" : "; expected rows [" + g[1] + ", " + g[2] + ") with " + outputs));
            seen[r.partition()] = r;
        }
        for (int i = 0; i < seen.length; i++)
            if (seen[i] == null) throw new IllegalStateException("distributed forward (" + what + "): partition " + i + " returned nothing");
        return seen;
    }

    /** The gathered state as {@link RowRangeForward#tape} takes it. */
    static RowRangeForward.State unpack(AttentionLayers m, Inputs state) {
        Tensor[] t = state.tensors();
        int layers = m.layers(), k = 0;
        Tensor[] attended = new Tensor[layers], lse = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            attended[l] = t[k++];
            if (RowRangeForward.needsStatistics(m, l)) lse[l] = t[k++];
        }
        if (k != t.length) throw new IllegalStateException("the gathered state holds " + t.length + " tensors, " + m.name() + " needs " + k);
        return new RowRangeForward.State(attended, lse);
    }
}
