package dev.jaclab.kernel;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link CellError} (or any throwable) into the lines of a Jupyter error output.
 *
 * <p>Compile errors show the cell line with the offending span underlined; exceptions list the frames in
 * cell code first (with the source line), then a few library frames. Colours are plain ANSI red, yellow
 * and cyan plus bold, which notebook front ends map to readable colours in light and dark themes (no
 * black or white foregrounds).
 *
 * <pre>{@code
 * List<String> lines = ErrorFormatter.format(cellError, true);
 * }</pre>
 */
public final class ErrorFormatter {
    static final String RED = "\u001b[31m", YELLOW = "\u001b[33m", CYAN = "\u001b[36m", BOLD = "\u001b[1m",
            RESET = "\u001b[0m";
    /** Library frames shown below the user frames. */
    static final int LIBRARY_FRAMES = 6;

    private ErrorFormatter() {}

    /** Formats a cell error; {@code color=false} gives plain text. */
    public static List<String> format(CellError e, boolean color) {
        List<String> out = new ArrayList<>();
        switch (e.kind()) {
            case COMPILE -> formatCompile(e, color, out);
            case INTERRUPTED -> out.add(c(color, RED + BOLD, "Interrupted") + ": the cell was stopped");
            case EXCEPTION -> formatException(e, color, out, false);
        }
        return out;
    }

    private static void formatCompile(CellError e, boolean color, List<String> out) {
        for (CellError.Problem p : e.problems()) {
            String head = p.error() ? c(color, RED + BOLD, "error") : c(color, YELLOW + BOLD, "warning");
            String[] msg = p.message().split("\n");
            out.add(head + ": " + msg[0]);
            for (int i = 1; i < msg.length; i++) out.add("  " + msg[i]);
            String num = String.valueOf(p.line());
            out.add(c(color, CYAN, " " + num + " | ") + highlight(p.lineText(), p.startCol(), p.endCol(), color));
            int width = Math.max(1, Math.min(p.endCol(), p.lineText().length()) - p.startCol());
            out.add(c(color, CYAN, " " + " ".repeat(num.length()) + " | ") + " ".repeat(Math.max(0, p.startCol()))
                    + c(color, RED + BOLD, "^".repeat(width)));
        }
    }

    private static String highlight(String line, int s, int e, boolean color) {
        if (!color || s >= line.length()) return line;
        int end = Math.min(Math.max(e, s + 1), line.length());
        return line.substring(0, s) + RED + BOLD + line.substring(s, end) + RESET + line.substring(end);
    }

    private static void formatException(CellError e, boolean color, List<String> out, boolean cause) {
        String msg = e.getMessage() == null ? "" : ": " + e.getMessage();
        out.add((cause ? "Caused by: " : "") + c(color, RED + BOLD, e.exceptionClass()) + msg);
        List<CellError.Frame> frames = e.frames();
        for (CellError.Frame f : frames) {
            if (!f.user()) continue;
            String where = f.cellLabel() + ", line " + f.cellLine() + (f.text().isEmpty() ? "" : ", in " + f.text());
            out.add("  " + c(color, CYAN, where) + (f.sourceLine().isEmpty() ? "" : ":  " + f.sourceLine()));
        }
        int shown = 0, hidden = 0;
        String previous = null;
        int repeats = 0;
        for (CellError.Frame f : frames) {
            if (f.user() || isPlumbing(f.text())) continue;
            if (f.text().equals(previous)) { repeats++; continue; }
            previous = f.text();
            if (shown < LIBRARY_FRAMES) {
                out.add(c(color, YELLOW, "    at " + f.text()));
                shown++;
            } else hidden++;
        }
        if (hidden > 0 || repeats > 0)
            out.add(c(color, YELLOW, "    ... " + (hidden + repeats) + " more library frames"));
        if (e.causedBy() != null) formatException(e.causedBy(), color, out, true);
    }

    /** Frames from JShell's and the JDK's reflection machinery, never interesting to a user. */
    static boolean isPlumbing(String frame) {
        return frame.startsWith("java.base/jdk.internal.reflect.") || frame.startsWith("jdk.internal.reflect.")
                || frame.startsWith("java.base/java.lang.reflect.Method.invoke")
                || frame.startsWith("java.lang.reflect.Method.invoke")
                || frame.startsWith("jdk.jshell/") || frame.startsWith("jdk.jshell.")
                || frame.startsWith("dev.jaclab.kernel.KeepingExecutionControl")
                || frame.startsWith("java.base/java.lang.Thread.run") || frame.startsWith("java.lang.Thread.run");
    }

    /** Formats a throwable from the kernel itself (a magic, a renderer). */
    public static List<String> format(Throwable t, boolean color) {
        if (t instanceof CellError ce) return format(ce, color);
        if (t instanceof dev.jaclab.kernel.deps.DependencyException)          // the message is the whole story
            return List.of(c(color, RED + BOLD, t.getClass().getSimpleName()) + ": " + t.getMessage());
        List<String> out = new ArrayList<>();
        out.add(c(color, RED + BOLD, t.getClass().getName()) + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        String[] lines = sw.toString().split("\n");
        for (int i = 1; i < lines.length && i <= 8; i++) out.add(c(color, YELLOW, lines[i]));
        return out;
    }

    private static String c(boolean color, String code, String text) { return color ? code + text + RESET : text; }
}
