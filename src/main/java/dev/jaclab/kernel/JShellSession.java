package dev.jaclab.kernel;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.jaclab.progress.Progress;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * A JShell running in this JVM: evaluates whole cells, keeps real result objects, stops on interrupt.
 *
 * <p>A cell is split into snippets with {@link SourceCodeAnalysis#analyzeCompletion}; each snippet is
 * {@code stripLeading()}-ed before evaluation (a JDK 17 bug resets variables when a snippet starts with a
 * newline after an on-demand import). The JVM class path, {@code JACLAB_CLASSPATH} and the JacLab default
 * imports are set up at start.
 *
 * <pre>{@code
 * try (JShellSession s = new JShellSession()) {
 *     Object v = s.eval("int a = 2;\na * 21", 1);   // Integer 42
 * }
 * }</pre>
 */
public final class JShellSession implements AutoCloseable {
    /** Packages imported on demand when present on the class path at start. */
    static final List<String> DEFAULT_PACKAGES = List.of(
            "dev.jaclab.tensor", "dev.jaclab.autodiff", "dev.jaclab.jacobian", "dev.jaclab.explore", "dev.jaclab.viz", "dev.jaclab.nn",
            "dev.jaclab.optim", "dev.jaclab.progress", "dev.jaclab.kernel.widgets");
    /** JDK packages imported like the jshell tool's default start-up. */
    static final List<String> JDK_PACKAGES = List.of("java.io", "java.math", "java.net", "java.nio.file", "java.util",
            "java.util.concurrent", "java.util.function", "java.util.regex", "java.util.stream");
    /** Single classes imported when present (dev.jaclab.nn.Module by name, so it wins over java.lang.Module). */
    static final List<String> DEFAULT_CLASSES = List.of("dev.jaclab.nd.DType", "dev.jaclab.nn.Module");
    /** Classes whose static members are imported when present. */
    static final List<String> DEFAULT_STATICS = List.of("dev.jaclab.kernel.Notebook", "dev.jaclab.viz.Viz");

    private final JShell shell;
    /** This session's execution engine (results of the last snippet, allocation); replaced if JShell restarts it. */
    private volatile KeepingExecutionControl execution;
    private final Map<String, SnippetOrigin> origins = new ConcurrentHashMap<>();
    private final List<String> imports = new ArrayList<>();
    private volatile boolean interrupted;
    private volatile boolean running;
    private int lineBase;
    /** Names the creation sites of tape nodes recorded by this session's cells ("cell [7], line 3"). */
    private final AutoCloseable siteNamer;
    private final boolean sitesBefore = dev.jaclab.tensor.Sites.recording();

    /** Where a snippet came from: which cell, at which line of that cell, with which source. */
    record SnippetOrigin(int cell, int firstLine, String source) {}

    public JShellSession() {
        shell = JShell.builder().executionEngine(KeepingExecutionControl.provider(c -> execution = c), Map.of()).build();
        shell.addToClasspath(System.getProperty("java.class.path"));
        String extra = System.getenv("JACLAB_CLASSPATH");
        if (extra != null && !extra.isBlank()) addToClasspath(extra);
        for (String imp : defaultImports()) {
            List<SnippetEvent> ev = shell.eval(imp);
            if (!ev.isEmpty() && ev.get(0).status() == Snippet.Status.VALID) imports.add(imp);
        }
        siteNamer = dev.jaclab.tensor.Sites.addNamer(this::site);
        dev.jaclab.tensor.Sites.record(true);
    }

    /**
     * A frame of one of this session's snippets as "cell [n], line L"; null for other frames. A live frame names the
     * snippet's wrapper class ({@code REPL.$JShell$27}) and a line of the wrapped source; JShell's
     * {@link SourceCodeAnalysis.SnippetWrapper} maps that line back to the snippet, and the snippet's origin to its cell.
     */
    private String site(StackTraceElement st) {
        String file = st.getFileName();
        if (file != null && file.startsWith("#")) {                       // already translated (exception traces)
            SnippetOrigin o = origins.get(file.substring(1));
            return o == null ? null : "cell [" + o.cell() + "], line " + (o.firstLine() + Math.max(0, st.getLineNumber() - 1));
        }
        String cls = st.getClassName();
        if (!cls.startsWith("REPL.$JShell$")) return null;
        String id = cls.substring("REPL.$JShell$".length());
        int cut = id.indexOf('$');
        if (cut >= 0) id = id.substring(0, cut);
        SnippetOrigin o = origins.get(id);
        if (o == null) return null;
        int snippetLine = snippetLine(id, cls.contains("$JShell$" + id + "$") ? cls.substring(0, cls.indexOf('$', "REPL.$JShell$".length())) : cls,
                st.getLineNumber());
        return snippetLine <= 0 ? "cell [" + o.cell() + "]" : "cell [" + o.cell() + "], line " + (o.firstLine() + snippetLine - 1);
    }

    /** The line of snippet {@code id}'s own source for a line of its wrapper class's source; 0 when unknown. */
    private int snippetLine(String id, String wrapperClass, int wrappedLine) {
        try {
            Snippet sn = shell.snippets().filter(x -> x.id().equals(id)).reduce((a, b) -> b).orElse(null);
            if (sn == null || wrappedLine <= 0) return 0;
            SourceCodeAnalysis.SnippetWrapper w = shell.sourceCodeAnalysis().wrapper(sn);
            if (!w.fullClassName().equals(wrapperClass)) return 0;
            String wrapped = w.wrapped();
            int pos = 0;
            for (int l = 1; l < wrappedLine && pos >= 0; l++) pos = wrapped.indexOf('\n', pos) + 1;
            if (pos <= 0 && wrappedLine > 1) return 0;
            while (pos < wrapped.length() && Character.isWhitespace(wrapped.charAt(pos)) && wrapped.charAt(pos) != '\n') pos++;
            int src = w.wrappedToSourcePosition(pos);
            return src < 0 ? 0 : lineOf(w.source(), src);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The import statements for the JacLab packages found on the class path right now. */
    static List<String> defaultImports() {
        List<String> out = new ArrayList<>();
        for (String p : JDK_PACKAGES) out.add("import " + p + ".*;");
        for (String c : DEFAULT_CLASSES) if (classExists(c)) out.add("import " + c + ";");
        for (String p : DEFAULT_PACKAGES) if (packageExists(p)) out.add("import " + p + ".*;");
        for (String c : DEFAULT_STATICS) if (classExists(c)) out.add("import static " + c + ".*;");
        return out;
    }

    private static boolean classExists(String name) {
        try {
            Class.forName(name, false, JShellSession.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean packageExists(String pkg) {
        ClassLoader cl = JShellSession.class.getClassLoader();
        return cl.getDefinedPackage(pkg) != null || cl.getResource(pkg.replace('.', '/') + "/") != null;
    }

    /** The imports that succeeded at start. */
    public List<String> imports() { return List.copyOf(imports); }

    /** Adds jars or directories (separated by the path separator) to compilation and execution. */
    public void addToClasspath(String paths) {
        for (String p : paths.split(File.pathSeparator)) {
            if (p.isBlank()) continue;
            File f = new File(p.trim());
            if (!f.exists()) throw new IllegalArgumentException("classpath entry does not exist: " + f.getAbsolutePath());
            shell.addToClasspath(f.getAbsolutePath());
        }
    }

    public JShell shell() { return shell; }

    /** The execution engine running this session's snippets (null until JShell has started it). */
    public KeepingExecutionControl execution() { return execution; }

    /** The object a valid variable of this session holds (see {@link KeepingExecutionControl#variable}). */
    public Object variable(jdk.jshell.VarSnippet v) {
        KeepingExecutionControl c = execution;
        if (c == null) throw new IllegalStateException("the session has not started its execution engine");
        return c.variable(shell, v);
    }

    public SourceCodeAnalysis analysis() { return shell.sourceCodeAnalysis(); }

    SnippetOrigin origin(String snippetId) { return origins.get(snippetId); }

    /**
     * Evaluates a cell and returns the value of its last expression ({@link KeepingExecutionControl#NO_VALUE}
     * when the cell ends with a statement or declaration).
     *
     * @param cell the source of the cell
     * @param cellNumber the execution count, used in error messages
     * @throws CellError on a compile error, an exception in user code, or an interrupt
     */
    public Object eval(String cell, int cellNumber) { return eval(cell, cellNumber, 0); }

    /** Like {@link #eval(String, int)} for code that starts {@code lineOffset} lines into the cell. */
    public Object eval(String cell, int cellNumber, int lineOffset) {
        lineBase = lineOffset;
        interrupted = false;
        running = true;
        try {
            return evalCell(cell, cellNumber);
        } finally {
            running = false;
        }
    }

    private Object evalCell(String cell, int cellNumber) {
        SourceCodeAnalysis sca = shell.sourceCodeAnalysis();
        String remaining = cell;
        Object last = KeepingExecutionControl.NO_VALUE;
        while (!remaining.isBlank()) {
            int consumed = cell.length() - remaining.length();
            CompletionInfo info = sca.analyzeCompletion(remaining);
            String src;
            if (info.completeness().isComplete()) {
                src = info.source();
                remaining = info.remaining();
            } else if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            } else {
                src = remaining;
                remaining = "";
            }
            String stripped = src.stripLeading();
            int offset = consumed + (src.length() - stripped.length());
            if (stripped.isBlank()) continue;
            last = evalSnippet(stripped, cell, offset, cellNumber);
            if (interrupted) throw CellError.interrupted();
        }
        return last;
    }

    private Object evalSnippet(String src, String cell, int offset, int cellNumber) {
        KeepingExecutionControl control = execution;
        if (control != null) control.reset();
        List<SnippetEvent> events = shell.eval(src);
        control = execution;
        if (interrupted) throw CellError.interrupted();
        int firstLine = lineOf(cell, offset) + lineBase;
        Object value = KeepingExecutionControl.NO_VALUE;
        for (SnippetEvent ev : events) {
            if (ev.causeSnippet() != null) continue;
            Snippet sn = ev.snippet();
            origins.put(sn.id(), new SnippetOrigin(cellNumber, firstLine, src));
            if (ev.status() == Snippet.Status.REJECTED) {
                CellError e = CellError.compile(problems(sn, src, cell, offset));
                shell.drop(sn);
                throw e;
            }
            JShellException ex = ev.exception();
            if (ex != null) {
                CellError e = toCellError(ex);
                if (bindsNothing(sn)) shell.drop(sn);
                throw e;
            }
            if (ev.status() == Snippet.Status.RECOVERABLE_DEFINED || ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                for (CellError.Problem p : problems(sn, src, cell, offset))
                    System.err.println("note: line " + p.line() + ": " + p.message());
            }
            if (hasValue(sn) && control != null) value = control.lastValue();
            if (bindsNothing(sn)) shell.drop(sn);
        }
        return value;
    }

    /**
     * Statements and expressions leave nothing behind once run (the kernel keeps no {@code $1} names), so they
     * are dropped: JShell's cost per evaluation grows with the number of live snippets.
     */
    private static boolean bindsNothing(Snippet sn) {
        return sn.kind() == Snippet.Kind.STATEMENT || sn.kind() == Snippet.Kind.EXPRESSION
                || (sn.kind() == Snippet.Kind.VAR && sn.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
    }

    private static boolean hasValue(Snippet sn) {
        if (sn instanceof ExpressionSnippet es) return !"void".equals(es.typeName());
        return sn instanceof VarSnippet && sn.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private List<CellError.Problem> problems(Snippet sn, String src, String cell, int offset) {
        List<CellError.Problem> out = new ArrayList<>();
        shell.diagnostics(sn).forEach(d -> out.add(problem(d, src, cell, offset)));
        if (out.isEmpty()) out.add(new CellError.Problem(true, "the snippet was rejected", lineOf(cell, offset) + lineBase,
                lineText(cell, offset), 0, 0));
        return out;
    }

    private CellError.Problem problem(Diag d, String src, String cell, int offset) {
        int srcLen = Math.min(src.length(), cell.length() - offset);
        int start = clamp((int) d.getStartPosition(), srcLen) + offset;
        int end = clamp((int) d.getEndPosition(), srcLen) + offset;
        int lineStart = start == 0 ? 0 : cell.lastIndexOf('\n', start - 1) + 1;
        int lineEnd = cell.indexOf('\n', start);
        if (lineEnd < 0) lineEnd = cell.length();
        String text = cell.substring(lineStart, lineEnd);
        int sc = start - lineStart;
        int ec = Math.max(sc + 1, Math.min(end, lineEnd) - lineStart);
        return new CellError.Problem(d.isError(), d.getMessage(Locale.ROOT), lineOf(cell, start) + lineBase, text, sc, ec);
    }

    private static int clamp(int pos, int len) { return pos < 0 ? 0 : Math.min(pos, len); }

    static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }

    private static String lineText(String text, int offset) {
        int s = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
        int e = text.indexOf('\n', offset);
        return text.substring(Math.min(s, text.length()), e < 0 ? text.length() : e);
    }

    private CellError toCellError(JShellException ex) {
        if (ex instanceof UnresolvedReferenceException ure) {
            String msg = "attempted to use " + ure.getSnippet().kind().name().toLowerCase(Locale.ROOT)
                    + " which cannot be invoked until its missing references are declared: "
                    + shell.unresolvedDependencies(ure.getSnippet()).toList();
            return new CellError(CellError.Kind.EXCEPTION, "UnresolvedReference", msg, List.of(), List.of(), null);
        }
        String cls = ex instanceof EvalException ee ? ee.getExceptionClassName() : ex.getClass().getName();
        List<CellError.Frame> frames = new ArrayList<>();
        for (StackTraceElement st : ex.getStackTrace()) frames.add(frame(st));
        CellError cause = ex.getCause() instanceof JShellException c ? toCellError(c) : null;
        return new CellError(CellError.Kind.EXCEPTION, cls, ex.getMessage(), List.of(), frames, cause);
    }

    private CellError.Frame frame(StackTraceElement st) {
        String file = st.getFileName();
        if (file != null && file.startsWith("#")) {
            SnippetOrigin o = origins.get(file.substring(1));
            if (o != null) {
                int line = o.firstLine() + Math.max(0, st.getLineNumber() - 1);
                String[] lines = o.source().split("\n", -1);
                int idx = st.getLineNumber() - 1;
                String srcLine = idx >= 0 && idx < lines.length ? lines[idx].strip() : "";
                String method = "do_it$".equals(st.getMethodName()) ? "" : st.getMethodName();
                return new CellError.Frame(method, true, "cell [" + o.cell() + "]", line, srcLine);
            }
        }
        return new CellError.Frame(st.toString(), false, null, 0, null);
    }

    /**
     * Stops the running cell (tight loops included); returns at once. First gently: the snippet's thread is
     * interrupted, and JacLab's chunk loops and tensor operations end at their next check (between chunks, after the
     * current operation), freeing their buffers and joining their workers. The interrupt is repeated every
     * {@value #REPEAT_MS} ms (one that arrives while the cell still compiles, slow on a busy machine, reaches its code
     * once it runs). Code that never checks — a loop in the cell's own code — is stopped by force (JShell's stop, which
     * throws ThreadDeath into the snippet's threads) after {@value #FORCE_MS} ms, or after {@value #FORCE_TASK_MS} ms
     * while a {@link Progress} task runs (it stops at its next chunk).
     */
    public void interrupt() {
        if (!running) return;
        interrupted = true;
        long start = System.nanoTime();
        interruptOnce();
        Thread again = new Thread(() -> {
            try {
                while (running && interrupted) {
                    Thread.sleep(REPEAT_MS);
                    if (!running || !interrupted) break;
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (ms >= (Progress.anyRunning() ? FORCE_TASK_MS : FORCE_MS)) shell.stop();
                    else interruptOnce();
                }
            } catch (InterruptedException ignored) {
                // the session is closing
            }
        }, "jaclab-interrupt");
        again.setDaemon(true);
        again.start();
    }

    static final long REPEAT_MS = 100, FORCE_MS = 500, FORCE_TASK_MS = 5000;

    private void interruptOnce() {
        KeepingExecutionControl c = execution;
        if (c != null) c.interruptSnippet();
    }

    public boolean isRunning() { return running; }

    @Override
    public void close() {
        try {
            siteNamer.close();
            dev.jaclab.tensor.Sites.record(sitesBefore);
        } catch (Exception ignored) {
            // removing a namer from a list does not fail
        }
        shell.close();
    }
}
