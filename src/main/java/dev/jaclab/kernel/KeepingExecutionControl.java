package dev.jaclab.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

import jdk.jshell.JShell;
import jdk.jshell.VarSnippet;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell execution in the kernel's own JVM that keeps the real result object of the last snippet
 * (so it can be rendered richly) and can stop a running snippet, tight loops included.
 *
 * <p>{@link LocalExecutionControl} runs each snippet on a fresh thread and stops it with
 * {@code ThreadGroup.stop()}; it only hands back the value as a string. This subclass routes the
 * call through {@link Trampoline}, which records the returned object (or the thrown throwable)
 * before the string conversion happens.
 *
 * <pre>{@code
 * JShell shell = JShell.builder().executionEngine(KeepingExecutionControl.provider(), Map.of()).build();
 * shell.eval("1 + 1");
 * Object v = KeepingExecutionControl.lastValue();   // Integer 2
 * }</pre>
 */
public class KeepingExecutionControl extends LocalExecutionControl {
    private static final Method TRAMPOLINE;

    static {
        try {
            TRAMPOLINE = Trampoline.class.getDeclaredMethod("run");
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Marks "no value was produced" (statements, declarations without a value). */
    public static final Object NO_VALUE = new Object() {
        @Override public String toString() { return "<no value>"; }
    };

    /** Calls the snippet's {@code do_it$} method and records what it returned or threw. */
    public static final class Trampoline {
        static volatile Method target;
        static volatile Object value = NO_VALUE;
        static volatile Throwable thrown;

        private Trampoline() {}

        @SuppressWarnings("removal")
        public static Object run() throws Throwable {
            if (stopRequested) throw new ThreadDeath();              // interrupted while the snippet was compiling
            long before = allocatedByThisThread();
            try {
                Object v = target.invoke(null);
                value = v;
                return v;
            } catch (InvocationTargetException e) {
                thrown = e.getCause();
                throw e.getCause();
            } finally {
                ALLOCATED.addAndGet(Math.max(0, allocatedByThisThread() - before));
            }
        }
    }

    private static volatile boolean stopRequested;

    /**
     * Stops the snippet that runs next, or the one running now, as soon as it starts: an interrupt that arrives while
     * JShell is still compiling the snippet (before {@code stop()} has a thread to stop) is not lost.
     */
    public static void requestStop() { stopRequested = true; }

    /** Forgets a stop request; called when a new cell starts. */
    public static void clearStop() { stopRequested = false; }

    private static final java.util.concurrent.atomic.AtomicLong ALLOCATED = new java.util.concurrent.atomic.AtomicLong();

    private static long allocatedByThisThread() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx instanceof com.sun.management.ThreadMXBean sun ? sun.getCurrentThreadAllocatedBytes() : 0;
    }

    /** Heap bytes allocated by snippet threads so far (all snippets, cumulative). */
    public static long allocatedBytes() { return ALLOCATED.get(); }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Trampoline.target = doitMethod;
        return super.invoke(TRAMPOLINE);
    }

    /** Clears the recorded value and throwable; call before each eval. */
    public static void reset() {
        Trampoline.value = NO_VALUE;
        Trampoline.thrown = null;
        Trampoline.target = null;
    }

    /** The object the last snippet returned, or {@link #NO_VALUE}. */
    public static Object lastValue() { return Trampoline.value; }

    /** The throwable the last snippet threw (user exceptions and errors), or null. */
    public static Throwable lastThrown() { return Trampoline.thrown; }

    private static volatile boolean capturing;
    private static volatile Object captured;

    /** While {@link #variable} runs, hands the variable's object over instead of turning it into a string. */
    @Override
    public String varValue(String className, String varName) throws RunException, EngineTerminationException, InternalException {
        if (!capturing) return super.varValue(className, varName);
        try {
            java.lang.reflect.Field f = findClass(className).getField(varName);
            f.setAccessible(true);                 // the wrapper class is not public
            captured = f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new InternalException("cannot read the variable " + varName + ": " + e);
        }
        return "";
    }

    /**
     * The object a valid JShell variable holds (a primitive boxed), read directly rather than as the text
     * {@link JShell#varValue} gives.
     *
     * @throws IllegalArgumentException when the variable is not valid (e.g. it has unresolved references)
     */
    public static synchronized Object variable(JShell shell, VarSnippet v) {
        capturing = true;
        try {
            shell.varValue(v);
            return captured;
        } finally {
            capturing = false;
            captured = null;
        }
    }

    /** A provider for {@code JShell.builder().executionEngine(provider, params)}. */
    public static ExecutionControlProvider provider() {
        return new ExecutionControlProvider() {
            @Override public String name() { return "jaclab-local"; }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return new KeepingExecutionControl();
            }
        };
    }
}
