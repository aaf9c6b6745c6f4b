package dev.jaclab.tensor;

/**
 * Whether operations are recorded on the tape, per thread (on by default). Use {@link Tensor#noGrad()} in user
 * code; a scope restores the previous mode when closed, so scopes nest.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(0, 4, 3).requiresGrad();
 * try (var scope = Tensor.noGrad()) {
 *     Tensor y = x.sin();
 *     y.isRequiresGrad();    // false: not recorded (note: y.requiresGrad() would mark y as a leaf instead)
 * }
 * x.sin().isRequiresGrad();  // true: recording again
 * }</pre>
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[]{true});
    private final boolean previous;

    private GradMode(boolean enabled) {
        boolean[] cell = ENABLED.get();
        previous = cell[0];
        cell[0] = enabled;
    }

    /** A scope with recording switched on (true) or off (false); closing restores the previous mode. */
    public static GradMode set(boolean enabled) { return new GradMode(enabled); }

    /** Whether this thread records operations now. */
    public static boolean isEnabled() { return ENABLED.get()[0]; }

    @Override public void close() { ENABLED.get()[0] = previous; }
}
