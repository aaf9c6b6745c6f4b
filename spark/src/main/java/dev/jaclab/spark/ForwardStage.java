package dev.jaclab.spark;

import dev.jaclab.explore.AttentionLayers;
import dev.jaclab.explore.RowRangeForward;
import dev.jaclab.tensor.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * One Spark task of the distributed forward ({@link DistributedForward}): for its range of query rows, stage 0
 * computes layer 0's key and value rows; stage l + 1 computes layer l's attention rows against the broadcast keys and
 * values (and their softmax row statistics where the blocks need them), then layer l + 1's key and value rows.
 * O(rows·N·d) work; what it returns is O(rows·d).
 */
final class ForwardStage implements Function<long[], ForwardStage.Rows> {
    private static final long serialVersionUID = 1L;

    /** A range's share of one stage: its rows of every tensor the stage gathers, in {@link DistributedForward}'s order. */
    record Rows(int partition, long from, long to, Inputs values, double seconds, double cpuSeconds, String executor) implements Serializable {}

    private final ModelSpec spec;
    private final Broadcast<Inputs> inputs;
    private final Broadcast<Inputs> given;   // layer ≥ 0: attention outputs of layers < layer, then K_layer, V_layer
    private final int layer;                 // -1: layer 0's keys and values

    ForwardStage(ModelSpec spec, Broadcast<Inputs> inputs, Broadcast<Inputs> given, int layer) {
        this.spec = spec;
        this.inputs = inputs;
        this.given = given;
        this.layer = layer;
    }

    /** range = {partition, from, to}. */
    @Override public Rows call(long[] range) {
        long t0 = System.nanoTime();
        double c0 = RowBlocks.threadCpuSeconds();
        long from = range[1], rows = range[2] - range[1];
        AttentionLayers m = DistributedForward.layers(spec);
        Tensor x = inputs.value().tensors()[0].narrow(0, from, rows);
        List<Tensor> out = new ArrayList<>();
        if (layer < 0) out.addAll(List.of(RowRangeForward.keysValues(m, x)));
        else {
            Tensor[] g = given.value().tensors();
            Tensor[] attendedRows = new Tensor[layer];
            for (int l = 0; l < layer; l++) attendedRows[l] = g[l].narrow(0, from, rows);
            RowRangeForward.Rows r = RowRangeForward.layer(m, layer, x, attendedRows, g[layer], g[layer + 1]);
            out.add(r.attended());
            if (r.rowLogSumExp() != null) out.add(r.rowLogSumExp());
            if (r.nextKeys() != null) out.addAll(List.of(r.nextKeys(), r.nextValues()));
        }
        SparkEnv env = SparkEnv.get();
        return new Rows((int) range[0], from, range[2], Inputs.of(out.toArray(new Tensor[0])), (System.nanoTime() - t0) / 1e9,
                RowBlocks.threadCpuSeconds() - c0,
                env != null ? env.executorId() : "?");
    }
}
