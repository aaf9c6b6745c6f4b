package dev.jaclab.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Passes {@link RowTerm}s through a node whose map from one input's rows to the output's rows is linear and the same
 * for every row ({@link Primitive#rowUniformLinear}): the primitive's ordinary VJP or JVP rule runs on ONE row (a copy
 * of the node restricted to row 0, the seeds' features as a batch level), or once on a shared (N, w) matrix. No rule
 * is written twice.
 */
final class TermRules {
    private TermRules() {}

    /** Whether every input that {@code carries} marks maps terms row-uniformly. */
    static boolean passes(Node n, java.util.function.IntPredicate carries) {
        for (int i = 0; i < n.inputs().length; i++) if (carries.test(i) && !n.primitive().rowUniformLinear(n, i)) return false;
        return true;
    }

    /** The cotangent terms of input {@code input} from the output's. */
    static List<RowTerm> vjp(Node n, int input, List<RowTerm> terms) {
        List<RowTerm> out = new ArrayList<>();
        for (RowTerm t : terms) {
            if (t.shared()) out.add(t.withF(n.primitive().vjp(t.f(), only(n, input, false))[input]));
            else {
                int level = Tensor.newLevel();
                long s = t.seeds();
                Tensor row = t.f().reshape(s, 1, t.f().size(1)).toBatch(level);
                Tensor g = n.primitive().vjp(row, only(n, input, true))[input];
                out.add(t.withF(g.toLogical(level, s).reshape(s, -1)));
            }
        }
        return out;
    }

    /** The output's tangent terms from input {@code input}'s. */
    static List<RowTerm> jvp(Node n, int input, List<RowTerm> terms) {
        List<RowTerm> out = new ArrayList<>();
        Tensor[] tangents = new Tensor[n.inputs().length];
        for (RowTerm t : terms) {
            if (t.shared()) {
                tangents[input] = t.f();
                out.add(t.withF(n.primitive().jvp(tangents, only(n, input, false))));
            } else {
                int level = Tensor.newLevel();
                long s = t.seeds();
                tangents[input] = t.f().reshape(s, 1, t.f().size(1)).toBatch(level);
                Tensor y = n.primitive().jvp(tangents, only(n, input, true));
                out.add(t.withF(y.toLogical(level, s).reshape(s, -1)));
            }
        }
        return out;
    }

    /** The node with only {@code input} differentiable; with {@code oneRow}, restricted to row 0 of its per-sample slots. */
    private static Node only(Node n, int input, boolean oneRow) {
        Tensor[] in = n.inputs(), sub = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            Tensor t = in[i].detach();
            if (oneRow && n.primitive().perSample(n, i) && t.rank() > 0) t = t.narrow(0, 0, 1).detach();
            sub[i] = i == input ? t.requiresGrad(true) : t;
        }
        Node r = new Node(n.primitive(), sub);
        r.setOutput(oneRow ? n.output().detach().narrow(0, 0, 1).detach() : n.output());
        return r;
    }
}
