package dev.jaclab.explore;

import dev.jaclab.nd.AttentionTangents;
import dev.jaclab.tensor.GatheredAttention;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The forward of an {@link AttentionLayers} model by ranges of query rows, layer by layer, so that no machine computes
 * the whole O(N²) forward alone. For query rows [a, b) of layer l a machine needs only x's rows [a, b), the attention
 * rows [a, b) of the layers below (to rebuild h_l's rows: every other part is per-sample) and layer l's full keys and
 * values (N, d):
 *
 * <pre>
 *   stage 0:      every range computes its rows of K_0, V_0                       → gathered: K_0, V_0   (N, d)
 *   stage l + 1:  every range computes its rows of a_l (and lse_l), then of K_{l+1}, V_{l+1}
 *                                                                                → gathered: a_l, lse_l, K_{l+1}, V_{l+1}
 * </pre>
 *
 * Each stage costs O((b − a)·N·d) per range and gathers O(N·d) values. With the gathered state ({@link State}: each
 * layer's attention output and, below the last layer, its softmax row statistics) {@link #tape} records the model's
 * whole tape in O(N·d²) — the same nodes as {@code m.forward(x)}, attention recorded by {@link GatheredAttention} —
 * on which any strategy computes exact blocks of any rows: for one layer sparseRows needs only its seeds' query rows
 * and the full K, V; through stacked layers the tangent of x_i reaches every row of the layers above (h_j depends on
 * x_i through key i), which the tape's full per-layer state (O(N·d), not O(N²)) gives exactly.
 *
 * <pre>{@code
 * AttentionLayers m = (AttentionLayers) Models.attentionStack(7, 3, 16, 2, true);
 * Tensor x = m.inputs(4096, 1)[0];
 * RowRangeForward.State s = RowRangeForward.run(m, x, 8);            // 8 ranges, stage by stage, in this JVM
 * Tensor xg = x.detach().requiresGrad();
 * Tensor y = RowRangeForward.tape(m, xg, s);                          // no O(N²) work
 * Tensor J = Jacobian.of(y, xg).perSampleRows(Strategies.meetInMiddle(256), 0, 512);
 * }</pre>
 */
public final class RowRangeForward {
    private RowRangeForward() {}

    /** The gathered forward: per layer the attention output (N, d) and its row statistics (N), null where not needed. */
    public record State(Tensor[] attended, Tensor[] rowLogSumExp) {
        public int layers() { return attended.length; }
    }

    /** One range's share of a layer: its attention rows, their statistics (or null), the next layer's key/value rows (or null). */
    public record Rows(Tensor attended, Tensor rowLogSumExp, Tensor nextKeys, Tensor nextValues) {}

    /**
     * Whether the exact blocks need layer l's softmax row statistics: every layer below the last, where the
     * meet-in-the-middle tangents cross (the last layer's cotangents recompute their own rows).
     */
    public static boolean needsStatistics(AttentionLayers m, int layer) { return layer < m.layers() - 1; }

    /** h_l's rows from x's rows and the attention rows of layers 0..l−1 (per-sample parts only). */
    static Tensor hidden(AttentionLayers m, int layer, Tensor xRows, Tensor[] attendedRows) {
        Tensor h = m.embed(xRows);
        for (int l = 0; l < layer; l++) h = m.combine(l, attendedRows[l], h);
        return h;
    }

    /** Stage 0: layer 0's key and value rows {K_0, V_0} for x's rows. */
    public static Tensor[] keysValues(AttentionLayers m, Tensor xRows) {
        Tensor[] qkv = m.project(0, m.embed(xRows));
        return new Tensor[]{qkv[1], qkv[2]};
    }

    /**
     * Stage l + 1 for one range: layer l's attention rows against the full {@code keys} and {@code values} (N, d), their
     * row statistics when {@link #needsStatistics}, and layer l + 1's key and value rows (null after the last layer).
     * {@code attendedRows[j]} are this range's rows of layer j's attention for j < l.
     */
    public static Rows layer(AttentionLayers m, int layer, Tensor xRows, Tensor[] attendedRows, Tensor keys, Tensor values) {
        if (layer < 0 || layer >= m.layers()) throw new IllegalArgumentException(m.name() + ": layer " + layer + " of " + m.layers());
        if (keys.rank() != 2 || values.rank() != 2 || keys.size(0) != values.size(0))
            throw new IllegalArgumentException(m.name() + " layer " + layer + ": keys " + java.util.Arrays.toString(keys.shape()) + " and values "
                    + java.util.Arrays.toString(values.shape()) + " must be (N, d) with the same N");
        Tensor h = hidden(m, layer, xRows, attendedRows);
        Tensor q = m.project(layer, h)[0];
        double scale = m.scale(layer);
        Tensor a = Tensor.attention(q, keys, values, scale);
        Tensor lse = needsStatistics(m, layer)
                ? Tensor.wrap(AttentionTangents.rowLogSumExp(q.data(), keys.data(), scale, Math.max(1, (1L << 22) / keys.size(0)))) : null;
        if (layer + 1 == m.layers()) return new Rows(a, lse, null, null);
        Tensor[] next = m.project(layer + 1, m.combine(layer, a, h));
        return new Rows(a, lse, next[1], next[2]);
    }

    /**
     * The model's tape on the whole batch from the gathered state: {@code x} (N, n), marked requiresGrad by the
     * caller, to y (N, m). Refuses a state that does not belong to x (a few rows per layer are recomputed).
     */
    public static Tensor tape(AttentionLayers m, Tensor x, State s) {
        if (s.layers() != m.layers()) throw new IllegalArgumentException(m.name() + " has " + m.layers() + " attention layers, the state " + s.layers());
        Tensor h = m.embed(x);
        for (int l = 0; l < m.layers(); l++) {
            Tensor[] qkv = m.project(l, h);
            Tensor a = GatheredAttention.of(qkv[0], qkv[1], qkv[2], m.scale(l), s.attended()[l], s.rowLogSumExp()[l]);
            h = m.combine(l, a, h);
        }
        return m.head(h, x);
    }

    /** The ranges [N·i/P, N·(i+1)/P) of P parts. */
    public static long[][] ranges(long n, int parts) {
        int p = (int) Math.max(1, Math.min(parts, n));
        long[][] r = new long[p][];
        for (int i = 0; i < p; i++) r[i] = new long[]{n * i / p, n * (i + 1) / p};
        return r;
    }

    /** The whole distributed forward in this JVM, range by range and stage by stage (what a cluster's stages do). */
    public static State run(AttentionLayers m, Tensor x, int parts) {
        long[][] ranges = ranges(x.size(0), parts);
        int layers = m.layers();
        Tensor[][] attendedRows = new Tensor[ranges.length][layers];
        List<Tensor> k = new ArrayList<>(), v = new ArrayList<>();
        for (long[] r : ranges) {
            Tensor[] kv = keysValues(m, x.narrow(0, r[0], r[1] - r[0]));
            k.add(kv[0]);
            v.add(kv[1]);
        }
        Tensor keys = cat(k), values = cat(v);
        Tensor[] attended = new Tensor[layers], lse = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            List<Tensor> a = new ArrayList<>(), s = new ArrayList<>(), nk = new ArrayList<>(), nv = new ArrayList<>();
            for (int i = 0; i < ranges.length; i++) {
                Rows rows = layer(m, l, x.narrow(0, ranges[i][0], ranges[i][1] - ranges[i][0]), attendedRows[i], keys, values);
                attendedRows[i][l] = rows.attended();
                a.add(rows.attended());
                if (rows.rowLogSumExp() != null) s.add(rows.rowLogSumExp());
                if (rows.nextKeys() != null) {
                    nk.add(rows.nextKeys());
                    nv.add(rows.nextValues());
                }
            }
            attended[l] = cat(a);
            lse[l] = s.isEmpty() ? null : cat(s);
            if (!nk.isEmpty()) {
                keys = cat(nk);
                values = cat(nv);
            }
        }
        return new State(attended, lse);
    }

    private static Tensor cat(List<Tensor> parts) { return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0])); }
}
