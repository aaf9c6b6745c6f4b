package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.dflib.jjava.jupyter.kernel.comm.Comm;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageContext;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.comm.CommOpenCommand;
import org.dflib.jjava.jupyter.messages.publish.PublishClearOutput;
import org.dflib.jjava.jupyter.messages.publish.PublishDisplayData;

import com.google.gson.JsonObject;

/**
 * The kernel's comm manager: the base library's routing of {@code comm_open}/{@code comm_msg}/{@code comm_close}
 * plus what widgets need from it — opening a comm with its initial state as the {@code comm_open} data, the id of
 * the shell message being handled (the parent of what the kernel publishes now), and flushing pending stream output
 * before a comm message so that the front end sees output and widget changes in the order they happened.
 *
 * <p>Widgets belong to the cell that opened them: when the front end names its cells (execute_request metadata
 * {@code "cellId"}, sent by JupyterLab and, for the classic notebook, by the kernelspec's {@code kernel.js}), running a
 * cell again first closes the widgets it opened before ({@link #cellStarting}), so their comms close in the browser and
 * their listeners are dropped here.
 *
 * <p>One per kernel; {@link Widget}s find it through {@link #current()}.
 *
 * <pre>{@code
 * KernelComms comms = new KernelComms();          // given to the kernel's base class
 * comms.beforeSend(router::flush);
 * }</pre>
 */
public class KernelComms extends CommManager {
    /** The widget comm target of the front end (jupyter-js-widgets). */
    public static final String WIDGET_TARGET = "jupyter.widget";
    /** The target the front end opens to check the widget protocol version. */
    public static final String VERSION_TARGET = "jupyter.widget.version";
    /**
     * The jupyter-js-widgets version range the kernel asks for: the Debian classic-notebook front end
     * ({@code jupyter-nbextension-jupyter-js-widgets} 6.0.0, ipywidgets 6) checks it with semver and resolves
     * models in module {@code jupyter-js-widgets} at this version.
     */
    public static final String FRONTEND_VERSION = "~2.1.4";

    private static volatile KernelComms current;
    private volatile Runnable beforeSend = () -> {};
    /** The widgets each named cell opened, in opening order. */
    private final Map<String, List<Widget>> byCell = new LinkedHashMap<>();
    private volatile String cell;
    private volatile boolean liveFrontEnd;

    /** Creates the manager, makes it the one widgets use, and answers the front end's version check. */
    public KernelComms() {
        registerTarget(VERSION_TARGET, (manager, id, target, msg) -> {
            liveFrontEnd = true;
            return new VersionComm(manager, id, target);
        });
        current = this;
    }

    /** The manager of the running kernel, or null outside a kernel (widgets then live unconnected). */
    public static KernelComms current() { return current; }

    /** Runs {@code r} before each message widgets send (the kernel flushes stdout/stderr there). */
    public void beforeSend(Runnable r) { beforeSend = r == null ? () -> {} : r; }

    /** Sends pending stream output now (before a widget changes what captures it). */
    public void flushOutput() { beforeSend.run(); }

    /** Whether the kernel is connected to a front end (comms can be opened). */
    public boolean connected() { return iopub != null; }

    /**
     * Whether a live widget front end is connected: it opened the version-check comm, as the notebook page does when
     * it connects. Headless runs (nbconvert, nbclient) do not, and cannot run widget listeners.
     */
    public boolean liveFrontEnd() { return liveFrontEnd; }

    /**
     * A cell starts: the widgets the cell with this id opened before are closed, and widgets opened from now on
     * belong to it. {@code cellId} null (the front end does not name cells) closes nothing.
     */
    public void cellStarting(String cellId) {
        List<Widget> previous;
        synchronized (byCell) {
            cell = cellId;
            previous = cellId == null ? null : byCell.remove(cellId);
        }
        if (previous != null) for (Widget w : previous) w.close();
    }

    /** The cell ended: widgets opened from now on (by background work) belong to no cell. */
    public void cellEnded() { cell = null; }

    /** The id of the cell widgets opened now belong to, or null. */
    public String currentCell() { return cell; }

    /** Runs {@code body} with widgets it opens belonging to {@code cellId} (a listener of a widget of that cell). */
    void inCell(String cellId, Runnable body) {
        String before = cell;
        cell = cellId;
        try {
            body.run();
        } finally {
            cell = before;
        }
    }

    /** Records that {@code w} was opened in the current cell; returns that cell's id (or null). */
    String opened(Widget w) {
        synchronized (byCell) {
            String c = cell;
            if (c != null) byCell.computeIfAbsent(c, k -> new ArrayList<>()).add(w);
            return c;
        }
    }

    /** Forgets a closed widget. */
    void closed(Widget w, String cellId) {
        if (cellId == null) return;
        synchronized (byCell) {
            List<Widget> ws = byCell.get(cellId);
            if (ws != null) {
                ws.remove(w);
                if (ws.isEmpty()) byCell.remove(cellId);
            }
        }
    }

    /** The number of widgets with an open comm that a named cell opened (all cells). */
    public int openInCells() {
        synchronized (byCell) { return byCell.values().stream().mapToInt(List::size).sum(); }
    }

    /** The number of comms open now (widgets and the version check). */
    public synchronized int openComms() {
        int n = 0;
        for (Comm ignored : this) n++;
        return n;
    }

    /**
     * Publishes display data (or, with {@code d} null, a clear_output that waits for the next output) as a child of
     * a fresh request id {@code parentId} made by {@link #newParentId}: what an {@link Output} whose {@code msg_id} is
     * that id shows. Any thread may call it (background redraws); messages go out in call order.
     */
    void publishUnder(String parentId, DisplayData d) {
        if (iopub == null) throw new IllegalStateException("display: the kernel is not connected to a front end");
        MessageContext base = context;
        Header<?> parent = new Header<>(parentId, base == null || base.getHeader() == null ? "" : base.getHeader().getUsername(),
                base == null || base.getHeader() == null ? "" : base.getHeader().getSessionId(), org.dflib.jjava.jupyter.messages.KernelTimestamp.now(), MessageType.COMM_MSG_COMMAND, Header.PROTOCOL_VERISON);
        MessageContext ctx = new MessageContext() {
            @Override public List<byte[]> getIdentities() { return base == null ? List.of() : base.getIdentities(); }

            @Override public Header getHeader() { return parent; }
        };
        beforeSend.run();
        if (d == null) iopub.sendMessage(new Message<>(ctx, PublishClearOutput.MESSAGE_TYPE, PublishClearOutput.BEFORE_NEXT_OUTPUT));
        else iopub.sendMessage(new Message<>(ctx, PublishDisplayData.MESSAGE_TYPE, new PublishDisplayData(d)));
    }

    /** A fresh request id for {@link #publishUnder}. */
    static String newParentId() { return "jaclab-" + UUID.randomUUID(); }

    /** The header id of the shell message being handled, or "" before the first one. */
    public String parentMessageId() {
        MessageContext c = context;
        return c == null || c.getHeader() == null ? "" : c.getHeader().getId();
    }

    /** Opens a comm to {@code target} with {@code data} as the {@code comm_open} data. */
    public synchronized <T extends Comm> T open(String target, JsonObject data, Function<String, T> factory) {
        if (iopub == null) throw new IllegalStateException("comm " + target + ": the kernel is not connected to a front end");
        String id = UUID.randomUUID().toString().replace("-", "");
        T comm = factory.apply(id);
        registerComm(comm);
        beforeSend.run();
        iopub.sendMessage(new Message<>(context, CommOpenCommand.MESSAGE_TYPE, new CommOpenCommand(id, target, data)));
        return comm;
    }

    @Override
    public void messageComm(String commID, JsonObject data, java.util.Map<String, Object> metadata, java.util.List<byte[]> blobs) {
        beforeSend.run();
        super.messageComm(commID, data, metadata, blobs);
    }

    @Override
    public synchronized void registerComm(Comm comm) { super.registerComm(comm); }

    @Override
    public synchronized Comm unregisterComm(String id) { return super.unregisterComm(id); }

    @Override
    public synchronized Comm getCommByID(String id) { return super.getCommByID(id); }

    /** Answers the front end's version check with {@link #FRONTEND_VERSION}; its reply says whether it matched. */
    private static final class VersionComm extends Comm {
        VersionComm(CommManager manager, String id, String target) {
            super(manager, id, target);
            JsonObject v = new JsonObject();
            v.addProperty("version", FRONTEND_VERSION);
            send(v);
        }

        @Override protected void onMessage(Message<org.dflib.jjava.jupyter.messages.comm.CommMsgCommand> msg) {
            JsonObject d = msg.getContent().getData();
            if (d != null && d.has("validated") && !d.get("validated").getAsBoolean())
                System.err.println("jaclab: the widget front end (" + d.get("frontend_version") + ") does not satisfy "
                        + FRONTEND_VERSION + "; widgets may not display");
        }

        @Override protected void onClose(Message<org.dflib.jjava.jupyter.messages.comm.CommCloseCommand> msg, boolean local) {}
    }
}
