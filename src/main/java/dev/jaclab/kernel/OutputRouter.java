package dev.jaclab.kernel;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.messages.publish.PublishStream;

/**
 * Routes {@code System.out}, {@code System.err} and {@code System.in} to the cell being executed: output
 * becomes Jupyter stream messages (batched: flushed every {@value #FLUSH_MS} ms, at 8 KiB and at the end of
 * the cell), input is requested from the front end. Between cells output goes to the kernel's own
 * stdout/stderr (the notebook server's log).
 *
 * <pre>{@code
 * OutputRouter router = OutputRouter.install();
 * router.attach(env);  ...  router.detach();
 * }</pre>
 */
final class OutputRouter {
    static final int FLUSH_MS = 40;

    private volatile ShellReplyEnvironment env;
    private final Channel out, err;
    private final PrintStream origOut, origErr;

    private OutputRouter() {
        origOut = System.out;
        origErr = System.err;
        out = new Channel(PublishStream.StreamType.OUT, origOut);
        err = new Channel(PublishStream.StreamType.ERR, origErr);
    }

    /** Replaces System.out/err/in for the rest of the JVM's life. */
    static OutputRouter install() {
        OutputRouter r = new OutputRouter();
        System.setOut(new PrintStream(r.out, false, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(r.err, false, StandardCharsets.UTF_8));
        System.setIn(r.new StdIn());
        Thread flusher = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(FLUSH_MS);
                } catch (InterruptedException e) {
                    return;
                }
                r.flush();
            }
        }, "jaclab-output-flusher");
        flusher.setDaemon(true);
        flusher.start();
        return r;
    }

    void attach(ShellReplyEnvironment e) {
        flush();
        env = e;
    }

    void detach() {
        flush();
        env = null;
    }

    ShellReplyEnvironment env() { return env; }

    /** Sends pending output now (call before publishing anything else, to keep order). */
    void flush() {
        System.out.flush();
        System.err.flush();
        out.send();
        err.send();
    }

    private final class Channel extends OutputStream {
        private final PublishStream.StreamType type;
        private final PrintStream fallback;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Channel(PublishStream.StreamType type, PrintStream fallback) {
            this.type = type;
            this.fallback = fallback;
        }

        @Override public synchronized void write(int b) {
            buf.write(b);
            if (buf.size() >= 8192) send();
        }

        @Override public synchronized void write(byte[] b, int off, int len) {
            buf.write(b, off, len);
            if (buf.size() >= 8192) send();
        }

        synchronized void send() {
            if (buf.size() == 0) return;
            String text = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            ShellReplyEnvironment e = env;
            if (e != null) e.publish(new PublishStream(type, text));
            else {
                fallback.print(text);
                fallback.flush();
            }
        }
    }

    /** Reads a line from the front end when cell code reads System.in. */
    private final class StdIn extends InputStream {
        private byte[] pending = new byte[0];
        private int pos;

        @Override public synchronized int read() {
            if (pos >= pending.length && !fill()) return -1;
            return pending[pos++] & 0xff;
        }

        @Override public synchronized int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (pos >= pending.length && !fill()) return -1;
            int n = Math.min(len, pending.length - pos);
            System.arraycopy(pending, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() {
            ShellReplyEnvironment e = env;
            if (e == null) return false;
            flush();
            String line = e.readFromStdIn("", false);
            if (line == null) return false;
            pending = (line.endsWith("\n") ? line : line + "\n").getBytes(StandardCharsets.UTF_8);
            pos = 0;
            return true;
        }
    }
}
