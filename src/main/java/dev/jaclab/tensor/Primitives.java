package dev.jaclab.tensor;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalogue of primitive classes, for coverage checks and documentation. A new primitive is a new nested
 * class in one of the holder classes below; it is picked up here automatically. {@link CustomPrimitive}, the
 * user-defined op, is listed too (its gradient-check row checks the machinery with hand-written rules).
 *
 * <pre>{@code
 * Primitives.all().stream().map(Class::getSimpleName).toList();   // [Neg, Exp, Log, Sin, ...]
 * }</pre>
 */
public final class Primitives {
    private static final Class<?>[] HOLDERS = {Elementwise.class, Linalg.class, Reductions.class, ShapeOps.class, BatchLevels.class, Attention.class, SecondOrderOps.class};
    /** Primitive classes of their own file. */
    private static final List<Class<? extends Primitive>> TOP_LEVEL = List.of(CustomPrimitive.class);

    private Primitives() {}

    /** Every concrete primitive class. */
    public static List<Class<? extends Primitive>> all() {
        List<Class<? extends Primitive>> out = new ArrayList<>();
        for (Class<?> h : HOLDERS)
            for (Class<?> c : h.getDeclaredClasses())
                if (Primitive.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers()))
                    out.add(c.asSubclass(Primitive.class));
        out.addAll(TOP_LEVEL);
        return out;
    }
}
