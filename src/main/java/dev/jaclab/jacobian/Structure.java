package dev.jaclab.jacobian;

import dev.jaclab.tensor.Backprop;
import dev.jaclab.tensor.IdentitySets;
import dev.jaclab.tensor.Node;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the tape says about sample coupling, without running anything: a forward marking from x finds the tensors
 * whose row i depends only on row i of x ("row-local"), using each primitive's per-sample flag; the ops where a
 * sample-dependent input enters through a slot that mixes samples are the <em>mixing ops</em> — the reason the
 * sum-over-the-batch trick is wrong for a model.
 *
 * <pre>{@code
 * Structure s = Jacobian.of(y, x).problem().structure();
 * s.independent();     // false for attention across the batch
 * s.mixingOps();       // [matmul (8,8) ..., sum (1,8) ...]
 * }</pre>
 */
public final class Structure {
    private final List<Tensor> path;
    private final Set<Tensor> rowLocal;
    private final List<Node> mixingOps;
    private final boolean independent, diagonal;
    private final long pathBytes, maxTensorBytes;

    private Structure(List<Tensor> path, Set<Tensor> rowLocal, List<Node> mixingOps, boolean independent, boolean diagonal, long pathBytes,
                      long maxTensorBytes) {
        this.diagonal = diagonal;
        this.path = path;
        this.rowLocal = rowLocal;
        this.mixingOps = mixingOps;
        this.independent = independent;
        this.pathBytes = pathBytes;
        this.maxTensorBytes = maxTensorBytes;
    }

    /** Marks the graph between x and y; {@code cut} tensors are held constant (for the detached strategy). */
    static Structure analyse(Tensor y, Tensor x, int axis, Predicate<Tensor> cut) {
        List<Tensor> order = Backprop.topologicalOrder(y);
        Set<Tensor> dep = IdentitySets.of(), local = IdentitySets.of();
        List<Tensor> path = new ArrayList<>();
        List<Node> mixing = new ArrayList<>();
        dep.add(x);
        if (axis == 0) local.add(x);
        long bytes = 0, max = 0;
        boolean positionwise = true;
        for (Tensor t : order) {
            Node n = t.node();
            if (t == x || n == null || cut.test(t)) continue;
            boolean depends = false, isLocal = axis == 0, mixes = false;
            for (int i = 0; i < n.inputs().length; i++) {
                Tensor in = n.inputs()[i];
                if (!dep.contains(in)) continue;
                depends = true;
                boolean slotLocal = n.primitive().perSample(n, i);
                positionwise &= n.primitive().positionwise(n, i);
                if (!slotLocal) mixes = true;
                isLocal &= slotLocal && local.contains(in);
            }
            if (!depends) continue;
            dep.add(t);
            path.add(t);
            long b = t.numel() * t.dtype().bytes();
            bytes += b;
            max = Math.max(max, b);
            if (isLocal) local.add(t);
            if (mixes) mixing.add(n);
        }
        boolean independent = axis == 0 && local.contains(y);
        boolean diagonal = independent && positionwise && dep.contains(y) && java.util.Arrays.equals(x.shape(), y.shape());
        return new Structure(path, local, mixing, independent, diagonal, bytes, max);
    }


    /** True when y's row i depends only on x's row i (block-diagonal Jacobian), proved from the tape. */
    public boolean independent() { return independent; }

    /**
     * True when element k of y depends on element k of x only (every op between them is
     * {@linkplain dev.jaclab.tensor.Primitive#positionwise positionwise}, x and y have one shape): each per-sample
     * block is diagonal, and one sweep with a vector of ones gives its diagonal.
     */
    public boolean diagonal() { return diagonal; }

    /** Ops on the path from x to y that mix samples, in graph order. */
    public List<Node> mixingOps() { return Collections.unmodifiableList(mixingOps); }

    /** Tensors between x and y that depend on x, in graph order. */
    public List<Tensor> path() { return Collections.unmodifiableList(path); }

    /** Whether a tensor's row i depends only on x's row i. */
    public boolean isRowLocal(Tensor t) { return rowLocal.contains(t); }

    /** Bytes of all x-dependent tensors (one forward's worth of activations). */
    public long pathBytes() { return pathBytes; }

    /** The largest x-dependent tensor, in bytes. */
    public long maxTensorBytes() { return maxTensorBytes; }

    /** Plain words: why (or whether) samples are coupled. */
    public String explain() {
        if (independent) return "samples are independent: every op between x and y is per-sample, so the Jacobian is block-diagonal";
        if (mixingOps.isEmpty()) return "samples could not be proved independent along this batch axis";
        StringBuilder sb = new StringBuilder("samples are coupled by ").append(mixingOps.size()).append(" op(s) that mix the batch axis: ");
        for (int i = 0; i < Math.min(6, mixingOps.size()); i++) sb.append(i == 0 ? "" : ", ").append(mixingOps.get(i));
        if (mixingOps.size() > 6) sb.append(", ...");
        return sb.toString();
    }
}
