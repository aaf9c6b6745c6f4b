package dev.jaclab.tensor;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Where each recorded op was created: when recording is on, every new tape {@link Node} remembers the first stack
 * frame outside JacLab's own code and the JDK (the user's line: a Java source line, or a notebook cell and line once the kernel has
 * registered a namer). Coupling reports, refusals and the graph view then name the line that created a mixing op:
 * "attention(8,16) at cell [7], line 3". Off by default (the stack walk costs about 2 µs of CPU per recorded op, measured; a small op costs 17–45 µs);
 * the notebook kernel turns it on.
 *
 * <pre>{@code
 * Sites.record(true);
 * Tensor y = x.sub(x.mean(new int[]{0}, true));   // recorded with this line as its site
 * y.node().site();                               // "MyModel.java:42"
 * Jacobian.of(y, x).problem().structure().explain();   // "... sum(1,3) at MyModel.java:42"
 * }</pre>
 */
public final class Sites {
    private Sites() {}

    private static volatile boolean recording = Boolean.getBoolean("jaclab.sites");
    /** Frames further than this from the op are not searched (ops created deep inside JacLab get no site). */
    static final int DEPTH = 32;
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final java.security.CodeSource OWN = codeSource(Sites.class);
    /** Whether a class is JacLab's own code (loaded from the same jar or classes directory as this class). */
    private static final ClassValue<Boolean> LIBRARY = new ClassValue<>() {
        @Override protected Boolean computeValue(Class<?> c) {
            String n = c.getName();
            if (n.startsWith("java.") || n.startsWith("jdk.") || n.startsWith("sun.")) return true;
            java.security.CodeSource cs = codeSource(c);
            return cs == null ? OWN == null : OWN != null && String.valueOf(cs.getLocation()).equals(String.valueOf(OWN.getLocation()));
        }
    };
    private static final List<Function<StackTraceElement, String>> NAMERS = new CopyOnWriteArrayList<>();

    /** Turns recording of creation sites on or off (for every thread; default off, or {@code -Djaclab.sites=true}). */
    public static void record(boolean on) { recording = on; }

    public static boolean recording() { return recording; }

    /**
     * Adds a namer that turns a frame into a site text ("cell [7], line 3"), or null when the frame is not its own;
     * the first non-null answer wins, else "File.java:line". Returns a handle that removes it.
     */
    public static AutoCloseable addNamer(Function<StackTraceElement, String> namer) {
        NAMERS.add(0, namer);
        return () -> NAMERS.remove(namer);
    }

    /** The first frame outside JacLab's own code (its jar or classes directory) and the JDK within {@link #DEPTH} frames, or null; null when not recording. */
    static StackTraceElement capture() {
        if (!recording) return null;
        Optional<StackWalker.StackFrame> f = WALKER.walk(s -> s.limit(DEPTH).filter(Sites::user).findFirst());
        return f.map(StackWalker.StackFrame::toStackTraceElement).orElse(null);
    }

    private static boolean user(StackWalker.StackFrame f) { return !LIBRARY.get(f.getDeclaringClass()); }

    private static java.security.CodeSource codeSource(Class<?> c) {
        java.security.ProtectionDomain d = c.getProtectionDomain();
        return d == null ? null : d.getCodeSource();
    }

    /** The text of a captured frame. */
    static String name(StackTraceElement e) {
        if (e == null) return null;
        for (Function<StackTraceElement, String> n : NAMERS) {
            String s = n.apply(e);
            if (s != null) return s;
        }
        String file = e.getFileName();
        return (file == null ? e.getClassName() : file) + (e.getLineNumber() > 0 ? ":" + e.getLineNumber() : "");
    }
}
