package dev.jaclab.kernel;

import java.util.List;

/**
 * Why a cell failed: a compile problem, an exception thrown by user code, or an interrupt.
 * {@link ErrorFormatter} turns it into the lines Jupyter shows.
 *
 * <pre>{@code
 * try { session.eval("int x = ;", 1); } catch (CellError e) { System.out.println(e.kind()); } // COMPILE
 * }</pre>
 */
public class CellError extends RuntimeException {
    /** What went wrong. */
    public enum Kind { COMPILE, EXCEPTION, INTERRUPTED }

    /** One compile diagnostic, positioned in the cell (1-based line, 0-based columns, end exclusive). */
    public record Problem(boolean error, String message, int line, String lineText, int startCol, int endCol) {}

    /** One stack frame; {@code cellLine > 0} when the frame is in a cell's code. */
    public record Frame(String text, boolean user, String cellLabel, int cellLine, String sourceLine) {}

    private final Kind kind;
    private final String exceptionClass;
    private final List<Problem> problems;
    private final List<Frame> frames;
    private final CellError causedBy;

    CellError(Kind kind, String exceptionClass, String message, List<Problem> problems, List<Frame> frames,
              CellError causedBy) {
        super(message, null, false, false);
        this.kind = kind;
        this.exceptionClass = exceptionClass;
        this.problems = List.copyOf(problems);
        this.frames = List.copyOf(frames);
        this.causedBy = causedBy;
    }

    static CellError compile(List<Problem> problems) {
        String first = problems.isEmpty() ? "compile error" : problems.get(0).message();
        return new CellError(Kind.COMPILE, "CompilationError", first, problems, List.of(), null);
    }

    static CellError interrupted() {
        return new CellError(Kind.INTERRUPTED, "Interrupted", "the cell was interrupted", List.of(), List.of(), null);
    }

    public Kind kind() { return kind; }

    /** Fully qualified class name of the user exception ("CompilationError" / "Interrupted" otherwise). */
    public String exceptionClass() { return exceptionClass; }

    public List<Problem> problems() { return problems; }

    public List<Frame> frames() { return frames; }

    /** The next exception in the cause chain, or null. */
    public CellError causedBy() { return causedBy; }

    /** Short class name used as Jupyter's {@code ename}. */
    public String shortName() {
        int dot = exceptionClass.lastIndexOf('.');
        return dot < 0 ? exceptionClass : exceptionClass.substring(dot + 1);
    }
}
