package dev.jaclab.kernel;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellChannel;
import org.dflib.jjava.jupyter.channels.ShellHandler;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.zeromq.ZMQ;

/**
 * A shell/control channel that blocks in {@code poll} instead of the base library's poll-then-sleep-50-ms
 * loop (which bounds every request's latency by 50 ms), and that drops messages with a bad HMAC signature
 * instead of letting the exception kill the channel's thread.
 *
 * <pre>{@code
 * new KernelConnection(props)   // uses two of these for shell and control
 * }</pre>
 */
final class FastShellChannel extends ShellChannel {
    /** Poll timeout; bounds how long close() waits for the loop to notice. */
    static final int POLL_MS = 100;

    private final boolean control;
    private final JupyterConnection connection;
    private volatile boolean running;
    private Thread loop;

    FastShellChannel(ZMQ.Context ctx, HMACGenerator hmac, boolean control, JupyterConnection connection) {
        super(ctx, hmac, control, connection);
        this.control = control;
        this.connection = connection;
    }

    @Override
    public void bind(KernelConnectionProperties p) {
        String addr = formatAddress(p.getTransport(), p.getIp(), control ? p.getControlPort() : p.getShellPort());
        super.bind(addr);
        running = true;
        loop = new Thread(this::run, control ? "jaclab-control" : "jaclab-shell");
        loop.start();
    }

    private void run() {
        ZMQ.Poller poller = ctx.poller(1);
        poller.register(this, ZMQ.Poller.POLLIN);
        try {
            while (running) {
                if (poller.poll(POLL_MS) <= 0 || !poller.pollin(0)) continue;
                handleOne();
            }
        } catch (RuntimeException e) {
            if (running) System.err.println("jaclab: " + Thread.currentThread().getName() + " stopped: " + e);
        } finally {
            poller.close();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handleOne() {
        Message<?> msg;
        try {
            msg = readMessage();
        } catch (SecurityException e) {
            System.err.println("jaclab: dropped a message with an invalid signature");
            return;
        } catch (RuntimeException e) {
            System.err.println("jaclab: dropped an unreadable message: " + e);
            return;
        }
        if (msg == null) return;
        ShellHandler handler = connection.getHandler(msg.getHeader().getType());
        if (handler == null) {
            System.err.println("jaclab: no handler for " + msg.getHeader().getType().getName());
            return;
        }
        ShellReplyEnvironment env = connection.prepareReplyEnv(this, msg);
        try {
            handler.handle(env, msg);
        } catch (Exception e) {
            System.err.println("jaclab: error handling " + msg.getHeader().getType().getName() + ": " + e);
        } finally {
            env.resolveDeferrals();
        }
        if (env.isMarkedForShutdown()) {
            running = false;
            connection.close();
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(POLL_MS * 3L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!closed) super.close();
    }

    @Override
    public void waitUntilClose() {
        Thread t = loop;
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
