package dev.jaclab.kernel;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.DisplayDataRenderable;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;

/**
 * A kernel's registry that turns cell values into Jupyter display data (several MIME types per value). Each kernel
 * owns one ({@link JacLabKernel#renderers()}); cells reach it as {@code renderers()} (from {@link Notebook}).
 *
 * <p>A renderer is looked up by the value's class, then its superclasses and interfaces (nearest first).
 * Types can be registered by class or, for classes that may not exist yet, by class name; registering a type again
 * replaces its renderer. Values with a public {@code String toHtml()} method get {@code text/html}; everything gets
 * {@code text/plain}.
 *
 * <p>This is also the jjava {@code Renderer} the kernel hands its base class, so there is one set of renderers:
 * jjava's entries ({@code render}, {@code renderAs}) use this lookup, and values that render themselves through
 * jjava's {@code DisplayDataRenderable} protocol are rendered by the jjava rules this class inherits. JacLab keeps
 * its own lookup because it needs what jjava 1.0-a6's lacks: registration by class name, replacing a registration,
 * null values and the {@code toHtml()} fallback. The base kernel also registers jjava's renderers for images,
 * streams, URLs and text into the inherited tables; they are not consulted — images have JacLab's renderer, and
 * showing a stream or URL value must not read it.
 *
 * <pre>{@code
 * renderers().register(java.awt.Point.class, (p, mimes) -> {
 *     DisplayData d = new DisplayData("(" + p.x + ", " + p.y + ")");
 *     d.putHTML("<b>" + p.x + ", " + p.y + "</b>");
 *     return d;
 * });
 * display(new java.awt.Point(1, 2));
 * }</pre>
 */
public final class Renderers extends org.dflib.jjava.jupyter.kernel.display.Renderer {
    /** Renders a value; {@code mimes} holds the MIME types asked for (empty means "the defaults"). */
    @FunctionalInterface
    public interface ValueRenderer<T> {
        DisplayData render(T value, Set<String> mimes) throws Exception;
    }

    private final Map<String, ValueRenderer<Object>> byName = new ConcurrentHashMap<>();
    private volatile int chartWidth = 640, chartHeight = 400;

    /** A registry holding JacLab's renderers for tensors, reports, charts, tables and images. */
    public Renderers() { BuiltinRenderers.registerAll(this); }

    /** Registers a renderer for a type and its subtypes (replacing any earlier one for that type). */
    @SuppressWarnings("unchecked")
    public <T> void register(Class<T> type, ValueRenderer<? super T> renderer) {
        byName.put(type.getName(), (ValueRenderer<Object>) renderer);
    }

    /** Registers a renderer for a class known only by name (it need not be on the class path). */
    public void register(String className, ValueRenderer<Object> renderer) { byName.put(className, renderer); }

    /** Whether some registered renderer (not the text fallback) handles this value. */
    public boolean hasRenderer(Object value) { return value != null && find(value.getClass()) != null; }

    /** Sets the pixel size charts are rendered at. */
    public void chartSize(int width, int height) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("chartSize: width and height must be > 0, got " + width + "x" + height);
        chartWidth = width;
        chartHeight = height;
    }

    public int chartWidth() { return chartWidth; }

    public int chartHeight() { return chartHeight; }

    /**
     * Renders a value as display data. With MIME types given (e.g. "image/svg+xml"), renderers that offer several
     * choose those.
     *
     * @throws IllegalStateException when the renderer fails, naming the value's type
     */
    public DisplayData render(Object value, String... mimeTypes) {
        if (value instanceof DisplayData dd) return dd;
        Set<String> mimes = new HashSet<>(List.of(mimeTypes));
        DisplayData out;
        ValueRenderer<Object> r = value == null ? null : find(value.getClass());
        try {
            out = r != null ? r.render(value, mimes) : fallback(value, mimeTypes);
        } catch (Exception e) {
            throw new IllegalStateException("rendering a " + value.getClass().getName() + " failed: " + e, e);
        }
        // A widget view carries no text: the classic notebook would print it under the widget.
        if (out.getData(MIMEType.TEXT_PLAIN) == null && out.getData(WIDGET_VIEW) == null) out.putText(text(value));
        return out;
    }

    private static final MIMEType WIDGET_VIEW = MIMEType.parse(dev.jaclab.kernel.widgets.Widget.VIEW_MIME);

    /** jjava's entry (used by its base kernel): the same lookup. */
    @Override public DisplayData render(Object value, Map<String, Object> params) { return render(value, new String[0]); }

    /** jjava's entry (used by its base kernel): the same lookup, asking for {@code types}. */
    @Override public DisplayData renderAs(Object value, Map<String, Object> params, String... types) { return render(value, types); }

    /** No JacLab renderer: jjava's protocol for values that render themselves, else text and a public {@code toHtml()}. */
    private DisplayData fallback(Object value, String[] mimeTypes) throws Exception {
        if (value == null) return new DisplayData(text(null));
        if (value instanceof DisplayDataRenderable)
            return mimeTypes.length == 0 ? super.render(value, new LinkedHashMap<>()) : super.renderAs(value, new LinkedHashMap<>(), mimeTypes);
        DisplayData d = new DisplayData(text(value));
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

    private ValueRenderer<Object> find(Class<?> type) {
        Deque<Class<?>> queue = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            ValueRenderer<Object> r = byName.get(c.getName());
            if (r != null) return r;
            queue.addAll(List.of(c.getInterfaces()));
        }
        while (!queue.isEmpty()) {
            Class<?> i = queue.poll();
            if (!seen.add(i)) continue;
            ValueRenderer<Object> r = byName.get(i.getName());
            if (r != null) return r;
            queue.addAll(List.of(i.getInterfaces()));
        }
        return null;
    }
}
