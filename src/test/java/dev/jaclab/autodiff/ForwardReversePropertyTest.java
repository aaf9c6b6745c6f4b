package dev.jaclab.autodiff;

import dev.jaclab.tensor.Tensor;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Forward mode agrees with reverse mode on random small graphs: for random compositions of elementwise ops, matmul,
 * sums, reshape and transpose of two inputs, ⟨u, J v⟩ (one JVP) equals ⟨Jᵀ u, v⟩ (one VJP).
 */
class ForwardReversePropertyTest {

    /** Number of distinct op codes understood by {@link #apply}. */
    static final int OPS = 11;

    @Property(tries = 60, seed = "20240611")
    void jvpAndVjpSatisfyTheAdjointIdentity(@ForAll @Size(min = 1, max = 7) List<@IntRange(min = 0, max = OPS - 1) Integer> program,
                                             @ForAll @IntRange(min = 1, max = 4) int rows,
                                             @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Tensor x = PrimitiveRows.randn(seed, rows, 3).requiresGrad();
        Tensor w = PrimitiveRows.randn(seed + 1, 3, 3).requiresGrad();
        Tensor y = run(program, x, w, seed);
        Tensor[] in = {x, w};
        Tensor[] v = {PrimitiveRows.randn(seed + 2, rows, 3), PrimitiveRows.randn(seed + 3, 3, 3)};
        Tensor u = PrimitiveRows.randn(seed + 4, y.shape());
        Tensor jv = Autograd.jvp(new Tensor[]{y}, in, v, false, false)[0];
        Tensor[] ju = Autograd.grad(new Tensor[]{y}, in, new Tensor[]{u}, Autograd.Options.defaults());
        double lhs = dot(u, jv), rhs = dot(ju[0], v[0]) + dot(ju[1], v[1]);
        double err = Math.abs(lhs - rhs) / (1 + Math.abs(lhs));
        if (!(err < 1e-10))
            throw new AssertionError("program " + program + " rows " + rows + ": <u, Jv> = " + lhs + " but <J^T u, v> = " + rhs);
    }

    /** A fixed long program through every op code, so each is exercised whatever the generator draws. */
    @Example void everyOpCodeOnce() {
        jvpAndVjpSatisfyTheAdjointIdentity(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 3, 5);
    }

    /** Runs the program: h starts as x (rows, 3); w (3, 3) enters through matmul and add. */
    static Tensor run(List<Integer> program, Tensor x, Tensor w, int seed) {
        Tensor h = x.add(x.matmul(w).mul(0.5));
        for (int op : program) h = apply(op, h, w);
        return h;
    }

    static Tensor apply(int op, Tensor h, Tensor w) {
        long r = h.size(0), c = h.size(1);
        switch (op) {
            case 0: return h.sin();
            case 1: return h.tanh();
            case 2: return h.mul(h).mul(0.5);
            case 3: return h.add(w.narrow(0, 0, 1).narrow(1, 0, 1).expand(1, c)); // broadcast a weight entry over h
            case 4: return c == 3 ? h.matmul(w) : h.matmul(h.mT()).div(1 + c);   // (r,c)@(c,r) when c != 3
            case 5: return h.mul(h.sum(new int[]{1}, true));                        // per-row sum, broadcast back
            case 6: return h.sub(h.mean(new int[]{0}, true));                       // mixes rows
            case 7: return h.transpose(0, 1);
            case 8: return h.reshape(c, r);
            case 9: return h.mul(0.3).exp();
            default: return h.softmax(1);
        }
    }

    static double dot(Tensor a, Tensor b) {
        double[] p = a.toDoubleArray(), q = b.toDoubleArray();
        double s = 0;
        for (int i = 0; i < p.length; i++) s += p[i] * q[i];
        return s;
    }
}
