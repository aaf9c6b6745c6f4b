package dev.jaclab.kernel;

import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Map;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.VarSnippet;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.tensor.Tensor;

/**
 * The table {@code %vars} shows: every variable of the session in declaration order with its declared type and a
 * short value; for tensors also the shape, dtype, bytes held (batch levels included) and whether they take part
 * in the tape. Values are read as objects, never turned into long strings.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(42, 1024, 3).requiresGrad();
 * int steps = 10;
 * %vars        // name | type | value | shape | dtype | bytes | requires grad
 *              // x    | Tensor |    | (1024, 3) | float32 | 12.0 KiB | true
 *              // steps | int  | 10  |           |         |          |
 * }</pre>
 */
final class VariablesView {
    /** Longest value text shown. */
    static final int VALUE_CHARS = 60;

    private VariablesView() {}

    static Table table(JShellSession session) {
        JShell shell = session.shell();
        StringColumn name = StringColumn.create("name"), type = StringColumn.create("type"), value = StringColumn.create("value"),
                shape = StringColumn.create("shape"), dtype = StringColumn.create("dtype"), bytes = StringColumn.create("bytes"),
                grad = StringColumn.create("requires grad");
        shell.variables().forEach(v -> {
            if (shell.status(v) != Snippet.Status.VALID) return;
            Object o;
            try {
                o = session.variable(v);
            } catch (RuntimeException e) {
                return;   // dropped or overwritten meanwhile
            }
            name.append(v.name());
            type.append(v.typeName());
            if (o instanceof Tensor t) {
                value.append("");
                shape.append(TensorView.shapeText(t.shape()));
                dtype.append(String.valueOf(t.dtype()));
                bytes.append(Bytes.format(t.data().numel() * t.dtype().bytes()));
                grad.append(String.valueOf(t.isRequiresGrad()));
            } else {
                value.append(preview(o));
                shape.append("");
                dtype.append("");
                bytes.append("");
                grad.append("");
            }
        });
        return Table.create("variables", name, type, value, shape, dtype, bytes, grad);
    }

    /** A short value: scalars and strings as they are, arrays and collections by size, other objects by class. */
    static String preview(Object o) {
        if (o == null) return "null";
        if (o instanceof Number || o instanceof Boolean || o instanceof Character || o instanceof Enum<?>) return String.valueOf(o);
        if (o instanceof CharSequence s) {
            String q = "\"" + s + "\"";
            return q.length() <= VALUE_CHARS ? q : q.substring(0, VALUE_CHARS - 2) + "…\"";
        }
        if (o.getClass().isArray())
            return o.getClass().getComponentType().getSimpleName() + "[" + Array.getLength(o) + "]";
        if (o instanceof Collection<?> c) return "size " + c.size();
        if (o instanceof Map<?, ?> m) return "size " + m.size();
        String cls = o.getClass().getSimpleName();          // the runtime class, often more precise than the type
        return cls.isEmpty() || cls.contains("$") ? "" : cls;  // lambdas and anonymous classes: the type says it
    }
}
