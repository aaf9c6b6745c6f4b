package dev.jaclab.tensor;

import dev.jaclab.nd.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A region whose off-heap values are freed when it closes — at once, not when the garbage collector runs — except
 * the tensors {@linkplain #keep kept} and what their tapes still need: the values their backward and forward rules
 * read (each primitive declares them: {@link Primitive#savesInput}, {@link Primitive#savesOutput}), the leaves that
 * require grad and their gradients. A kept tensor therefore stays differentiable (backward, VJPs, JVPs, Jacobians by
 * the rule-based strategies, higher orders), as with PyTorch's autograd, which keeps only what backward formulas save.
 * {@link #release} frees the rest early: called between a forward and its sweep it leaves only the saved values.
 *
 * <p>Java cannot tell which tensors user code still holds, so the region is explicit: a tensor made inside and not
 * kept must not be used after the scope closes (its values are freed; an op on it fails, naming the op). Strategies
 * that re-read every intermediate row by row (sparseRows, meetInMiddle, contextForward) refuse a released tape.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(0, 1 << 20, 3).requiresGrad();
 * Tensor J;
 * try (Scope s = Tensor.scope()) {
 *     Tensor y = s.keep(model.forward(x));            // the forward's intermediates that no rule reads are freed here
 *     s.release(y);
 *     J = s.keep(Jacobian.of(y, x).perSample(Strategies.reverseSum()));
 * }                                                   // the tape's saved values are freed here; J stays
 * try (Scope s = Tensor.scope(); var off = Tensor.noGrad()) {
 *     Tensor y = s.keep(model.forward(x));            // no tape: only y survives
 * }
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private final Arena arena = Arena.open();
    private final List<Tensor> kept = new ArrayList<>();

    Scope() {}

    /** Keeps {@code t}, and what its tape needs to be differentiated, past this scope; returns it. */
    public Tensor keep(Tensor t) {
        if (t != null) kept.add(t);
        return t;
    }

    /**
     * Frees now every value made in this scope that neither the kept tensors, nor {@code live}, nor the saved values
     * of their tapes need. Called right after a forward, it leaves what PyTorch's forward leaves: the saved values.
     */
    public void release(Tensor... live) {
        List<Tensor> roots = new ArrayList<>(kept);
        roots.addAll(java.util.Arrays.asList(live));
        arena.collect(Liveness.saved(roots));
    }

    @Override public void close() {
        arena.keep(Liveness.saved(kept).toArray(new dev.jaclab.nd.NdArray[0]));
        arena.close();
    }
}
