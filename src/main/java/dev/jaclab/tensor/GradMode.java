package dev.jaclab.tensor;

/**
 * Whether operations are recorded on the tape (per thread). Use {@link Tensor#noGrad()} in user code.
 *
 * <pre>{@code
 * try (var scope = Tensor.noGrad()) {
 *     Tensor y = x.sin();    // not recorded: y.requiresGrad() is false
 * }
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

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    @Override public void close() { ENABLED.get()[0] = previous; }
}
