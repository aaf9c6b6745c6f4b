package dev.jaclab.spark;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * A model as it travels to Spark executors: a description from which every executor rebuilds the same model, never
 * the model object itself. Either a built-in of {@link Models} by name (and its parameters), or a user class on the
 * executors' class path with its string arguments.
 *
 * <p>Classes and lambdas defined in JShell (a notebook cell) live only in the kernel's in-memory class loader:
 * executors cannot load them, so {@link #ofClass} refuses them. Compile such a model into a jar, put the jar on the
 * executors' class path (and the kernel's: {@code %classpath add model.jar}) and name its class.
 *
 * <pre>{@code
 * ModelSpec a = ModelSpec.builtIn("attention");                 // Models.byName("attention")
 * ModelSpec b = ModelSpec.builtIn("attentionStack", 7, 3, 16, 2); // Models.attentionStack(7, 3, 16, 2, true)
 * ModelSpec c = ModelSpec.ofClass("com.acme.MyModel", "64");     // new MyModel("64") or MyModel.create("64")
 * Model m = a.model();
 * }</pre>
 */
public sealed interface ModelSpec extends Serializable permits ModelSpec.BuiltIn, ModelSpec.UserClass {

    /** Builds the model (on the driver to check it, then on every executor). */
    Model model();

    /** One line for logs and errors. */
    String describe();

    /**
     * A built-in model. Without parameters: {@link Models#byName}. With parameters: {@code mlp(seed)},
     * {@code attention(seed, width, d)}, {@code attentionStack(seed, width, d, layers)}, {@code dense(seed)},
     * {@code conv(seed)}, {@code pinn(seed)}. The model is built once here, so an unknown name fails on the driver.
     */
    static ModelSpec builtIn(String name, long... params) {
        BuiltIn spec = new BuiltIn(name, params.clone());
        spec.model();
        return spec;
    }

    /**
     * A user class implementing {@link Model}, found on the executors' class path by name: a public constructor taking
     * the string arguments (or none when there are none), or a public static {@code create(String...)} method.
     */
    static ModelSpec ofClass(String className, String... args) {
        UserClass spec = new UserClass(className, args.clone());
        spec.model();
        return spec;
    }

    /** The same, from the class itself (refused, with the reason, when JShell defined it). */
    static ModelSpec ofClass(Class<? extends Model> type, String... args) {
        refuseShellDefined(type);
        return ofClass(type.getName(), args);
    }

    /** Names of classes JShell defines start with {@code REPL.}; anonymous and lambda classes cannot be named at all. */
    static void refuseShellDefined(Class<?> type) {
        String n = type.getName();
        if (n.startsWith("REPL.") || n.contains("$JShell$"))
            throw new IllegalArgumentException("ModelSpec: " + n + " was defined in JShell; classes and lambdas defined in a notebook live only in "
                    + "the kernel's memory and cannot travel to Spark executors. Compile the model into a jar on the executors' class path and "
                    + "use ModelSpec.ofClass(\"its.class.Name\", args), or a built-in: ModelSpec.builtIn(\"attention\")");
        if (type.isAnonymousClass() || type.isSynthetic() || n.contains("$$Lambda"))
            throw new IllegalArgumentException("ModelSpec: " + n + " is an anonymous or lambda class; Spark executors rebuild a model from a "
                    + "named public class on their class path (ModelSpec.ofClass) or a built-in (ModelSpec.builtIn)");
    }

    /** A built-in of {@link Models}. */
    record BuiltIn(String name, long[] params) implements ModelSpec {
        @Override public Model model() {
            if (params.length == 0) return Models.byName(name);
            long[] p = params;
            switch (name) {
                case "mlp": need(1); return Models.mlp(p[0]);
                case "attention": need(3); return Models.attention(p[0], p[1], p[2]);
                case "attentionPlain": need(3); return Models.attentionPlain(p[0], p[1], p[2]);
                case "attentionStack": need(4); return Models.attentionStack(p[0], p[1], p[2], (int) p[3], true);
                case "dense": need(1); return Models.dense(p[0]);
                case "conv": need(1); return Models.conv(p[0]);
                case "pinn": need(1); return Models.pinn(p[0]);
                default: throw new IllegalArgumentException("ModelSpec: built-in '" + name + "' takes no parameters, got " + Arrays.toString(p)
                        + " (with parameters: mlp(seed), attention(seed, width, d), attentionPlain(seed, width, d), attentionStack(seed, width, d, layers), dense(seed), conv(seed), pinn(seed))");
            }
        }

        private void need(int k) {
            if (params.length != k)
                throw new IllegalArgumentException("ModelSpec: built-in '" + name + "' takes " + k + " parameters, got " + params.length + " " + Arrays.toString(params));
        }

        @Override public String describe() { return params.length == 0 ? name : name + Arrays.toString(params); }

        @Override public boolean equals(Object o) { return o instanceof BuiltIn b && b.name.equals(name) && Arrays.equals(b.params, params); }

        @Override public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(params); }
    }

    /** A user class implementing {@link Model}, by name. */
    record UserClass(String className, String[] args) implements ModelSpec {
        @Override public Model model() {
            Class<?> type;
            try {
                ClassLoader cl = Thread.currentThread().getContextClassLoader();
                type = Class.forName(className, true, cl != null ? cl : ModelSpec.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("ModelSpec: class " + className + " is not on this JVM's class path; Spark executors load the model "
                        + "class from their class path (a jar), never from a notebook (JShell-defined classes cannot travel)");
            }
            refuseShellDefined(type);
            if (!Model.class.isAssignableFrom(type))
                throw new IllegalArgumentException("ModelSpec: class " + className + " does not implement " + Model.class.getName());
            try {
                for (Method m : type.getMethods())
                    if (m.getName().equals("create") && Modifier.isStatic(m.getModifiers()) && Model.class.isAssignableFrom(m.getReturnType())
                            && m.getParameterCount() == 1 && m.getParameterTypes()[0] == String[].class)
                        return (Model) m.invoke(null, (Object) args);
                Constructor<?> c = args.length == 0 ? type.getConstructor() : type.getConstructor(String[].class);
                return (Model) (args.length == 0 ? c.newInstance() : c.newInstance((Object) args));
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("ModelSpec: class " + className + " needs a public constructor " + type.getSimpleName()
                        + (args.length == 0 ? "()" : "(String...)") + " or a public static create(String...) method");
            } catch (ReflectiveOperationException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalArgumentException("ModelSpec: building " + describe() + " failed: " + cause, cause);
            }
        }

        @Override public String describe() { return className + Arrays.toString(args); }

        @Override public boolean equals(Object o) { return o instanceof UserClass u && u.className.equals(className) && Arrays.equals(u.args, args); }

        @Override public int hashCode() { return className.hashCode() * 31 + Arrays.hashCode(args); }
    }
}
