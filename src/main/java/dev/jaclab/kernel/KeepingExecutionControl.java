package dev.jaclab.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Tensor;
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
 * {@code ThreadGroup.stop()}; it only hands back the value as a string, and it can only call a static method
 * without arguments. So each snippet runs through {@link Trampoline#run()}, which finds the control that started
 * its thread (an inheritable thread-local set only while {@link #invoke} runs) and records the returned object (or
 * the thrown throwable) in that control — every JShell session keeps its own results, nothing is shared.
 *
 * <p>Thread-bound settings a cell makes ({@link Tensor#setDefaultDType}) would die with the snippet's thread; the
 * control carries them from one snippet to the next, so a notebook behaves like one thread of the user's.
 *
 * <pre>{@code
 * KeepingExecutionControl[] control = new KeepingExecutionControl[1];
 * JShell shell = JShell.builder().executionEngine(KeepingExecutionControl.provider(c -> control[0] = c), Map.of()).build();
 * shell.eval("1 + 1");
 * Object v = control[0].lastValue();   // Integer 2
 * }</pre>
 */
public class KeepingExecutionControl extends LocalExecutionControl {
    private static final Method TRAMPOLINE;
    /** The control whose {@link #invoke} is starting a snippet thread; inherited by that thread. */
    private static final InheritableThreadLocal<KeepingExecutionControl> STARTING = new InheritableThreadLocal<>();

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

    private volatile Method target;
    private volatile Object value = NO_VALUE;
    private volatile Throwable thrown;
    private volatile Thread snippetThread;
    private volatile DType defaultDType = Tensor.defaultDType();
    private final AtomicLong allocated = new AtomicLong();

    /** The static entry JShell's thread calls; hands over to the control that started the thread. */
    public static final class Trampoline {
        private Trampoline() {}

        @SuppressWarnings("removal")
        public static Object run() throws Throwable {
            KeepingExecutionControl c = STARTING.get();
            if (c == null) throw new IllegalStateException("KeepingExecutionControl.Trampoline runs only on a snippet thread");
            return c.runSnippet();
        }
    }

    /** On the snippet's thread: runs {@code do_it$} with the session's settings, records what it returned or threw. */
    private Object runSnippet() throws Throwable {
        long before = allocatedByThisThread();
        Tensor.setDefaultDType(defaultDType);
        snippetThread = Thread.currentThread();
        try {
            Object v = target.invoke(null);
            value = v;
            return v;
        } catch (InvocationTargetException e) {
            thrown = e.getCause();
            throw e.getCause();
        } finally {
            snippetThread = null;
            defaultDType = Tensor.defaultDType();
            allocated.addAndGet(Math.max(0, allocatedByThisThread() - before));
        }
    }

    private static long allocatedByThisThread() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx instanceof com.sun.management.ThreadMXBean sun ? sun.getCurrentThreadAllocatedBytes() : 0;
    }

    /**
     * Interrupts the running snippet's thread: JacLab's loops and tensor operations stop at their next check with a
     * CancellationException (chunk workers are interrupted and joined by the loop that started them), blocking calls
     * throw InterruptedException. Unlike {@link #stop()} nothing dies half-way, so buffers are freed. Does nothing
     * between snippets.
     */
    public void interruptSnippet() {
        Thread t = snippetThread;
        if (t != null) t.interrupt();
    }

    /** Heap bytes allocated by this session's snippet threads so far (all snippets, cumulative). */
    public long allocatedBytes() { return allocated.get(); }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        target = doitMethod;
        STARTING.set(this);
        try {
            return super.invoke(TRAMPOLINE);
        } finally {
            STARTING.remove();
        }
    }

    /** Clears the recorded value and throwable; call before each eval. */
    public void reset() {
        value = NO_VALUE;
        thrown = null;
        target = null;
    }

    /** The object the last snippet returned, or {@link #NO_VALUE}. */
    public Object lastValue() { return value; }

    /** The throwable the last snippet threw (user exceptions and errors), or null. */
    public Throwable lastThrown() { return thrown; }

    /** Set while {@link #variable} runs: {@link #varValue} then hands the variable's object over. */
    private volatile boolean capturing;
    private volatile Object captured;

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
     * {@link JShell#varValue} gives; {@code shell} is the session this control runs.
     *
     * @throws IllegalArgumentException when the variable is not valid (e.g. it has unresolved references)
     */
    public synchronized Object variable(JShell shell, VarSnippet v) {
        capturing = true;
        try {
            shell.varValue(v);
            return captured;
        } finally {
            capturing = false;
            captured = null;
        }
    }

    /**
     * A provider for {@code JShell.builder().executionEngine(provider, params)}; {@code created} receives each control
     * it makes (JShell makes a new one when it restarts its engine).
     */
    public static ExecutionControlProvider provider(Consumer<KeepingExecutionControl> created) {
        return new ExecutionControlProvider() {
            @Override public String name() { return "jaclab-local"; }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                KeepingExecutionControl c = new KeepingExecutionControl();
                created.accept(c);
                return c;
            }
        };
    }
}
