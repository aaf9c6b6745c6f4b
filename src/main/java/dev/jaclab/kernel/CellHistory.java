package dev.jaclab.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;

/**
 * The inputs (and text outputs) of this kernel session, for Jupyter's history requests: tail, range and
 * glob search. With a file given, entries are also appended to it as tab-separated lines
 * ({@code session, line, input}) so that later sessions can search them; sessions are numbered by start.
 *
 * <pre>{@code
 * CellHistory h = new CellHistory(null);
 * h.add(1, "int x = 1;", null);
 * h.lookupTail(10, Set.of());
 * }</pre>
 */
public final class CellHistory implements HistoryManager {
    private final List<HistoryEntry> past = new ArrayList<>();
    private final List<HistoryEntry> entries = new ArrayList<>();
    private final Path file;
    private final int session;

    /** @param file where to persist history, or null to keep it in memory only */
    public CellHistory(Path file) {
        this.file = file;
        int last = 0;
        if (file != null && Files.isRegularFile(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.split("\t", 3);
                    if (f.length < 3) continue;
                    int s = Integer.parseInt(f[0]);
                    past.add(new HistoryEntry(s, Integer.parseInt(f[1]), unescape(f[2]), null));
                    last = Math.max(last, s);
                }
            } catch (IOException | NumberFormatException e) {
                System.err.println("history: ignoring unreadable " + file + ": " + e.getMessage());
            }
        }
        this.session = last + 1;
    }

    public int session() { return session; }

    /** Records a cell's input and (optionally) its text output. */
    public synchronized void add(int cell, String input, String output) {
        entries.add(new HistoryEntry(session, cell, input, output));
        if (file == null) return;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, session + "\t" + cell + "\t" + escape(input) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("history: cannot write " + file + ": " + e.getMessage());
        }
    }

    private static String escape(String s) { return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t"); }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            } else sb.append(c);
        }
        return sb.toString();
    }

    private List<HistoryEntry> all() {
        List<HistoryEntry> all = new ArrayList<>(past);
        all.addAll(entries);
        return all;
    }

    private static List<HistoryEntry> strip(List<HistoryEntry> in, Set<ResultFlag> flags) {
        if (flags.contains(ResultFlag.INCLUDE_OUTPUT)) return in;
        List<HistoryEntry> out = new ArrayList<>();
        for (HistoryEntry e : in) out.add(new HistoryEntry(e.getSession(), e.getCellNumber(), e.getInput(), null));
        return out;
    }

    @Override
    public synchronized List<HistoryEntry> lookupTail(int n, Set<ResultFlag> flags) {
        List<HistoryEntry> all = all();
        return strip(all.subList(Math.max(0, all.size() - Math.max(0, n)), all.size()), flags);
    }

    /** Session 0 means this session; negative sessions count back from it; stop is exclusive (0 = to the end). */
    @Override
    public synchronized List<HistoryEntry> lookupRange(int sessionIndex, int start, int stop, Set<ResultFlag> flags) {
        int s = sessionIndex <= 0 ? session + sessionIndex : sessionIndex;
        List<HistoryEntry> out = new ArrayList<>();
        for (HistoryEntry e : all())
            if (e.getSession() == s && e.getCellNumber() >= start && (stop <= 0 || e.getCellNumber() < stop)) out.add(e);
        return strip(out, flags);
    }

    /** Glob search ({@code *} and {@code ?}) over inputs, newest last, at most {@code n} (all when n ≤ 0). */
    @Override
    public synchronized List<HistoryEntry> search(String glob, int n, Set<ResultFlag> flags) {
        Pattern p = Pattern.compile(globToRegex(glob == null || glob.isEmpty() ? "*" : glob), Pattern.DOTALL);
        Map<String, HistoryEntry> hits = new LinkedHashMap<>();
        List<HistoryEntry> list = new ArrayList<>();
        for (HistoryEntry e : all()) {
            if (!p.matcher(e.getInput()).matches()) continue;
            if (flags.contains(ResultFlag.UNIQUE)) {
                hits.remove(e.getInput());
                hits.put(e.getInput(), e);
            } else list.add(e);
        }
        if (flags.contains(ResultFlag.UNIQUE)) list = new ArrayList<>(hits.values());
        if (n > 0 && list.size() > n) list = list.subList(list.size() - n, list.size());
        return strip(list, flags);
    }

    static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return sb.toString();
    }
}
