package dev.jaclab.nn;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-sample gradients with respect to a module's parameters: for a loss with one value per sample, loss_i, the
 * gradient ∂loss_i/∂θ of every sample separately (N, parameter shape) — what DP-SGD clips, what influence and
 * gradient-norm diagnostics read. PyTorch's per-sample-gradients tutorial and Opacus compute the same.
 *
 * <ul>
 *   <li>Independent samples (every op between the batch and the loss is per-sample, proved on the tape): one
 *   vmapped reverse sweep. The module runs once over the batch with its parameters replaced by per-sample copies
 *   (a batch level of N), so each sample's cotangent reaches its own copy: the gradients of all samples in one
 *   sweep, N × the parameters in memory.</li>
 *   <li>Coupled samples (attention or a batch statistic across the batch): loss_i depends on every sample, so its
 *   gradient includes what flows through the others; computed exactly as the rows of ∂loss/∂θ, N one-hot cotangents
 *   in batched reverse sweeps of {@code chunk} — N VJPs in all, each over the whole batch. {@link Grads#method()}
 *   states which of the two ran and what couples the samples.</li>
 * </ul>
 *
 * <pre>{@code
 * Sequential net = Sequential.mlp(0, Activation.tanh(), 3, 16, 1);
 * Tensor x = Tensor.randn(1, 256, 3), y = Tensor.randn(2, 256, 1);
 * PerSample.Grads g = PerSample.grads(net, b -> net.forward(b[0]).sub(b[1]).square().sum(new int[]{1}, false), x, y);
 * g.get("0.weight");      // (256, 16, 3): sample i's gradient of its own loss
 * g.norms();              // (256): per-sample gradient norms over all parameters
 * g.method();             // "independent samples: ... one vmapped reverse sweep"
 * }</pre>
 */
public final class PerSample {
    private PerSample() {}

    /** Each sample's parameter gradients, with the method used and the coupling it found. */
    public record Grads(Map<String, Tensor> byName, String method) {
        /** Sample gradients of one parameter (N, parameter shape). */
        public Tensor get(String name) {
            Tensor t = byName.get(name);
            if (t == null) throw new IllegalArgumentException("PerSample: no parameter named '" + name + "'; known: " + byName.keySet());
            return t;
        }

        /** ‖∂loss_i/∂θ‖ over all parameters, (N). */
        public Tensor norms() {
            Tensor sq = null;
            for (Tensor g : byName.values()) {
                Tensor s = g.square().reshape(g.size(0), -1).sum(new int[]{1}, false);
                sq = sq == null ? s : sq.add(s);
            }
            return sq.sqrt();
        }

        /** Samples N. */
        public long samples() { return byName.values().iterator().next().size(0); }
    }

    /**
     * Per-sample gradients of {@code loss}: a function of the batch tensors (each with N samples on dim 0: inputs,
     * targets, ...) giving one loss per sample, shape (N) or (N, 1), computed with {@code module}'s parameters.
     */
    public static Grads grads(Module module, Function<Tensor[], Tensor> loss, Tensor... batch) { return grads(module, loss, 64, batch); }

    /** As above; coupled samples take {@code chunk} cotangents per batched reverse sweep. */
    public static Grads grads(Module module, Function<Tensor[], Tensor> loss, int chunk, Tensor... batch) {
        if (batch.length == 0) throw new IllegalArgumentException("PerSample.grads: no batch tensors given");
        long N = batch[0].rank() == 0 ? -1 : batch[0].size(0);
        for (Tensor b : batch)
            if (b.rank() == 0 || b.size(0) != N)
                throw new IllegalArgumentException("PerSample.grads: batch tensors must share dim 0 (the samples); got " + shapes(batch));
        Tensor[] tracked = new Tensor[batch.length];
        for (int k = 0; k < batch.length; k++) tracked[k] = batch[k].detach().requiresGrad();
        Tensor l = perSampleLoss(loss.apply(tracked), N);
        String coupling = null;
        for (Tensor t : tracked) {
            if (!dependsOn(l, t)) continue;
            var s = Jacobian.of(l.reshape(N, 1), t).problem().structure();
            if (!s.independent()) { coupling = s.explain(); break; }
        }
        if (coupling != null) return rows(l, module, chunk, coupling);
        return vmapped(module, loss, batch, N);
    }

    /**
     * Per-sample gradients of an already recorded loss vector (N) or (N, 1): exact whatever couples the samples, as
     * the rows of ∂loss/∂θ (N one-hot cotangents, {@code chunk} per batched reverse sweep).
     */
    public static Grads grads(Tensor lossPerSample, Module module) { return grads(lossPerSample, module, 64); }

    public static Grads grads(Tensor lossPerSample, Module module, int chunk) {
        if (lossPerSample.rank() == 0) throw new IllegalArgumentException("PerSample.grads: the loss is a scalar; give one loss per sample, (N) or (N, 1)");
        long N = lossPerSample.size(0);
        return rows(perSampleLoss(lossPerSample, N), module, chunk, "recorded loss: coupling not analysed");
    }

    private static Tensor perSampleLoss(Tensor l, long N) {
        if (l.numel() != N || l.rank() == 0 || l.size(0) != N)
            throw new IllegalArgumentException("PerSample.grads: the loss must have one value per sample, (" + N + ") or (" + N + ", 1); got " + Shapes.str(l.shape()));
        return l.reshape(N);
    }

    /** Independent samples: the module once over the batch under a batch level, with per-sample parameter copies. */
    private static Grads vmapped(Module module, Function<Tensor[], Tensor> loss, Tensor[] batch, long N) {
        Map<String, Parameter> named = module.namedParameters();
        int level = Tensor.newLevel();
        Map<Parameter, Tensor> standIns = new IdentityHashMap<>();
        List<Tensor> copies = new ArrayList<>();
        for (Parameter p : named.values()) {
            Tensor copy = p.leaf().detach().unsqueeze(0).expand(Shapes.concat(new long[]{N}, p.shape())).requiresGrad();   // (N, shape)
            copies.add(copy);
            standIns.put(p, copy.toBatch(level));
        }
        Tensor[] samples = new Tensor[batch.length];
        for (int k = 0; k < batch.length; k++) samples[k] = batch[k].detach().unsqueeze(1).toBatch(level);    // each (1, ...)
        Tensor li = Parameter.withStandIns(standIns, () -> loss.apply(samples));
        if (li.numel() != 1)
            throw new IllegalArgumentException("PerSample.grads: for one sample the loss has shape " + Shapes.str(li.shape()) + ", not one value");
        Tensor[] g = Autograd.grad(new Tensor[]{li}, copies.toArray(new Tensor[0]), new Tensor[]{Tensor.full(1, li.shape()).cast(li.dtype())},
                Autograd.Options.defaults());
        Map<String, Tensor> out = new LinkedHashMap<>();
        int k = 0;
        for (String name : named.keySet()) out.put(name, g[k++]);
        return new Grads(out, "independent samples (every op between the batch and the loss is per-sample): one vmapped reverse sweep over "
                + N + " per-sample parameter copies");
    }

    /** Exact rows of ∂loss/∂θ: N one-hot cotangents, {@code chunk} per batched reverse sweep. */
    private static Grads rows(Tensor l, Module module, int chunk, String coupling) {
        if (chunk < 1) throw new IllegalArgumentException("PerSample.grads: chunk size must be >= 1, got " + chunk);
        Map<String, Parameter> named = module.namedParameters();
        Tensor[] leaves = named.values().stream().map(Parameter::leaf).toArray(Tensor[]::new);
        long N = l.size(0);
        List<List<Tensor>> parts = new ArrayList<>();
        for (int k = 0; k < leaves.length; k++) parts.add(new ArrayList<>());
        Tensor eye = Tensor.eye(N).cast(l.dtype());
        for (long s = 0; s < N; s += chunk) {
            long c = Math.min(chunk, N - s);
            Tensor[] g = Autograd.grad(new Tensor[]{l}, leaves, new Tensor[]{eye.narrow(0, s, c)}, Autograd.Options.defaults().batched(true));
            for (int k = 0; k < leaves.length; k++) parts.get(k).add(g[k]);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        int k = 0;
        for (String name : named.keySet()) {
            List<Tensor> p = parts.get(k++);
            out.put(name, p.size() == 1 ? p.get(0) : Tensor.concat(0, p.toArray(new Tensor[0])));
        }
        int chunks = (int) ((N + chunk - 1) / chunk);
        return new Grads(out, coupling + "; exact per-sample gradients as the rows of ∂loss/∂θ: " + N + " one-hot cotangents in " + chunks
                + " batched reverse sweep(s) over the whole batch");
    }

    private static boolean dependsOn(Tensor y, Tensor x) {
        for (Tensor t : dev.jaclab.tensor.Backprop.topologicalOrder(y)) if (t == x) return true;
        return false;
    }

    private static String shapes(Tensor[] ts) {
        StringBuilder b = new StringBuilder();
        for (Tensor t : ts) b.append(b.length() == 0 ? "" : ", ").append(Shapes.str(t.shape()));
        return b.toString();
    }
}
