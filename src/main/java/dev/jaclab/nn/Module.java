package dev.jaclab.nn;

import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Npz;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A trainable function: its own {@link Parameter}s and submodules (registered by name in the constructor), a
 * train/eval flag, and {@link #forward}. Names follow PyTorch's {@code state_dict} ("0.weight", "attn.query.bias"), so
 * {@link #save}/{@link #load} exchange {@code .npz} files with NumPy and PyTorch. A module is also a
 * {@code Function<Tensor, Tensor>}, usable wherever a closure is ({@code Jacobian.of(model, x)}, {@code Func.vmap}).
 *
 * <pre>{@code
 * class Affine extends Module {
 *     final Parameter a = register("a", new Parameter(Tensor.ones(3)));
 *     @Override public Tensor forward(Tensor x) { return x.mul(a.value()); }
 * }
 * Module m = Sequential.mlp(0, Activation.tanh(), 2, 64, 64, 1);
 * m.namedParameters().keySet();    // [0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias]
 * m.save(Path.of("pinn.npz"));
 * }</pre>
 */
public abstract class Module implements Function<Tensor, Tensor> {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The module's computation. */
    public abstract Tensor forward(Tensor x);

    @Override public final Tensor apply(Tensor x) { return forward(x); }

    /** Registers a parameter of this module under {@code name} (returns it, for field initialisers). */
    protected final Parameter register(String name, Parameter p) {
        checkName(name);
        params.put(name, p);
        return p;
    }

    /** Registers a submodule under {@code name} (returns it). */
    protected final <M extends Module> M register(String name, M m) {
        checkName(name);
        if (m == this) throw new IllegalArgumentException(getClass().getSimpleName() + ": a module cannot contain itself");
        children.put(name, m);
        return m;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' must be non-empty and contain no '.'");
        if (params.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already registered");
    }

    /** Every parameter by dotted path, this module's own first, then each submodule's in registration order (shared ones once). */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out, Set<Parameter> seen) {
        params.forEach((k, p) -> { if (seen.add(p)) out.put(prefix + k, p); });
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, seen));
    }

    /** Every parameter (each once), in {@link #namedParameters()} order: what optimizers take. */
    public final List<Parameter> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** This module's direct submodules by name. */
    public final Map<String, Module> submodules() { return Collections.unmodifiableMap(children); }

    /** Total number of trainable values. */
    public final long parameterCount() { return parameters().stream().mapToLong(Parameter::numel).sum(); }

    /** Clears every parameter's gradient. */
    public final void zeroGrad() { for (Parameter p : parameters()) p.zeroGrad(); }

    /** Training mode (the default) for this module and every submodule; returns this. */
    public final Module train() { return train(true); }

    /** Evaluation mode (layers that behave differently at inference read {@link #isTraining()}); returns this. */
    public final Module eval() { return train(false); }

    public Module train(boolean on) {
        training = on;
        for (Module m : children.values()) m.train(on);
        return this;
    }

    public final boolean isTraining() { return training; }

    /** Writes every parameter into a NumPy {@code .npz} archive, keyed by {@link #namedParameters()} names. */
    public final void save(Path file) throws IOException {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> arrays.put(k, p.data()));
        Npz.write(file, arrays);
    }

    /**
     * Reads every parameter from a {@code .npz} archive (written by {@link #save} or by {@code numpy.savez(file,
     * **{k: v.numpy() for k, v in model.state_dict().items()})}), copying values in place and casting to each
     * parameter's dtype. Missing, unexpected or misshapen arrays are one error naming all of them; nothing is changed
     * then.
     */
    public final void load(Path file) throws IOException {
        Map<String, NdArray> arrays = Npz.read(file);
        Map<String, Parameter> named = namedParameters();
        List<String> problems = new ArrayList<>();
        Set<String> missing = new TreeSet<>(named.keySet());
        missing.removeAll(arrays.keySet());
        Set<String> extra = new TreeSet<>(arrays.keySet());
        extra.removeAll(named.keySet());
        if (!missing.isEmpty()) problems.add("missing " + missing);
        if (!extra.isEmpty()) problems.add("unexpected " + extra);
        named.forEach((k, p) -> {
            NdArray a = arrays.get(k);
            if (a != null && !java.util.Arrays.equals(a.shape(), p.shape()))
                problems.add(k + " has shape " + Shapes.str(a.shape()) + " in the file but " + Shapes.str(p.shape()) + " here");
        });
        if (!problems.isEmpty())
            throw new IllegalArgumentException("load: " + file + " does not match " + getClass().getSimpleName() + ": " + String.join("; ", problems));
        named.forEach((k, p) -> p.assign(Tensor.wrap(arrays.get(k))));
    }

    /** One line per module, indented, with parameter shapes. */
    @Override public String toString() {
        StringBuilder b = new StringBuilder();
        describe(b, "", "");
        return b.toString().stripTrailing();
    }

    /** The module's own settings for {@link #toString()} (e.g. "2 → 64"); empty by default. */
    protected String settings() { return ""; }

    private void describe(StringBuilder b, String indent, String name) {
        b.append(indent).append(name.isEmpty() ? "" : name + ": ").append(getClass().getSimpleName());
        String s = settings();
        if (!s.isEmpty()) b.append('(').append(s).append(')');
        if (indent.isEmpty()) b.append("  [").append(parameterCount()).append(" parameters]");
        b.append('\n');
        for (Map.Entry<String, Module> e : children.entrySet()) e.getValue().describe(b, indent + "  ", e.getKey());
    }
}
