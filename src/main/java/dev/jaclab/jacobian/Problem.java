package dev.jaclab.jacobian;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.util.function.Function;

/**
 * What a strategy is asked: per-sample blocks of y with respect to x along a batch axis, on a recorded graph
 * (and optionally the closure that produced it). Converts between the user's shapes and the sample-major layout
 * (B, N, n) / (B, N, m) that strategies work in.
 *
 * <pre>{@code
 * Problem p = Jacobian.of(y, x).problem();
 * p.samples(); p.inputWidth(); p.outputWidth();   // N, n, m
 * }</pre>
 */
public final class Problem {
    final Tensor y, x;
    final Function<Tensor, Tensor> closure;
    final int axis;
    final long budgetBytes;
    final int chunk;
    final long seed;
    final int parallelism;
    final boolean createGraph;
    private Structure structure;
    private SparsityPattern pattern;
    /** {@link Auto}'s choice for this problem, once weighed (empty: nothing fits). */
    java.util.Optional<Strategy> autoChoice;
    private Boolean released;

    Problem(Tensor y, Tensor x, Function<Tensor, Tensor> closure, int axis, long budgetBytes, int chunk, long seed) {
        this(y, x, closure, axis, budgetBytes, chunk, seed, Runtime.getRuntime().availableProcessors(), false);
    }

    Problem(Tensor y, Tensor x, Function<Tensor, Tensor> closure, int axis, long budgetBytes, int chunk, long seed, int parallelism,
            boolean createGraph) {
        if (parallelism < 1) throw new IllegalArgumentException("Jacobian: parallelism must be >= 1, got " + parallelism);
        this.parallelism = parallelism;
        this.createGraph = createGraph;
        this.y = y;
        this.x = x;
        this.closure = closure;
        this.axis = axis;
        this.budgetBytes = budgetBytes;
        this.chunk = chunk;
        this.seed = seed;
        if (x.rank() <= axis || y.rank() <= axis)
            throw new IllegalArgumentException("Jacobian: batch axis " + axis + " is outside x " + Shapes.str(x.shape()) + " or y " + Shapes.str(y.shape()));
        if (x.size(axis) != y.size(axis))
            throw new IllegalArgumentException("Jacobian: x " + Shapes.str(x.shape()) + " and y " + Shapes.str(y.shape())
                    + " have different sample counts on axis " + axis + " (" + x.size(axis) + " vs " + y.size(axis) + ")");
        if (!y.isRequiresGrad())
            throw new IllegalArgumentException("Jacobian: y " + Shapes.str(y.shape()) + " was not recorded from x (call x.requiresGrad() before computing y)");
    }

    public Tensor y() { return y; }

    public Tensor x() { return x; }

    public long samples() { return x.size(axis); }

    /** n: elements of one input sample. */
    public long inputWidth() { return x.numel() / samples(); }

    /** m: elements of one output sample. */
    public long outputWidth() { return y.numel() / samples(); }

    public int axis() { return axis; }

    public long budgetBytes() { return budgetBytes; }

    public boolean hasClosure() { return closure != null; }

    /** Worker threads for chunked strategies (default: the machine's cores). */
    public int parallelism() { return parallelism; }

    /** Whether the blocks must be recorded on the tape (differentiable: {@code Jacobian.createGraph()}). */
    public boolean createGraph() { return createGraph; }

    public long bytesPerElement() { return y.dtype().bytes(); }

    /** Whether the graph was recorded in a shape trace (shapes only, no values): costs can be predicted, nothing run. */
    public boolean traced() { return x.data().isShapeOnly() || y.data().isShapeOnly(); }

    /**
     * Null, or why a strategy that re-reads every intermediate of the tape row by row (sparseRows, meetInMiddle)
     * cannot run: a {@link dev.jaclab.tensor.Scope} released the values that no rule saves.
     */
    public String releasedRefusal(String strategy) {
        if (released == null) {
            released = false;
            for (Tensor t : dev.jaclab.tensor.Backprop.topologicalOrder(y)) released |= t.data().isClosed();
        }
        return released ? strategy + " re-reads every intermediate row by row, and this tape's unsaved values were released"
                + " (Scope.release); use a rule-based strategy (reverseSum, forwardSum, perElement) or record without releasing" : null;
    }

    /** Graph facts (sample coupling by structure, mixing ops, sizes), computed once. */
    public synchronized Structure structure() {
        if (structure == null) structure = Structure.analyse(y, x, axis, t -> false);
        return structure;
    }

    /** The sparsity pattern (probed once, on first use). */
    public SparsityPattern pattern() {
        if (pattern == null) pattern = SparsityPattern.detect(this);
        return pattern;
    }

    /** Block shape: y's per-sample shape followed by x's per-sample shape. */
    public long[] blockShape() { return Shapes.concat(perSample(y.shape()), perSample(x.shape())); }

    private long[] perSample(long[] s) {
        long[] o = new long[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != axis) o[j++] = s[i];
        return o;
    }

    /** (N, m, n) blocks → (N, block shape). */
    Tensor toUserBlocks(Tensor nmn) { return nmn.reshape(Shapes.concat(new long[]{samples()}, blockShape())); }

    /** A batch of sample-major tensors (B, N, w) → the user's layout (B, ...shape) for a tensor of {@code shape}. */
    Tensor fromSampleMajor(Tensor bnw, long[] shape) {
        long b = bnw.size(0);
        long[] moved = Shapes.concat(new long[]{b, samples()}, perSample(shape));
        Tensor t = bnw.reshape(moved);
        if (axis == 0) return t;
        int r = shape.length + 1;
        int[] perm = new int[r];
        perm[0] = 0;
        for (int i = 1, j = 2; i < r; i++) perm[i] = i == axis + 1 ? 1 : j++;
        return t.permute(perm);
    }

    /** The user's layout (B, ...shape) → sample-major (B, N, w). */
    Tensor toSampleMajor(Tensor bShape) {
        long b = bShape.size(0);
        Tensor t = bShape;
        if (axis != 0) {
            int r = bShape.rank();
            int[] perm = new int[r];
            perm[1] = axis + 1;
            for (int i = 1, j = 2; i < r; i++) if (i != axis + 1) perm[j++] = i;
            t = t.permute(perm);
        }
        return t.reshape(b, samples(), -1);
    }

    /** Cotangents for y from sample-major (B, N, m). */
    Tensor yCotangents(Tensor bnm) { return fromSampleMajor(bnm, y.shape()); }

    /** Tangents for x from sample-major (B, N, n). */
    Tensor xTangents(Tensor bnn) { return fromSampleMajor(bnn, x.shape()); }

    /** Basis seeds: (w, N, w) with e_k on every sample (the sum-over-the-batch seeds), made once per dtype and shape. */
    Tensor everySampleBasis(long w) { return SumSeeds.basis(x.dtype(), w, samples()); }

    @Override public String toString() {
        return "Problem[N=" + samples() + ", n=" + inputWidth() + ", m=" + outputWidth() + ", axis=" + axis + ", x " + Shapes.str(x.shape())
                + ", y " + Shapes.str(y.shape()) + "]";
    }
}
