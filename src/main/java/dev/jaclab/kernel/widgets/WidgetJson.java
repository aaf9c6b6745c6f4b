package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;

/**
 * Widget state values to and from JSON: numbers, strings, booleans, lists, null, and widgets (sent as
 * {@code "IPY_MODEL_<id>"}, the reference form the front end resolves to its model).
 */
final class WidgetJson {
    /** Stands for null where a collection cannot hold one. */
    static final Object NULL = new Object();
    static final String MODEL_PREFIX = "IPY_MODEL_";

    private WidgetJson() {}

    static JsonElement toJson(Object v) {
        if (v == null) return JsonNull.INSTANCE;
        if (v instanceof Widget w) return new JsonPrimitive(MODEL_PREFIX + w.modelId());
        if (v instanceof Number n) return new JsonPrimitive(n);
        if (v instanceof Boolean b) return new JsonPrimitive(b);
        if (v instanceof String s) return new JsonPrimitive(s);
        if (v instanceof Collection<?> c) {
            JsonArray a = new JsonArray();
            for (Object x : c) a.add(toJson(x));
            return a;
        }
        throw new IllegalArgumentException("widget state: cannot send a " + v.getClass().getName() + " to the front end");
    }

    /** The front end's value converted to the Java type of {@code current} (Integer, Double, Boolean, String, List). */
    static Object like(JsonElement v, Object current) {
        if (v == null || v.isJsonNull()) return null;
        if (current instanceof Integer) {
            double d = v.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw new IllegalArgumentException("not an int: " + v);
            return (int) d;
        }
        if (current instanceof Double) return v.getAsDouble();
        if (current instanceof Boolean) {
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) throw new IllegalArgumentException("not a boolean: " + v);
            return v.getAsBoolean();
        }
        if (current instanceof List<?>) {
            if (!v.isJsonArray()) throw new IllegalArgumentException("not a list: " + v);
            List<Object> out = new ArrayList<>();
            for (JsonElement e : v.getAsJsonArray()) out.add(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : e.toString());
            return List.copyOf(out);
        }
        if (!v.isJsonPrimitive()) throw new IllegalArgumentException("not a plain value: " + v);
        return v.getAsString();
    }

    static void collectWidgets(Object v, List<Widget> into) {
        if (v instanceof Widget w) into.add(w);
        else if (v instanceof Collection<?> c) for (Object x : c) collectWidgets(x, into);
    }
}
