package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Func;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;

/**
 * Per-sample jacrev under vmap, on the closure (batch axis 0): each sample is pushed through the function alone,
 * so this is only correct when samples are independent (checked on the recorded graph).
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(v -> v.sin(), x).perSample(Strategies.vmapJacrev());
 * }</pre>
 */
public record VmapJacrev() implements Strategy {
    @Override public String name() { return "vmapJacrev"; }

    @Override public boolean needsIndependentSamples() { return true; }

    @Override public String refusal(Problem p) {
        if (!p.hasClosure()) return "vmapJacrev needs the function (Jacobian.of(f, x)), not only a recorded y";
        if (p.axis() != 0) return "vmapJacrev maps over axis 0 only";
        return SumRefusal.check(name(), p, true);
    }

    @Override public String createGraphRefusal(Problem p) { return null; }

    @Override public Cost cost(Problem p) {
        long m = p.outputWidth();
        return Cost.reverse(1, m, m * Cost.perVectorBytes(p) + Cost.blockBytes(p), "vmap over N of jacrev (m VJPs)").withWork(1 + 2.0 * m);
    }

    /**
     * Its sweep of m vectors plus f's forward run again (vmapped over the samples: the path's ops once more, counted from
     * the tape without calling f); the sweep alone, as the default states, looked cheaper than the sum strategies.
     */
    @Override public dev.jaclab.tensor.Work work(Problem p) {
        dev.jaclab.tensor.Work w = SweepWork.of(p, cost(p));
        for (Tensor t : p.structure().path()) w = w.plus(dev.jaclab.tensor.RuleWork.forward(t.node()));
        return w;
    }

    @Override public Tensor run(Problem p) {
        Function<Tensor, Tensor> f = p.closure;
        Function<Tensor, Tensor> single = v -> f.apply(v.unsqueeze(0)).squeeze(0);
        Tensor at = p.createGraph() ? p.x : p.x.detach();          // a tracked input makes jacrev record its VJPs
        Tensor J = Func.vmap(Func.jacrev(single)).apply(at);
        return J.reshape(p.samples(), p.outputWidth(), p.inputWidth());
    }
}
