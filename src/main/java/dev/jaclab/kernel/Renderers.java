package dev.jaclab.kernel;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * The registry that turns cell values into Jupyter display data (several MIME types per value).
 *
 * <p>A renderer is looked up by the value's class, then its superclasses and interfaces (nearest first).
 * Types can be registered by class or, for classes that may not exist yet, by class name. Values with a
 * public {@code String toHtml()} method get {@code text/html}; everything gets {@code text/plain}.
 *
 * <pre>{@code
 * Renderers.register(java.awt.Point.class, (p, mimes) -> {
 *     DisplayData d = new DisplayData("(" + p.x + ", " + p.y + ")");
 *     d.putHTML("<b>" + p.x + ", " + p.y + "</b>");
 *     return d;
 * });
 * display(new java.awt.Point(1, 2));
 * }</pre>
 */
public final class Renderers {
    /** Renders a value; {@code mimes} holds the MIME types asked for (empty means "the defaults"). */
    @FunctionalInterface
    public interface Renderer<T> {
        DisplayData render(T value, Set<String> mimes) throws Exception;
    }

    private static final Map<String, Renderer<Object>> BY_NAME = new ConcurrentHashMap<>();

    static {
        BuiltinRenderers.registerAll();
    }

    private Renderers() {}

    /** Registers a renderer for a type and its subtypes (replacing any earlier one for that type). */
    @SuppressWarnings("unchecked")
    public static <T> void register(Class<T> type, Renderer<? super T> renderer) {
        BY_NAME.put(type.getName(), (Renderer<Object>) renderer);
    }

    /** Registers a renderer for a class known only by name (it need not be on the class path). */
    public static void register(String className, Renderer<Object> renderer) {
        BY_NAME.put(className, renderer);
    }

    /** Whether some registered renderer (not the text fallback) handles this value. */
    public static boolean hasRenderer(Object value) {
        return value != null && find(value.getClass()) != null;
    }

    /**
     * Renders a value as display data. With MIME types given, only those are kept (plus text/plain).
     *
     * @throws IllegalStateException when the renderer fails, naming the value's type
     */
    public static DisplayData render(Object value, String... mimeTypes) {
        Set<String> mimes = new HashSet<>(List.of(mimeTypes));
        if (value instanceof DisplayData dd) return dd;
        DisplayData out;
        Renderer<Object> r = value == null ? null : find(value.getClass());
        try {
            out = r != null ? r.render(value, mimes) : fallback(value);
        } catch (Exception e) {
            throw new IllegalStateException("rendering a " + value.getClass().getName() + " failed: " + e, e);
        }
        if (out.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN) == null)
            out.putText(String.valueOf(value));
        return out;
    }

    private static DisplayData fallback(Object value) throws Exception {
        DisplayData d = new DisplayData(text(value));
        if (value == null) return d;
        Method html = publicNoArg(value.getClass(), "toHtml");
        if (html != null && html.getReturnType() == String.class) d.putHTML((String) html.invoke(value));
        return d;
    }

    /** String.valueOf, with arrays spelled out ([1, 2, 3] rather than [J@1b2c3d). */
    static String text(Object value) {
        if (value == null || !value.getClass().isArray()) return String.valueOf(value);
        String s = java.util.Arrays.deepToString(new Object[]{value});
        return s.substring(1, s.length() - 1);
    }

    private static Method publicNoArg(Class<?> c, String name) {
        try {
            Method m = c.getMethod(name);
            return java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Renderer<Object> find(Class<?> type) {
        Deque<Class<?>> queue = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Renderer<Object> r = BY_NAME.get(c.getName());
            if (r != null) return r;
            queue.addAll(List.of(c.getInterfaces()));
        }
        while (!queue.isEmpty()) {
            Class<?> i = queue.poll();
            if (!seen.add(i)) continue;
            Renderer<Object> r = BY_NAME.get(i.getName());
            if (r != null) return r;
            queue.addAll(List.of(i.getInterfaces()));
        }
        return null;
    }
}
