package dev.jaclab.kernel;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishStatus;
import org.zeromq.ZMQ;

/**
 * The Jupyter connection with {@link FastShellChannel}s for shell and control (low latency, bad signatures
 * dropped); heartbeat, stdin and iopub are the base library's.
 *
 * <pre>{@code
 * KernelConnection c = new KernelConnection(KernelConnectionProperties.parse(json));
 * kernel.becomeHandlerForConnection(c);
 * c.connect();
 * c.waitUntilClose();
 * }</pre>
 */
public final class KernelConnection extends JupyterConnection {
    private final KernelConnectionProperties props;
    private final ZMQ.Context ctx = ZMQ.context(1);
    private final FastShellChannel fastShell, fastControl;
    private boolean connected;

    public KernelConnection(KernelConnectionProperties props) throws NoSuchAlgorithmException, InvalidKeyException {
        super(props);
        this.props = props;
        fastShell = new FastShellChannel(ctx, props.createHMACGenerator(), false, this);
        fastControl = new FastShellChannel(ctx, props.createHMACGenerator(), true, this);
    }

    @Override
    public synchronized void connect() {
        if (connected) return;
        heartbeat.bind(props);
        fastShell.bind(props);
        fastControl.bind(props);
        stdin.bind(props);
        iopub.bind(props);
        getIOPub().sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
        connected = true;
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        fastControl.close();
        fastShell.close();
        super.close();
        ctx.close();
    }

    @Override
    public void waitUntilClose() {
        fastShell.waitUntilClose();
        fastControl.waitUntilClose();
        super.waitUntilClose();
    }
}
