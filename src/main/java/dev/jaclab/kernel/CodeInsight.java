package dev.jaclab.kernel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;

/**
 * Completion, inspection (signatures and Javadoc) and "is this cell complete?" for notebook cells, using
 * JShell's {@link SourceCodeAnalysis} on the snippet under the cursor (magic lines are blanked out).
 *
 * <pre>{@code
 * CodeInsight ci = new CodeInsight(session);
 * ci.complete("Math.ma", 7);        // replacements "max(", ... starting at 5
 * ci.isComplete("for (int i = 0; i < 3; i++) {");   // "incomplete"
 * }</pre>
 */
public final class CodeInsight {
    /** Completion result: the replacements and the range of the cell they replace. */
    public record Completion(List<String> matches, int start, int end) {}

    private final JShellSession session;

    public CodeInsight(JShellSession session) { this.session = session; }

    /** Blanks magic lines (keeps offsets). */
    static String withoutMagics(String code) {
        StringBuilder sb = new StringBuilder(code.length());
        for (String line : code.split("\n", -1)) {
            if (sb.length() > 0) sb.append('\n');
            sb.append(line.strip().startsWith("%") ? " ".repeat(line.length()) : line);
        }
        return sb.toString();
    }

    /** Offset in {@code code} where the snippet holding {@code cursor} starts. */
    private int snippetStart(String code, int cursor) {
        SourceCodeAnalysis sca = session.analysis();
        String prefix = code.substring(0, cursor);
        int start = 0;
        String rest = prefix;
        while (true) {
            CompletionInfo info = sca.analyzeCompletion(rest);
            if (!info.completeness().isComplete() || info.remaining().isBlank()) break;
            int consumed = rest.length() - info.remaining().length();
            start += consumed;
            rest = info.remaining();
        }
        while (start < cursor && Character.isWhitespace(code.charAt(start))) start++;
        return start;
    }

    /** Completion candidates at {@code cursor}. */
    public Completion complete(String rawCode, int cursor) {
        String code = withoutMagics(rawCode);
        cursor = Math.max(0, Math.min(cursor, code.length()));
        int start = snippetStart(code, cursor);
        String snippet = code.substring(start, cursor);
        int[] anchor = new int[1];
        Set<String> matches = new LinkedHashSet<>();
        List<SourceCodeAnalysis.Suggestion> sugg = session.analysis().completionSuggestions(snippet, snippet.length(), anchor);
        for (SourceCodeAnalysis.Suggestion s : sugg) if (s.matchesType()) matches.add(s.continuation());
        for (SourceCodeAnalysis.Suggestion s : sugg) matches.add(s.continuation());
        return new Completion(new ArrayList<>(matches), start + anchor[0], cursor);
    }

    private static final java.util.regex.Pattern HELP =
            java.util.regex.Pattern.compile("\\s*(\\?{0,2})\\s*([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)\\s*(\\?{0,2})\\s*");

    /** For a help cell ({@code Math.max?}, {@code ?Tensor}, IPython style): the name asked about, else null. */
    static String helpTarget(String cell) {
        java.util.regex.Matcher m = HELP.matcher(cell);
        return m.matches() && (!m.group(1).isEmpty() || !m.group(3).isEmpty()) ? m.group(2) : null;
    }

    /** The help pager text for a name: its signatures and Javadoc, or a line saying there is none. */
    public String help(String name) {
        String doc = inspect(name, name.length(), true);
        return doc != null ? doc : "No documentation found for " + name + " (is it declared or imported?)";
    }

    /**
     * Signatures (and Javadoc when available) of the symbol at {@code cursor}. The cursor may sit anywhere
     * in an identifier, right after it, or inside a call's parentheses; returns null when nothing is found.
     */
    public String inspect(String rawCode, int cursor, boolean detail) {
        String code = withoutMagics(rawCode);
        cursor = Math.max(0, Math.min(cursor, code.length()));
        int end = cursor;
        while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) end++;
        if (end == cursor && end > 0 && code.charAt(end - 1) == '(') end--;   // "foo(|" -> docs of foo
        int start = snippetStart(code, Math.min(end, code.length()));
        String snippet = code.substring(start, end);
        List<SourceCodeAnalysis.Documentation> docs = session.analysis().documentation(snippet, snippet.length(), true);
        if (docs.isEmpty()) {   // a method name: ask as if the call's parenthesis were open
            String call = code.substring(start, end) + "(";
            docs = session.analysis().documentation(call, call.length(), true);
        }
        if (docs.isEmpty()) return null;
        StringBuilder sb = new StringBuilder();
        for (SourceCodeAnalysis.Documentation d : docs) {
            if (sb.length() > 0) sb.append("\n\n");
            sb.append(d.signature());
            String doc = d.javadoc() != null && !d.javadoc().isBlank() ? d.javadoc().strip() : jaclabJavadoc(d.signature());
            if (doc != null) sb.append("\n").append(doc);
        }
        return sb.toString();
    }

    private static final String[] JACLAB_PACKAGES = {"", "dev.jaclab.tensor.", "dev.jaclab.autodiff.", "dev.jaclab.nd.",
            "dev.jaclab.jacobian.", "dev.jaclab.explore.", "dev.jaclab.viz.", "dev.jaclab.kernel."};

    /** Javadoc for a JacLab method, field or class from its JShell signature ("Tensor Tensor.randn(long seed, ...)"). */
    static String jaclabJavadoc(String signature) {
        int paren = signature.indexOf('(');
        String head = (paren < 0 ? signature : signature.substring(0, paren)).strip();
        String qualified = head.substring(head.lastIndexOf(' ') + 1);
        String cls = qualified, member = null;
        int dot = qualified.lastIndexOf('.');
        if (paren >= 0 || head.contains(" ")) {
            if (dot < 0) return null;
            cls = qualified.substring(0, dot);
            member = qualified.substring(dot + 1);
        }
        for (String pkg : JACLAB_PACKAGES) {
            String fqn = pkg + cls;
            if (!fqn.startsWith("dev.jaclab.") || SourceDocs.source(fqn).isEmpty()) continue;
            String params = paren < 0 ? null : signature.substring(paren + 1, Math.max(paren + 1, signature.lastIndexOf(')')));
            return SourceDocs.javadoc(fqn, member, params);
        }
        return null;
    }

    /** "complete", "incomplete", "invalid" or "unknown" (Jupyter's is_complete statuses). */
    public String isComplete(String code) {
        if (code.stripLeading().startsWith("%%")) return "complete";
        String rest = withoutMagics(code);
        SourceCodeAnalysis sca = session.analysis();
        while (!rest.isBlank()) {
            CompletionInfo info = sca.analyzeCompletion(rest);
            Completeness c = info.completeness();
            if (c == Completeness.DEFINITELY_INCOMPLETE || c == Completeness.CONSIDERED_INCOMPLETE) return "incomplete";
            if (c == Completeness.UNKNOWN) return "invalid";
            if (c == Completeness.EMPTY) break;
            rest = info.remaining();
        }
        return "complete";
    }
}
