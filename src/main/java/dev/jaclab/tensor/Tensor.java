package dev.jaclab.tensor;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;
import java.util.Arrays;

/**
 * The user's value: an n-dimensional float32/float64 array that records the operations applied to it on a tape,
 * so gradients, VJPs and JVPs can be taken afterwards. Operations broadcast like NumPy and validate their inputs
 * (errors name the op and the shapes).
 *
 * <p><b>Default dtype.</b> Factories without a dtype ({@link #zeros(long...)}, {@link #randn}, {@link #of(double...)},
 * ...) use the calling thread's default dtype: float32 unless {@link #setDefaultDType} was called on that thread, and
 * a thread starts with the default of the thread that started it. So worker threads running sweeps at once never
 * change each other's dtype; a pool thread created before the call keeps its own, so code that hands work to a pool
 * passes the dtype along (or sets it in the task). In the JacLab kernel every cell runs on a fresh thread and the
 * kernel carries the default from one cell to the next, so a notebook behaves like one thread.
 *
 * <pre>{@code
 * Tensor.setDefaultDType(DType.FLOAT64);
 * Tensor x = Tensor.randn(42, 1024, 3).requiresGrad();
 * Tensor y = x.sin();
 * y.sum().backward();
 * x.grad().allClose(x.cos(), 1e-12, 1e-12);   // true
 * }</pre>
 */
public final class Tensor {
    /** The calling thread's default dtype (see the class comment); inherited by the threads it starts. */
    private static final InheritableThreadLocal<DType> DEFAULT_DTYPE = new InheritableThreadLocal<>() {
        @Override protected DType initialValue() { return DType.FLOAT32; }
    };

    private final NdArray data;
    private final int[] levels;
    private boolean requiresGrad;
    private Node node;
    private Tensor grad;

    Tensor(NdArray data, int[] levels) {
        this.data = data;
        this.levels = levels;
    }

    /** Wraps an NdArray as a constant tensor. */
    public static Tensor wrap(NdArray data) { return new Tensor(data, new int[0]); }

    // ------------------------------------------------------------------ factories

    /** Sets the calling thread's default dtype (and that of the threads it starts afterwards). */
    public static void setDefaultDType(DType t) {
        if (t == null) throw new IllegalArgumentException("setDefaultDType: dtype is null");
        DEFAULT_DTYPE.set(t);
    }

    /** The calling thread's default dtype: float32 unless set on this thread or on the thread that started it. */
    public static DType defaultDType() { return DEFAULT_DTYPE.get(); }

    public static Tensor scalar(double v) { return scalar(v, defaultDType()); }

    public static Tensor scalar(double v, DType t) { return wrap(NdArray.scalar(t, v)); }

    public static Tensor of(double... v) { return fromArray(v, v.length); }

    public static Tensor of(double[][] rows) {
        int n = rows.length, m = n == 0 ? 0 : rows[0].length;
        double[] d = new double[n * m];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != m) throw new IllegalArgumentException("of: row " + i + " has " + rows[i].length + " values, row 0 has " + m);
            System.arraycopy(rows[i], 0, d, i * m, m);
        }
        return fromArray(d, n, m);
    }

    public static Tensor fromArray(double[] data, long... shape) { return wrap(NdArray.fromDoubles(defaultDType(), data, shape)); }

    public static Tensor fromArray(float[] data, long... shape) { return wrap(NdArray.fromFloats(defaultDType(), data, shape)); }

    public static Tensor zeros(long... shape) { return zeros(defaultDType(), shape); }

    public static Tensor zeros(DType t, long... shape) { return wrap(ShapeTrace.active() ? NdArray.shapeOnly(t, shape) : NdArray.zeros(t, shape)); }

    public static Tensor ones(long... shape) { return full(1, shape); }

    public static Tensor full(double v, long... shape) { return wrap(ShapeTrace.active() ? NdArray.shapeOnly(defaultDType(), shape) : NdArray.full(defaultDType(), v, shape)); }

    public static Tensor eye(long n) { return wrap(ShapeTrace.active() ? NdArray.shapeOnly(defaultDType(), n, n) : NdArray.eye(defaultDType(), n)); }

    public static Tensor arange(double end) { return arange(0, end, 1); }

    public static Tensor arange(double start, double end, double step) { return wrap(NdArray.arange(defaultDType(), start, end, step)); }

    public static Tensor linspace(double start, double end, int count) {
        double[] d = new double[count];
        for (int i = 0; i < count; i++) d[i] = count == 1 ? start : start + (end - start) * i / (count - 1);
        return fromArray(d, count);
    }

    /** Standard normal values from a seeded generator (identical on every backend). */
    public static Tensor randn(long seed, long... shape) { return wrap(ShapeTrace.active() ? NdArray.shapeOnly(defaultDType(), shape) : NdArray.random(defaultDType(), seed, true, shape)); }

    /** Uniform values in [0, 1) from a seeded generator. */
    public static Tensor rand(long seed, long... shape) { return wrap(ShapeTrace.active() ? NdArray.shapeOnly(defaultDType(), shape) : NdArray.random(defaultDType(), seed, false, shape)); }

    public static Tensor concat(int dim, Tensor... parts) { return TensorOps.concat(dim, parts); }

    public static Tensor stack(int dim, Tensor... parts) { return TensorOps.stack(dim, parts); }

    /** {@code mask != 0 ? a : b}, broadcast together; the mask carries no gradient. */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) { return Binder.bind(new Elementwise.Where(), mask, a, b); }

    /**
     * Fused attention softmax(q·kᵀ·scale, over the key axis)·v, streamed by blocks of query rows so the score matrix
     * is never stored: q (…, N, d), k (…, M, d), v (…, M, dv) → (…, N, dv).
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, double scale) { return Binder.bind(new Attention.Fused(scale), q, k, v); }

    /**
     * A new differentiable op with the user's own rules (see {@link CustomPrimitive}): its forward, its VJP (a
     * cotangent per input) and its JVP (the output's tangent), all written with Tensor operations. Inputs mix samples
     * unless declared with {@link CustomPrimitive#perSample}.
     * <pre>{@code
     * CustomPrimitive cube = Tensor.function("cube", x -> x[0].pow(3),
     *         (g, x, y) -> new Tensor[]{g.mul(x[0].square()).mul(3.0)},
     *         (t, x, y) -> t[0].mul(x[0].square()).mul(3.0)).perSample(true);
     * Tensor y = cube.apply(x);
     * }</pre>
     */
    public static CustomPrimitive function(String name, CustomPrimitive.Forward forward, CustomPrimitive.Vjp vjp, CustomPrimitive.Jvp jvp) {
        return new CustomPrimitive(name, forward, vjp, jvp, new boolean[0]);
    }

    /**
     * A region whose values are freed when it closes, except the tensors kept and what their tapes need:
     * {@code try (Scope s = Tensor.scope()) { y = s.keep(f(x)); }} (see {@link Scope}).
     */
    public static Scope scope() { return new Scope(); }

    /** A scope in which nothing is recorded: {@code try (var s = Tensor.noGrad()) { ... }}. */
    public static GradMode noGrad() { return GradMode.set(false); }

    // ------------------------------------------------------------------ accessors

    /** The logical shape (batch levels of vmap/batched transforms are not part of it). */
    public long[] shape() { return levels.length == 0 ? data.shape() : Shapes.suffix(data.shape(), levels.length); }

    public long size(int dim) { long[] s = shape(); return s[Shapes.dim("size", dim, s.length)]; }

    public int rank() { return shape().length; }

    public long numel() { return Shapes.numel(shape()); }

    public DType dtype() { return data.dtype(); }

    /** The physical array (batch levels first). */
    public NdArray data() { return data; }

    int[] levels() { return levels; }

    /** The value of a one-element tensor. */
    public double item() {
        if (levels.length > 0 || numel() != 1) throw new IllegalArgumentException("item: tensor of shape " + Shapes.str(shape()) + " is not a single value");
        return data.getDouble(new long[data.rank()]);
    }

    public double get(long... index) {
        long[] s = shape();
        if (levels.length > 0 || index.length != s.length)
            throw new IllegalArgumentException("get: " + index.length + " indices for shape " + Shapes.str(s));
        for (int i = 0; i < s.length; i++)
            if (index[i] < 0 || index[i] >= s[i]) throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " outside " + Shapes.str(s));
        return data.getDouble(index);
    }

    /** Values in row-major order (of the logical shape). */
    public double[] toDoubleArray() {
        if (levels.length > 0) throw new IllegalStateException("toDoubleArray: tensor is batched inside a transform");
        return data.toDoubleArray();
    }

    public boolean allClose(Tensor o, double rtol, double atol) { return TensorOps.allClose(this, o, rtol, atol); }

    /** Largest absolute elementwise difference (shapes must match). */
    public double maxAbsDiff(Tensor o) { return TensorOps.maxAbsDiff(this, o); }

    @Override public String toString() { return TensorFormat.format(this); }

    // ------------------------------------------------------------------ autodiff state

    /** Marks this leaf as needing gradients (returns this, for chaining). */
    public Tensor requiresGrad() { return requiresGrad(true); }

    public Tensor requiresGrad(boolean on) {
        if (node != null && !on) throw new IllegalStateException("requiresGrad(false): only leaves can be changed; use detach()");
        requiresGrad = on;
        return this;
    }

    /**
     * Whether this tensor takes part in the tape: a leaf marked with {@link #requiresGrad()} (the setter), or computed
     * from one while recording.
     */
    public boolean isRequiresGrad() { return requiresGrad || node != null; }

    /** The node that produced this tensor, or null for a leaf / constant. */
    public Node node() { return node; }

    void setNode(Node n) { node = n; }

    public boolean isLeaf() { return node == null; }

    /** Accumulated gradient of a leaf after {@link #backward()}, or null. */
    public Tensor grad() { return grad; }

    public void zeroGrad() { grad = null; }

    void accumulateGrad(Tensor g) { grad = grad == null ? g : grad.add(g); }

    /** Same values, cut from the tape. */
    public Tensor detach() { return new Tensor(data, levels); }

    /** Reverse mode from a scalar output: accumulates d(this)/d(leaf) into each leaf's {@link #grad()}. */
    public void backward() {
        if (numel() != 1) throw new IllegalArgumentException("backward: output of shape " + Shapes.str(shape()) + " is not a scalar; pass a cotangent");
        backward(onesLike());
    }

    /** Reverse mode with an explicit cotangent of this tensor's shape. */
    public void backward(Tensor cotangent) { Backprop.backward(this, cotangent); }

    Tensor onesLike() { return wrap(NdArray.full(dtype(), 1, shape())); }

    // ------------------------------------------------------------------ elementwise

    public Tensor add(Tensor o) { return Binder.bind(new Elementwise.Add(), this, o); }
    public Tensor sub(Tensor o) { return Binder.bind(new Elementwise.Sub(), this, o); }
    public Tensor mul(Tensor o) { return Binder.bind(new Elementwise.Mul(), this, o); }
    public Tensor div(Tensor o) { return Binder.bind(new Elementwise.Div(), this, o); }
    public Tensor add(double s) { return add(scalar(s, dtype())); }
    public Tensor sub(double s) { return sub(scalar(s, dtype())); }
    public Tensor mul(double s) { return mul(scalar(s, dtype())); }
    public Tensor div(double s) { return div(scalar(s, dtype())); }
    public Tensor neg() { return Binder.bind(new Elementwise.Neg(), this); }
    public Tensor exp() { return Binder.bind(new Elementwise.Exp(), this); }
    public Tensor log() { return Binder.bind(new Elementwise.Log(), this); }
    public Tensor sin() { return Binder.bind(new Elementwise.Sin(), this); }
    public Tensor tanh() { return Binder.bind(new Elementwise.Tanh(), this); }
    public Tensor pow(double p) { return p == 1 ? this : Binder.bind(new Elementwise.PowScalar(p), this); }
    /** a^b elementwise for a > 0 (exp(b·log a)). */
    public Tensor pow(Tensor b) { return log().mul(b).exp(); }
    public Tensor cos() { return Binder.bind(new Elementwise.Cos(), this); }
    public Tensor tan() { return sin().div(cos()); }
    public Tensor sigmoid() { return mul(0.5).tanh().add(1.0).mul(0.5); }
    public Tensor relu() { return mul(gt(0)); }
    public Tensor sqrt() { return pow(0.5); }
    public Tensor abs() { return mul(TensorOps.sign(this)); }
    public Tensor square() { return pow(2); }
    public Tensor reciprocal() { return pow(-1); }
    /** log(1 + e^x), computed stably as relu(x) + log(1 + e^-|x|). */
    public Tensor softplus() { return relu().add(abs().neg().exp().add(1.0).log()); }
    public Tensor minimum(Tensor o) { return where(lt(o), this, o); }
    public Tensor maximum(Tensor o) { return where(gt(o), this, o); }

    // comparisons give constant 0/1 masks of the promoted dtype
    public Tensor gt(Tensor o) { return TensorOps.compare("gt", this, o); }
    public Tensor ge(Tensor o) { return TensorOps.compare("ge", this, o); }
    public Tensor lt(Tensor o) { return TensorOps.compare("lt", this, o); }
    public Tensor le(Tensor o) { return TensorOps.compare("le", this, o); }
    public Tensor eq(Tensor o) { return TensorOps.compare("eq", this, o); }
    public Tensor gt(double s) { return gt(scalar(s, dtype())); }
    public Tensor lt(double s) { return lt(scalar(s, dtype())); }
    public Tensor ge(double s) { return ge(scalar(s, dtype())); }
    public Tensor le(double s) { return le(scalar(s, dtype())); }

    // ------------------------------------------------------------------ linear algebra

    /** Matrix product with NumPy semantics (rank 1–4, broadcast batch dims). */
    public Tensor matmul(Tensor o) { return TensorOps.matmul(this, o); }

    /**
     * this·w + b as one op — a dense layer's affine map (PyTorch's addmm): the bias is added into the product's buffer,
     * so the layer leaves one array where matmul then add leave two. {@code b} broadcasts to the product's shape
     * (usually (p) for w (k, p)); null means no bias.
     *
     * <pre>{@code
     * Tensor h = x.affine(w1, b1).tanh();          // x (N, 3), w1 (3, 64), b1 (64): == x.matmul(w1).add(b1).tanh()
     * }</pre>
     */
    public Tensor affine(Tensor w, Tensor b) { return TensorOps.affine(this, w, b); }

    public Tensor outer(Tensor o) { return TensorOps.outer(this, o); }

    public Tensor transpose(int d0, int d1) { return TensorOps.transpose(this, d0, d1); }

    /** Transpose of the last two dims. */
    public Tensor mT() { return transpose(-2, -1); }

    public Tensor permute(int... perm) { return TensorOps.permute(this, perm); }

    // ------------------------------------------------------------------ reductions

    // Reductions over dims, like PyTorch: x.sum() over everything, x.sum(0) or x.mean(0, 1) over the listed dims
    // (negative dims count from the end) with those dims removed, x.mean(new int[]{0}, true) keeping them as size 1.

    public Tensor sum() { return sum(Shapes.range(0, rank()), false); }
    /** Sum over the listed dims, which are removed: {@code x.sum(0)} of (N, 3) is (3). */
    public Tensor sum(int... dims) { return sum(dims, false); }
    public Tensor sum(int[] dims, boolean keepDim) { return Binder.bind(new Reductions.Sum(TensorOps.dims("sum", dims, rank()), keepDim), this); }
    public Tensor mean() { return mean(Shapes.range(0, rank()), false); }
    /** Mean over the listed dims, which are removed: {@code x.mean(0)} of (N, 3) is (3) — it mixes the samples. */
    public Tensor mean(int... dims) { return mean(dims, false); }
    public Tensor mean(int[] dims, boolean keepDim) { return TensorOps.mean(this, dims, keepDim); }
    /** Variance over all elements with Bessel's correction (divides by count − 1, PyTorch's default). */
    public Tensor var() { return var(Shapes.range(0, rank()), false, 1); }
    /** Variance over the listed dims with Bessel's correction; the dims are removed. */
    public Tensor var(int... dims) { return var(dims, false, 1); }
    /** Variance over {@code dims}, dividing by count − {@code correction} (0: population variance, 1: sample variance). */
    public Tensor var(int[] dims, boolean keepDim, int correction) { return TensorOps.var(this, dims, keepDim, correction); }
    /** Standard deviation over all elements with Bessel's correction. */
    public Tensor std() { return var().sqrt(); }
    /** Standard deviation over the listed dims with Bessel's correction; the dims are removed. */
    public Tensor std(int... dims) { return var(dims).sqrt(); }
    public Tensor std(int[] dims, boolean keepDim, int correction) { return var(dims, keepDim, correction).sqrt(); }
    public Tensor max(int[] dims, boolean keepDim) { return Binder.bind(new Reductions.Extreme(TensorOps.dims("max", dims, rank()), keepDim, true), this); }
    public Tensor min(int[] dims, boolean keepDim) { return Binder.bind(new Reductions.Extreme(TensorOps.dims("min", dims, rank()), keepDim, false), this); }
    public Tensor max() { return max(Shapes.range(0, rank()), false); }
    public Tensor min() { return min(Shapes.range(0, rank()), false); }
    /** Maximum over the listed dims, which are removed. */
    public Tensor max(int... dims) { return max(dims, false); }
    /** Minimum over the listed dims, which are removed. */
    public Tensor min(int... dims) { return min(dims, false); }
    public Tensor logSumExp(int[] dims, boolean keepDim) { return TensorOps.logSumExp(this, dims, keepDim); }
    public Tensor softmax(int dim) { return TensorOps.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return TensorOps.logSoftmax(this, dim); }
    /** Sums leading and size-1 dims so the result has {@code target} shape (the adjoint of broadcasting). */
    public Tensor sumTo(long... target) { return TensorOps.sumTo(this, target); }

    // ------------------------------------------------------------------ shape

    /** A view with a new shape (one dim may be -1). */
    public Tensor reshape(long... shape) { return TensorOps.reshape(this, shape); }
    public Tensor view(long... shape) { return reshape(shape); }
    public Tensor flatten() { return reshape(numel()); }
    /** Broadcast to a larger shape (broadcastTo). */
    public Tensor expand(long... shape) { return Arrays.equals(shape, shape()) ? this : Binder.bind(new ShapeOps.Expand(shape.clone()), this); }
    public Tensor broadcastTo(long... shape) { return expand(shape); }
    public Tensor unsqueeze(int dim) { return TensorOps.unsqueeze(this, dim); }
    public Tensor squeeze(int dim) { return TensorOps.squeeze(this, dim); }
    public Tensor squeeze() { return TensorOps.squeeze(this); }
    public Tensor narrow(int dim, long start, long length) {
        int d = Shapes.dim("narrow", dim, rank());
        return Binder.bind(new ShapeOps.Narrow(d, start, length), this);
    }
    public Tensor slice(int dim, long start, long end) { return narrow(dim, start, end - start); }
    /** The slice at {@code index} along dim, with that dim removed. */
    public Tensor select(int dim, long index) { return narrow(dim, index, 1).squeeze(dim); }
    Tensor padNarrow(int dim, long start, long size) { return Binder.bind(new ShapeOps.PadNarrow(dim, start, size), this); }
    /** The slices at {@code index} along dim, in that order, repeats allowed (PyTorch's index_select). */
    public Tensor indexSelect(int dim, long... index) { return Binder.bind(new ShapeOps.IndexSelect(Shapes.dim("indexSelect", dim, rank()), index.clone()), this); }
    /** Adjoint of indexSelect: zeros of {@code size} along dim with slice k added at {@code index[k]}. */
    public Tensor scatterAdd(int dim, long[] index, long size) { return Binder.bind(new ShapeOps.ScatterAdd(Shapes.dim("scatterAdd", dim, rank()), index.clone(), size), this); }
    /** Diagonal of the last two (square) dims. */
    public Tensor diagonal() { return Binder.bind(new ShapeOps.Diagonal(), this); }
    /** Square matrices with the last dim on their diagonal. */
    public Tensor diagEmbed() { return Binder.bind(new ShapeOps.DiagEmbed(), this); }
    public Tensor cast(DType t) { return t == dtype() ? this : Binder.bind(new ShapeOps.Cast(t), this); }

    // ------------------------------------------------------------------ batch levels (used by transforms)

    /** Moves logical dim 0 into batch level {@code level} (vmap's in_dims = 0). */
    public Tensor toBatch(int level) { return BatchLevels.ToBatch.bind(this, level); }

    /** Moves batch level {@code level} to logical dim 0, broadcasting to {@code size} if absent. */
    public Tensor toLogical(int level, long size) { return BatchLevels.ToLogical.bind(this, level, size); }

    /** A new batch level id for a transform (newer than every level in use). */
    public static int newLevel() { return BatchLevels.fresh(); }

    /** True when this tensor carries batch level {@code level}. */
    public boolean hasLevel(int level) { return BatchLevels.indexOf(levels, level) >= 0; }
}
