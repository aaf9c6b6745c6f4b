package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.dflib.jjava.jupyter.kernel.comm.Comm;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.comm.CommCloseCommand;
import org.dflib.jjava.jupyter.messages.comm.CommMsgCommand;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * A Jupyter widget model kept in the kernel and mirrored in the browser over a comm (target {@code jupyter.widget}).
 * The state is a map of JSON-able values; the kernel opens the comm with the whole state, sends
 * {@code {"method": "update", "state": ...}} when Java code changes a key, and applies the front end's
 * {@code {"method": "backbone", "sync_data": ...}} when the user changes one, firing the key's listeners either way.
 * {@code request_state} resends the whole state; {@code custom} messages go to {@link #onCustom}.
 *
 * <p>The comm opens when the widget is first displayed (or shown inside a displayed box); until then, and outside
 * a kernel, a widget is a plain object whose state and listeners work the same. A widget belongs to the cell that
 * opened it: running that cell again closes it (see {@link KernelComms#cellStarting}).
 *
 * <pre>{@code
 * IntSlider n = IntSlider.of(3, 0, 10);
 * n.onChange(v -> System.out.println("n = " + v));
 * display(n);          // the slider appears; moving it prints
 * n.value(7);          // moves it in the browser too
 * n.close();           // removes it and drops its listeners
 * }</pre>
 */
public abstract class Widget {
    /** The MIME type of a widget view in display data. */
    public static final String VIEW_MIME = "application/vnd.jupyter.widget-view+json";
    /** The module the installed front end resolves core models and views in. */
    static final String MODULE = "jupyter-js-widgets";

    private final Map<String, Object> state = new LinkedHashMap<>();
    private final Map<String, List<Consumer<Object>>> listeners = new LinkedHashMap<>();
    private final List<Runnable> closeHooks = new CopyOnWriteArrayList<>();
    private final List<Runnable> displayHooks = new CopyOnWriteArrayList<>();
    private volatile WidgetComm comm;
    private volatile boolean closed;
    /** The cell that opened the comm (null: none named). */
    private volatile String cell;

    /** A model/view pair of the core module; {@code viewName} null for models without a view. */
    protected Widget(String modelName, String viewName) {
        state.put("_model_module", MODULE);
        state.put("_model_module_version", KernelComms.FRONTEND_VERSION);
        state.put("_model_name", modelName);
        state.put("_view_module", MODULE);
        state.put("_view_module_version", KernelComms.FRONTEND_VERSION);
        state.put("_view_name", viewName);
        state.put("msg_throttle", 1);
    }

    /** The comm id (the model id the front end knows), or null while not open. */
    public String modelId() {
        WidgetComm c = comm;
        return c == null ? null : c.getID();
    }

    /** Whether the comm to the front end is open. */
    public boolean isOpen() { return comm != null; }

    /** The current value of a state key. */
    public synchronized Object get(String key) {
        if (!state.containsKey(key)) throw new IllegalArgumentException(getClass().getSimpleName() + ": no state key '" + key + "'");
        return state.get(key);
    }

    /** Declares a state key with its initial value (constructors). */
    protected final synchronized void define(String key, Object value) { state.put(key, value); }

    /** Sets a state key from Java: the front end gets an update and the key's listeners run if the value changed. */
    public void set(String key, Object value) {
        Object old;
        synchronized (this) {
            if (!state.containsKey(key)) throw new IllegalArgumentException(getClass().getSimpleName() + ": no state key '" + key + "'");
            old = state.put(key, value);
        }
        if (Objects.equals(old, value)) return;
        WidgetComm c = comm;
        if (c != null) {
            JsonObject s = new JsonObject();
            s.add(key, WidgetJson.toJson(value));
            c.sendUpdate(s);
        }
        fire(key, value);
    }

    /** Runs {@code listener} with the new value each time {@code key} changes (from Java or from the browser). */
    public synchronized void observe(String key, Consumer<Object> listener) {
        if (closed) throw new IllegalStateException(getClass().getSimpleName() + " is closed: no listeners can be added");
        listeners.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /** The number of listeners held (all keys). */
    public synchronized int listenerCount() { return listeners.values().stream().mapToInt(List::size).sum(); }

    private void fire(String key, Object value) {
        List<Consumer<Object>> ls;
        synchronized (this) { ls = listeners.get(key); }
        if (ls == null) return;
        for (Consumer<Object> l : ls) {
            try {
                l.accept(value);
            } catch (RuntimeException e) {
                System.err.println(getClass().getSimpleName() + " listener on '" + key + "' failed: " + e);
            }
        }
    }

    /**
     * Converts a value the front end sent for {@code key} into the Java value, or throws
     * {@link IllegalArgumentException} to reject it (the front end then gets the kernel's value back).
     */
    protected Object fromFrontEnd(String key, JsonElement value, Object current) { return WidgetJson.like(value, current); }

    /** A custom message from the front end (a button click). */
    protected void onCustom(JsonObject content) {}

    /** Widgets this one refers to in its state (layout, style, children): opened before it. */
    protected List<Widget> references() {
        List<Widget> out = new ArrayList<>();
        synchronized (this) {
            for (Object v : state.values()) WidgetJson.collectWidgets(v, out);
        }
        return out;
    }

    /** Opens the comm (and those of the widgets it refers to) if it is not open; returns the model id. */
    public String open() {
        if (comm != null) return comm.getID();
        KernelComms comms = KernelComms.current();
        if (comms == null || !comms.connected())
            throw new IllegalStateException(getClass().getSimpleName() + ": widgets are shown only inside the JacLab kernel");
        for (Widget w : references()) w.open();
        synchronized (this) {
            if (comm != null) return comm.getID();
            closed = false;
            comm = comms.open(KernelComms.WIDGET_TARGET, openData(), id -> new WidgetComm(comms, id));
            cell = comms.opened(this);
            return comm.getID();
        }
    }

    /**
     * The comm_open data: the state's keys at the top level, where jupyter-js-widgets 2.1 reads them, and the same state
     * under {@code "state"} (with no binary {@code "buffer_paths"}), where newer clients such as nbclient, which runs
     * notebooks headless, read it. The older front end keeps the extra key as an unused attribute.
     */
    JsonObject openData() {
        JsonObject data = fullState();
        data.add("state", fullState());
        data.add("buffer_paths", new com.google.gson.JsonArray());
        return data;
    }

    /** The whole state as JSON. */
    public synchronized JsonObject fullState() {
        JsonObject o = new JsonObject();
        state.forEach((k, v) -> o.add(k, WidgetJson.toJson(v)));
        return o;
    }

    /**
     * The display data that shows this widget: opens the comm, asks the front end to show a view in the cell that is
     * running ({@code {"method": "display"}}, what the installed front end acts on) and returns the
     * {@code application/vnd.jupyter.widget-view+json} bundle that saved notebooks keep.
     */
    public DisplayData view() {
        String id = open();
        JsonObject display = new JsonObject();
        display.addProperty("method", "display");
        comm.send(display);
        for (Runnable r : displayHooks) r.run();
        DisplayData d = new DisplayData();
        d.putData(VIEW_MIME, Map.of("model_id", id, "version_major", 2, "version_minor", 0));
        return d;
    }

    /**
     * Closes the comm (the front end removes its views) and drops every listener; the widgets this one refers to
     * (its layout and style, a box's children) are closed too.
     */
    public void close() {
        WidgetComm c = comm;
        if (c != null) c.close();
        else closedLocally();
        for (Widget w : references()) w.close();
    }

    private void closedLocally() {
        String c;
        synchronized (this) {
            if (closed && comm == null) return;
            comm = null;
            closed = true;
            listeners.clear();
            c = cell;
            cell = null;
        }
        KernelComms comms = KernelComms.current();
        if (comms != null) comms.closed(this, c);
        for (Runnable r : closeHooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println(getClass().getSimpleName() + " close hook failed: " + e);
            }
        }
        closeHooks.clear();
    }

    /** Runs {@code r} each time the widget is displayed, after its view is shown (a first drawing of its output). */
    public void onDisplay(Runnable r) { displayHooks.add(r); }

    /**
     * Runs {@code r} once when the widget closes ({@link #close()}, its cell run again, or the front end closing it):
     * where background work a widget started is stopped.
     */
    public void onClose(Runnable r) {
        if (closed) throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        closeHooks.add(r);
    }

    /** Whether {@link #close()} ran or the front end closed the comm. */
    public boolean isClosed() { return closed; }

    @Override
    public synchronized String toString() {
        return getClass().getSimpleName() + (state.containsKey("value") ? "(value=" + state.get("value") + ")" : "");
    }

    /** The comm behind a widget: applies the front end's messages to the widget's state. */
    final class WidgetComm extends Comm {
        WidgetComm(KernelComms manager, String id) { super(manager, id, KernelComms.WIDGET_TARGET); }

        void sendUpdate(JsonObject changed) {
            JsonObject m = new JsonObject();
            m.addProperty("method", "update");
            m.add("state", changed);
            m.add("buffers", new com.google.gson.JsonArray());
            send(m);
        }

        @Override
        protected void onMessage(Message<CommMsgCommand> msg) {
            KernelComms comms = KernelComms.current();
            if (comms == null) handle(msg);
            else comms.inCell(cell, () -> handle(msg));
        }

        private void handle(Message<CommMsgCommand> msg) {
            JsonObject data = msg.getContent().getData();
            String method = data != null && data.has("method") && data.get("method").isJsonPrimitive() ? data.get("method").getAsString() : null;
            if (method == null) {
                System.err.println("jaclab: widget message without a method ignored: " + data);
                return;
            }
            switch (method) {
                case "backbone" -> {
                    if (data.has("sync_data") && data.get("sync_data").isJsonObject()) applyFromFrontEnd(data.getAsJsonObject("sync_data"));
                    else System.err.println("jaclab: widget backbone message without sync_data ignored");
                }
                case "request_state" -> sendUpdate(fullState());
                case "custom" -> {
                    if (data.has("content") && data.get("content").isJsonObject()) onCustom(data.getAsJsonObject("content"));
                }
                default -> System.err.println("jaclab: unknown widget message method '" + method + "' ignored");
            }
        }

        @Override
        protected void onClose(Message<CommCloseCommand> msg, boolean local) { closedLocally(); }
    }

    private void applyFromFrontEnd(JsonObject sync) {
        JsonObject rejected = new JsonObject();
        List<Map.Entry<String, Object>> changed = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : sync.entrySet()) {
            String key = e.getKey();
            synchronized (this) {
                if (!state.containsKey(key) || key.startsWith("_")) continue;
                Object current = state.get(key);
                try {
                    Object v = fromFrontEnd(key, e.getValue(), current);
                    if (!Objects.equals(v, current)) {
                        state.put(key, v);
                        changed.add(Map.entry(key, v == null ? WidgetJson.NULL : v));
                    }
                    if (!WidgetJson.toJson(v).equals(e.getValue())) rejected.add(key, WidgetJson.toJson(v));
                } catch (RuntimeException ex) {
                    rejected.add(key, WidgetJson.toJson(current));
                }
            }
        }
        WidgetComm c = comm;
        if (c != null && rejected.size() > 0) c.sendUpdate(rejected);
        for (Map.Entry<String, Object> e : changed) fire(e.getKey(), e.getValue() == WidgetJson.NULL ? null : e.getValue());
    }
}
