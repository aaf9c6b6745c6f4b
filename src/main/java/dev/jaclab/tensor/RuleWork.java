package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;

/**
 * The work of one node's VJP or JVP rule, found by running the rule in a {@link ShapeTrace} on shape-only cotangents
 * (or tangents) carrying {@code vectors} vectors: the rule binds the primitives it always binds, each states its work,
 * nothing is computed. A strategy's cost model adds these up over the nodes its sweeps visit, as often as it visits
 * them.
 *
 * <pre>{@code
 * Work w = RuleWork.vjp(y.node(), 256);   // the VJP of y's node for 256 cotangents at once
 * }</pre>
 */
public final class RuleWork {
    private RuleWork() {}

    /** The node's own forward, bound again on its inputs with shapes only (what a strategy that re-runs f pays). */
    public static Work forward(Node n) {
        try (ShapeTrace trace = ShapeTrace.open(); GradMode off = GradMode.set(false); WorkMeter m = WorkMeter.open()) {
            Binder.bind(n.primitive(), n.inputs());
            return m.work();
        }
    }

    /** The node's VJP rule for {@code vectors} cotangents of its output (a batch level of that size). */
    public static Work vjp(Node n, long vectors) {
        try (ShapeTrace trace = ShapeTrace.open(); GradMode off = GradMode.set(false); WorkMeter m = WorkMeter.open()) {
            n.primitive().vjp(seeds(n.output(), vectors), n);
            return m.work();
        }
    }

    /** The node's JVP rule for {@code vectors} tangents of each of its inputs that depends on x ({@code dependent}). */
    public static Work jvp(Node n, long vectors, java.util.function.Predicate<Tensor> dependent) {
        Tensor[] in = n.inputs(), t = new Tensor[in.length];
        try (ShapeTrace trace = ShapeTrace.open(); GradMode off = GradMode.set(false); WorkMeter m = WorkMeter.open()) {
            int level = BatchLevels.fresh();
            boolean any = false;
            for (int i = 0; i < in.length; i++)
                if (n.primitive().differentiable(i) && dependent.test(in[i])) { t[i] = seeds(in[i], vectors, level); any = true; }
            if (any) n.primitive().jvp(t, n);
            return m.work();
        }
    }

    private static Tensor seeds(Tensor like, long vectors) { return seeds(like, vectors, BatchLevels.fresh()); }

    /** A shape-only tensor shaped like {@code like} with a batch level of {@code vectors} in front of its own levels. */
    private static Tensor seeds(Tensor like, long vectors, int level) {
        int[] own = like.levels(), levels = BatchLevels.insert(own, level);
        long[] phys = like.data().shape();
        int at = BatchLevels.indexOf(levels, level);
        long[] shape = Shapes.concat(Shapes.concat(Shapes.prefix(phys, at), new long[]{vectors}), Shapes.suffix(phys, at));
        return new Tensor(NdArray.shapeOnly(like.dtype(), shape), levels);
    }
}
