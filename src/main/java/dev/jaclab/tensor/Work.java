package dev.jaclab.tensor;

import java.util.Locale;

/**
 * The work of running primitives, by kind: matrix-product flops (2·m·k·n per product), cheap elementwise element
 * operations (add, mul, contiguous copies, reductions), transcendental element operations (exp, log, sin, tanh, pow),
 * bytes read and written, ops (one per kernel call: what per-op overhead is paid on) and elements moved by strided
 * copies (a permutation that is not a view, a broadcast made real: each element read from its own place, several
 * times slower than a contiguous pass). Of the bytes written, {@code largeWrites} went to fresh outputs of at least
 * {@link #LARGE_ARRAY_BYTES}: in a virtual machine whose host backs guest memory lazily and takes freed memory back,
 * a page beyond what the machine freed lately costs a host fault, and large arrays are the ones that reach past it —
 * on this machine 0.21–0.32 GB/s there against 1.0–1.6 GB/s for recycled memory. Each primitive states its work from its
 * shapes ({@link Primitive#work}); {@link WorkMeter} adds up what binds on a thread; a machine's rates turn work into
 * seconds.
 *
 * <pre>{@code
 * Work w;
 * try (WorkMeter m = WorkMeter.open()) {
 *     Tensor.randn(0, 512, 64).matmul(Tensor.randn(1, 64, 64));
 *     w = m.work();
 * }
 * w.gemmFlops();   // 2·512·64·64 = 4194304
 * }</pre>
 */
public record Work(double gemmFlops, double elementwise, double transcendental, double bytesRead, double bytesWritten, double ops,
                   double strided, double largeWrites) {
    public static final Work NONE = new Work(0, 0, 0, 0, 0, 0);

    /**
     * Fresh outputs from this size on count as large writes (2 GiB: up to this size fresh arrays wrote at the small
     * arrays' rate here, 1.0–1.6 GB/s; 3–4 GiB ones at 0.24–0.32 GB/s inside a long run).
     */
    public static final long LARGE_ARRAY_BYTES = 1L << 31;

    /** Work without large writes. */
    public Work(double gemmFlops, double elementwise, double transcendental, double bytesRead, double bytesWritten, double ops, double strided) {
        this(gemmFlops, elementwise, transcendental, bytesRead, bytesWritten, ops, strided, 0);
    }

    /** Work without strided copies. */
    public Work(double gemmFlops, double elementwise, double transcendental, double bytesRead, double bytesWritten, double ops) {
        this(gemmFlops, elementwise, transcendental, bytesRead, bytesWritten, ops, 0, 0);
    }

    /** A view or bookkeeping op: one call, no element work (reshape of a contiguous array, a 2-D transpose). */
    public static final Work VIEW = new Work(0, 0, 0, 0, 0, 1);

    /** One kernel call of {@code elements} cheap element operations, reading and writing elements (not yet bytes). */
    public static Work elementwise(double elements, double read, double written) { return new Work(0, elements, 0, read, written, 1); }

    /** One kernel call of {@code elements} transcendental element operations. */
    public static Work transcendental(double elements, double read, double written) { return new Work(0, 0, elements, read, written, 1); }

    /** One strided copy of {@code elements} into a fresh packed array (a permutation or a broadcast made real). */
    public static Work stridedCopy(double elements) { return new Work(0, 0, 0, elements, elements, 1, elements); }

    /** One matrix product of {@code flops} (2·m·k·n). */
    public static Work gemm(double flops, double read, double written) { return new Work(flops, 0, 0, read, written, 1); }

    public Work plus(Work o) {
        return new Work(gemmFlops + o.gemmFlops, elementwise + o.elementwise, transcendental + o.transcendental, bytesRead + o.bytesRead,
                bytesWritten + o.bytesWritten, ops + o.ops, strided + o.strided, largeWrites + o.largeWrites);
    }

    public Work times(double k) {
        return new Work(gemmFlops * k, elementwise * k, transcendental * k, bytesRead * k, bytesWritten * k, ops * k, strided * k, largeWrites * k);
    }

    /** Only the ops (per-op overhead) scaled by {@code k}, the element work by {@code e}: a row-restricted rule. */
    public Work scaled(double e, double k) {
        return new Work(gemmFlops * e, elementwise * e, transcendental * e, bytesRead * e, bytesWritten * e, ops * k, strided * e, largeWrites * e);
    }

    /** Element counts of read and written turned into bytes (primitives state elements; the meter knows the dtype). */
    Work inBytes(int bytesPerElement) {
        return new Work(gemmFlops, elementwise, transcendental, bytesRead * bytesPerElement, bytesWritten * bytesPerElement, ops, strided,
                largeWrites * bytesPerElement);
    }

    /** The same work with every byte written counted as a large write (an op whose fresh output is large). */
    Work writtenLarge() { return new Work(gemmFlops, elementwise, transcendental, bytesRead, bytesWritten, ops, strided, bytesWritten); }

    /** Floating-point operations of every kind (gemm flops plus one per element operation; copies are none). */
    public double flops() { return gemmFlops + elementwise + transcendental; }

    /** Whether two works agree within a relative tolerance in every field. */
    public boolean closeTo(Work o, double rtol) {
        double[] a = fields(), b = o.fields();
        for (int i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > rtol * Math.max(Math.abs(a[i]), Math.abs(b[i]))) return false;
        return true;
    }

    double[] fields() { return new double[]{gemmFlops, elementwise, transcendental, bytesRead, bytesWritten, ops, strided, largeWrites}; }

    @Override public String toString() {
        return String.format(Locale.ROOT, "%.3g gemm flops, %.3g elementwise, %.3g transcendental, %.3g strided copies, %.3g B read, %.3g B written (%.3g in large arrays), %.0f ops",
                gemmFlops, elementwise, transcendental, strided, bytesRead, bytesWritten, largeWrites, ops);
    }
}
