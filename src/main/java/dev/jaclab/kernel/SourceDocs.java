package dev.jaclab.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Javadoc of JacLab's own classes and methods, read from the sources packaged in the jar under
 * {@code jaclab-sources/} (JShell only finds the JDK's sources, in {@code lib/src.zip}).
 *
 * <pre>{@code
 * SourceDocs.javadoc("dev.jaclab.tensor.Tensor", "randn");   // the method's Javadoc text, or null
 * }</pre>
 */
final class SourceDocs {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();
    private static final Pattern DOC = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);

    private SourceDocs() {}

    /** The source of a top-level class, or null when it is not packaged. */
    static String source(String className) {
        String top = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        return CACHE.computeIfAbsent(top, c -> {
            try (InputStream in = SourceDocs.class.getClassLoader()
                    .getResourceAsStream("jaclab-sources/" + c.replace('.', '/') + ".java")) {
                return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /**
     * The Javadoc before the declaration of {@code member} (a method or field name) in the class, or of the class
     * itself when {@code member} is null; cleaned to plain text. Null when not found.
     */
    static String javadoc(String className, String member) { return javadoc(className, member, null); }

    /** Like {@link #javadoc(String, String)}, choosing among overloads by parameter types ("Tensor y, long... n"). */
    static String javadoc(String className, String member, String params) {
        String src = source(className);
        if (src.isEmpty()) return null;
        String simple = className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf('$')) + 1);
        Pattern decl = member == null
                ? Pattern.compile("(class|interface|enum|record)\\s+" + Pattern.quote(simple) + "\\b")
                : Pattern.compile("[\\w>\\]]\\s+" + Pattern.quote(member) + "\\s*[(=;]");
        Matcher m = decl.matcher(src);
        String fallback = null;
        while (m.find()) {
            String before = src.substring(0, m.start());
            int end = before.lastIndexOf("*/");
            if (end < 0) continue;
            String between = before.substring(end + 2);
            if (between.contains(";") || between.contains("{") || between.contains("}")) continue;  // not directly above
            int start = before.lastIndexOf("/**", end);
            if (start < 0) continue;
            Matcher d = DOC.matcher(before.substring(start, end + 2));
            if (!d.matches()) continue;
            String doc = clean(d.group(1));
            if (params == null || member == null) return doc;
            int open = src.indexOf('(', m.start()), close = src.indexOf(')', Math.max(open, 0));
            if (open >= 0 && close > open && types(src.substring(open + 1, close)).equals(types(params))) return doc;
            if (fallback == null) fallback = doc;
        }
        return fallback;
    }

    /** "final List<Tensor> xs, long... n" -> "List,long..." (erased simple type names). */
    static String types(String params) {
        String p = params.replaceAll("<[^<>]*>", "").replaceAll("<[^<>]*>", "").replaceAll("@\\w+", "").replace("final ", "");
        StringBuilder sb = new StringBuilder();
        for (String part : p.split(",")) {
            String t = part.strip();
            if (t.isEmpty()) continue;
            int sp = t.lastIndexOf(' ');
            if (sp > 0) t = t.substring(0, sp).strip();
            t = t.substring(t.lastIndexOf('.', t.endsWith("...") ? t.length() - 4 : t.length()) + 1);
            if (sb.length() > 0) sb.append(',');
            sb.append(t.replace(" ", ""));
        }
        return sb.toString();
    }

    static String clean(String raw) {
        StringBuilder sb = new StringBuilder();
        for (String line : raw.split("\n")) {
            String l = line.strip();
            if (l.startsWith("*")) l = l.substring(1);
            if (l.startsWith(" ")) l = l.substring(1);
            sb.append(l).append('\n');
        }
        return sb.toString().strip()
                .replaceAll("\\{@(?:code|link|linkplain|literal)\\s+([^}]*)}", "$1")
                .replaceAll("</?(p|pre|b|i|em|ul|li|ol)>", "")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                .replaceAll("\n{3,}", "\n\n");
    }
}
