package dev.jaclab.kernel;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.kernel.deps.DependencyLoader;

/**
 * Cell magics ({@code %%name} on the first line) and line magics ({@code %name} on their own line) on top
 * of a {@link JShellSession}. Built in: {@code %classpath add <jar|dir|dir/*>}, {@code %maven} and
 * {@code %%loadFromPOM} (Maven dependencies, see {@link DependencyLoader}), {@code %vars}, {@code %time} /
 * {@code %%time}, {@code %jvm}, {@code %%html}, {@code %help}; more can be registered.
 *
 * <pre>{@code
 * %%time
 * Tensor y = Tensor.randn(1, 1000, 1000).matmul(Tensor.randn(2, 1000, 1000));
 *
 * %maven org.apache.commons:commons-text:1.10.0
 * }</pre>
 */
public final class Magics {
    /** A line magic gets the text after its name; its result (if any) becomes the cell value. */
    @FunctionalInterface
    public interface LineMagic { Object run(String args, int cellNumber, int line) throws Exception; }

    /** A cell magic gets the arguments on the first line and the rest of the cell. */
    @FunctionalInterface
    public interface CellMagic { Object run(String args, String body, int cellNumber) throws Exception; }

    private final JShellSession session;
    private final Map<String, LineMagic> lineMagics = new TreeMap<>();
    private final Map<String, CellMagic> cellMagics = new TreeMap<>();
    private final Map<String, String> help = new TreeMap<>();
    /** Class path entries added in this session, each with where it came from. */
    private final List<String> addedClasspath = new ArrayList<>();
    private final DependencyLoader dependencies = new DependencyLoader((jar, coords) -> addToClasspath(jar.getPath(), "%maven " + coords));

    public Magics(JShellSession session) {
        this.session = session;
        registerLine("classpath", "%classpath add <jar|dir|dir/*>  add to the class path; %classpath  list it", this::classpath);
        registerLine("maven", "%maven group:artifact:version[:classifier] ...  add libraries and their dependencies "
                + "(Maven Central and ~/.m2/settings.xml)", (a, n, l) -> { dependencies.maven(a); return null; });
        registerCell("loadFromPOM", "%%loadFromPOM  add the <dependency> elements (or whole POM) in the cell, with their dependencies",
                (a, body, n) -> { dependencies.loadFromPom(body, n); return null; });
        registerLine("vars", "%vars  the session's variables: type, value; shape, dtype, bytes, requires grad of tensors",
                (a, n, l) -> VariablesView.table(session));
        registerLine("time", "%time <code>  run one line, print wall time and allocated memory", (a, n, l) -> time(a, n, l));
        registerCell("time", "%%time  run the cell, print wall time and allocated memory", (a, body, n) -> time(body, n, 1));
        registerLine("jvm", "%jvm  Java version, ND4J backend, threads, memory", (a, n, l) -> { System.out.print(jvmReport()); return null; });
        registerCell("html", "%%html  show the cell as HTML", (a, body, n) -> Notebook.html(body));
        registerLine("help", "%help  this list", (a, n, l) -> { System.out.print(helpText()); return null; });
    }

    public void registerLine(String name, String helpLine, LineMagic m) { lineMagics.put(name, m); help.put("%" + name, helpLine); }

    public void registerCell(String name, String helpLine, CellMagic m) { cellMagics.put(name, m); help.put("%%" + name, helpLine); }

    /** Evaluates a cell that may contain magics; returns its value (or {@link KeepingExecutionControl#NO_VALUE}). */
    public Object eval(String cell, int cellNumber) throws Exception {
        String trimmed = cell.stripLeading();
        if (trimmed.startsWith("%%")) {
            int skipped = JShellSession.lineOf(cell, cell.length() - trimmed.length()) - 1;
            int nl = trimmed.indexOf('\n');
            String head = (nl < 0 ? trimmed : trimmed.substring(0, nl)).substring(2).trim();
            String body = nl < 0 ? "" : trimmed.substring(nl + 1);
            String name = head.split("\\s+", 2)[0];
            CellMagic m = cellMagics.get(name);
            if (m == null) throw new IllegalArgumentException("unknown cell magic %%" + name + "; known: " + cellMagics.keySet() + " (see %help)");
            Object v = m.run(head.substring(name.length()).trim(), body, cellNumber);
            return v == null ? KeepingExecutionControl.NO_VALUE : v;
        }
        String[] lines = cell.split("\n", -1);
        StringBuilder code = new StringBuilder();
        int codeStart = 0;
        Object last = KeepingExecutionControl.NO_VALUE;
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.startsWith("%") && !t.startsWith("%%") && t.length() > 1 && Character.isLetter(t.charAt(1))) {
                if (!code.toString().isBlank()) last = session.eval(code.toString(), cellNumber, codeStart);
                code.setLength(0);
                codeStart = i + 1;
                String name = t.substring(1).split("\\s+", 2)[0];
                LineMagic m = lineMagics.get(name);
                if (m == null) throw new IllegalArgumentException("unknown line magic %" + name + "; known: " + lineMagics.keySet() + " (see %help)");
                Object v = m.run(t.substring(1 + name.length()).trim(), cellNumber, i);
                last = v == null ? KeepingExecutionControl.NO_VALUE : v;
            } else {
                code.append(lines[i]).append('\n');
            }
        }
        if (!code.toString().isBlank()) last = session.eval(code.toString(), cellNumber, codeStart);
        return last;
    }

    private Object time(String code, int cellNumber, int line) {
        KeepingExecutionControl control = session.execution();
        long alloc0 = control == null ? 0 : control.allocatedBytes();
        long t0 = System.nanoTime();
        try {
            return session.eval(code, cellNumber, line);
        } finally {
            double ms = (System.nanoTime() - t0) / 1e6;
            KeepingExecutionControl after = session.execution();
            long alloc = after == null || after != control ? 0 : after.allocatedBytes() - alloc0;
            System.out.printf(Locale.ROOT, "Wall time: %s, allocated: %s%n", duration(ms), Bytes.format(alloc));
        }
    }

    private Object classpath(String args, int cellNumber, int line) {
        String[] parts = args.split("\\s+", 2);
        if (args.isBlank()) {
            System.out.println(String.join("\n", System.getProperty("java.class.path").split(File.pathSeparator)));
            String extra = System.getenv("JACLAB_CLASSPATH");
            if (extra != null && !extra.isBlank())
                for (String e : extra.split(File.pathSeparator)) if (!e.isBlank()) System.out.println(new File(e.trim()).getAbsolutePath() + "  (JACLAB_CLASSPATH)");
            addedClasspath.forEach(System.out::println);
            return null;
        }
        if (!parts[0].equals("add") || parts.length < 2)
            throw new IllegalArgumentException("usage: %classpath add <jar|dir|dir/*>  (got: %classpath " + args + ")");
        for (String p : parts[1].trim().split("\\s+|" + File.pathSeparator)) {
            List<String> entries = new ArrayList<>();
            if (p.endsWith("/*")) {
                File dir = new File(p.substring(0, p.length() - 2));
                File[] jars = dir.listFiles((d, n) -> n.endsWith(".jar"));
                if (jars == null) throw new IllegalArgumentException("%classpath: not a directory: " + dir);
                for (File j : jars) entries.add(j.getPath());
            } else entries.add(p);
            for (String e : entries) {
                addToClasspath(e, "%classpath add");
                System.out.println("added " + new File(e).getAbsolutePath());
            }
        }
        return null;
    }

    private void addToClasspath(String path, String origin) {
        session.addToClasspath(path);
        addedClasspath.add(new File(path).getAbsolutePath() + "  (" + origin + ")");
    }

    /** The text {@code %jvm} prints. */
    static String jvmReport() {
        Runtime rt = Runtime.getRuntime();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        StringBuilder sb = new StringBuilder();
        sb.append("Java ").append(Runtime.version()).append(" (").append(System.getProperty("java.vm.name")).append(", ")
                .append(System.getProperty("java.vendor")).append(")\n");
        String backend;
        try {
            backend = dev.jaclab.nd.Backend.describe();
        } catch (Throwable t) {
            backend = "unavailable: " + t;
        }
        sb.append("ND4J: ").append(backend).append('\n');
        sb.append("CPUs: ").append(rt.availableProcessors()).append(", live threads: ")
                .append(ManagementFactory.getThreadMXBean().getThreadCount()).append('\n');
        sb.append("Heap: used ").append(Bytes.format(heap.getUsed())).append(", committed ").append(Bytes.format(heap.getCommitted()))
                .append(", max ").append(Bytes.format(rt.maxMemory())).append('\n');
        try {
            sb.append("Off-heap (JavaCPP): ").append(Bytes.format(dev.jaclab.nd.Backend.offHeapPhysicalBytes())).append(" physical\n");
        } catch (Throwable ignored) {
            // no JavaCPP
        }
        sb.append("JVM options: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append('\n');
        return sb.toString();
    }

    String helpText() {
        StringBuilder sb = new StringBuilder("JacLab magics:\n");
        help.values().forEach(h -> sb.append("  ").append(h).append('\n'));
        sb.append("Cell functions: display(x), display(x, \"image/svg+xml\"), updateDisplay(id, x), clearOutput(), input(prompt),\n")
          .append("  html(s), chartSize(w, h). Tab completes, Shift-Tab shows signatures and Javadoc, a cell `Name?` opens them in the pager.\n");
        return sb.toString();
    }

    static String duration(double ms) {
        if (ms < 1) return String.format(Locale.ROOT, "%.0f µs", ms * 1000);
        if (ms < 1000) return String.format(Locale.ROOT, "%.1f ms", ms);
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }
}
