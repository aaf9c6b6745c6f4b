package dev.jaclab.tensor;

import dev.jaclab.nd.NdArray;

/**
 * A scope in which ops record the tape with shapes only: the binder checks shapes and records nodes but runs no
 * forward, and the random, zero and full factories return shape-only arrays ({@link NdArray#shapeOnly}). A model
 * traced at N = 10⁶ costs what it costs at N = 64, so strategy costs can be predicted at any N from the tape's
 * shapes. Code that reads values (item, toDoubleArray, printing) fails inside a trace.
 *
 * <pre>{@code
 * try (ShapeTrace t = ShapeTrace.open()) {
 *     Tensor x = Tensor.randn(0, 1_000_000, 3).requiresGrad();
 *     Tensor y = model.forward(x)[0];       // nothing computed, nothing allocated
 *     Jacobian.of(y, x).problem();          // shapes, structure, costs
 * }
 * }</pre>
 */
public final class ShapeTrace implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ON = ThreadLocal.withInitial(() -> new boolean[]{false});
    private final boolean previous;

    private ShapeTrace() {
        previous = ON.get()[0];
        ON.get()[0] = true;
    }

    /** Starts tracing on this thread; closing restores the previous mode (scopes nest). */
    public static ShapeTrace open() { return new ShapeTrace(); }

    /** Whether this thread traces shapes only now. */
    public static boolean active() { return ON.get()[0]; }

    @Override public void close() { ON.get()[0] = previous; }
}
