package dev.jaclab.kernel.widgets;

import java.util.UUID;
import java.util.function.Function;

import org.dflib.jjava.jupyter.kernel.comm.Comm;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageContext;
import org.dflib.jjava.jupyter.messages.comm.CommOpenCommand;

import com.google.gson.JsonObject;

/**
 * The kernel's comm manager: the base library's routing of {@code comm_open}/{@code comm_msg}/{@code comm_close}
 * plus what widgets need from it — opening a comm with its initial state as the {@code comm_open} data, the id of
 * the shell message being handled (the parent of what the kernel publishes now), and flushing pending stream output
 * before a comm message so that the front end sees output and widget changes in the order they happened.
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

    /** Creates the manager, makes it the one widgets use, and answers the front end's version check. */
    public KernelComms() {
        registerTarget(VERSION_TARGET, (manager, id, target, msg) -> new VersionComm(manager, id, target));
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
