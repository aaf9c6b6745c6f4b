package dev.jaclab.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/**
 * Entry point Jupyter launches: {@code java -jar jaclab-all.jar kernel <connection-file>} or
 * {@code java -cp jaclab-all.jar dev.jaclab.kernel.KernelMain <connection-file>}.
 *
 * <p>Environment: {@code JACLAB_CLASSPATH} (extra jars/dirs for cells), {@code JACLAB_STARTUP_SCRIPT} (a file of
 * Java code, or the code itself, run before the first cell), {@code JACLAB_HISTORY} (a history file, or
 * {@code off}); JVM options come from {@code JACLAB_JVM_OPTS} through the kernelspec's launch command.
 * The kernel exits when the process that started it dies.
 *
 * <pre>{@code
 * java -Djava.awt.headless=true -cp target/jaclab-all.jar dev.jaclab.kernel.KernelMain /tmp/kernel-1.json
 * }</pre>
 */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: KernelMain <jupyter-connection-file.json>");
            System.exit(2);
        }
        Path connFile = Path.of(args[0]);
        if (!Files.isReadable(connFile)) {
            System.err.println("jaclab: cannot read the connection file " + connFile.toAbsolutePath());
            System.exit(2);
        }
        System.setProperty("java.awt.headless", System.getProperty("java.awt.headless", "true"));
        try {
            dev.jaclab.nd.Backend.configure();
        } catch (Throwable t) {
            System.err.println("jaclab: ND4J configuration skipped: " + t);
        }
        watchParent();
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(connFile));
        JacLabKernel kernel = new JacLabKernel(new CellHistory(historyFile()), startupCode());
        kernel.useJupyterOutput();
        KernelConnection connection = new KernelConnection(props);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        kernel.onStartup();
        connection.waitUntilClose();
        System.exit(0);
    }

    /** Exits when the parent process (the notebook server or kernel manager) goes away: no orphans. */
    static void watchParent() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty() || "off".equals(System.getenv("JACLAB_WATCH_PARENT"))) return;
        ProcessHandle p = parent.get();
        long pid = p.pid();
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                if (!p.isAlive() || now != pid) {
                    System.err.println("jaclab: parent process " + pid + " is gone; exiting");
                    Runtime.getRuntime().halt(0);
                }
            }
        }, "jaclab-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    static Path historyFile() {
        String env = System.getenv("JACLAB_HISTORY");
        if ("off".equals(env)) return null;
        if (env != null && !env.isBlank()) return Path.of(env);
        String data = System.getenv("JUPYTER_DATA_DIR");
        Path base = data != null && !data.isBlank() ? Path.of(data)
                : Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
        return base.resolve("jaclab").resolve("history.tsv");
    }

    static String startupCode() throws IOException {
        String s = System.getenv("JACLAB_STARTUP_SCRIPT");
        if (s == null || s.isBlank()) return null;
        Path p = Path.of(s.trim());
        try {
            if (Files.isRegularFile(p)) return Files.readString(p);
        } catch (java.nio.file.InvalidPathException ignored) {
            // not a path: the variable holds code
        }
        return s;
    }
}
