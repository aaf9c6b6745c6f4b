package dev.jaclab.nd;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Transcendentals on float32 host buffers at close to memory speed: sin, cos, exp, tanh, the tanh derivative
 * 1 − y² and tanh's VJP g · (1 − y²). ND4J's float32 kernels are scalar (~10 ns per element for sin, cos and tanh on this machine's cores); these
 * are plain-Java loops that the JIT turns into SIMD code (AVX2: 8 floats per instruction): range reduction and
 * polynomials in float arithmetic only, with branch-free quadrant selection, written as short passes over a chunk in
 * L1 cache (a loop body beyond C2's unroll limit would stay scalar). Integer bit tricks (2^k for exp) take one scalar
 * pass; arguments outside a kernel's reduced range (huge, infinite, NaN, tiny) take {@code java.lang.Math} in a last
 * scalar pass, so the edge cases are Math's.
 *
 * <p>Accuracy against {@code (float) Math.f((double) x)}, checked over wide ranges and the edge cases by
 * {@code FloatKernelsTest}: sin and cos at most 2 ulp, exp at most 1 ulp, tanh at most 3 ulp (2 in 4M random samples); 1 − y² is the same
 * two roundings as {@code 1 - y*y}. float64 arrays never come here (ND4J's routines stay, exact to float64 rounding).
 *
 * <pre>{@code
 * INDArray y = FloatKernels.apply(FloatKernels.Fn.SIN, x);   // x: packed float32 host array → a fresh array
 * }</pre>
 */
final class FloatKernels {
    private FloatKernels() {}

    /** The kernels. */
    enum Fn { SIN, COS, EXP, TANH, ONE_MINUS_SQUARE }

    private static final boolean HOST = !Backend.kind().equals("CUDA");
    /** Elements per pass: five float arrays of this size stay in L1/L2. */
    private static final int CHUNK = 1024;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][CHUNK]);
    /** A chunk-sized heap buffer seen as floats and as ints: reinterpreting bits by two bulk copies, which vectorise. */
    private static final ThreadLocal<Bits> BITS = ThreadLocal.withInitial(Bits::new);

    private static final class Bits {
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * CHUNK).order(java.nio.ByteOrder.nativeOrder());
        final FloatBuffer floats = bytes.asFloatBuffer();
        final java.nio.IntBuffer ints = bytes.asIntBuffer();
        final int[] i = new int[CHUNK];
    }

    /** Whether {@link #apply} runs on {@code x}: a packed float32 host array (c order, offset 0) under 2 GiB. */
    static boolean supported(INDArray x) {
        return HOST && x.dataType() == DataType.FLOAT && x.length() > 0 && x.length() * 4 < Integer.MAX_VALUE
                && x.ordering() == 'c' && x.offset() == 0 && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x);
    }

    /** f(x) into a fresh packed array of x's shape ({@link #supported} must hold). */
    static INDArray apply(Fn f, INDArray x) {
        INDArray z = Pool.uninitialized(DataType.FLOAT, x.shape());
        int n = (int) x.length();
        FloatBuffer in = Strided.bytes(x).asFloatBuffer(), out = Strided.bytes(z).asFloatBuffer();
        float[][] s = SCRATCH.get();
        for (int pos = 0; pos < n; pos += CHUNK) {
            int len = Math.min(CHUNK, n - pos);
            in.get(pos, s[0], 0, len);
            run(f, s, len);
            out.put(pos, s[1], 0, len);
        }
        return z;
    }

    /**
     * g · (1 − y²) into a fresh packed array of g's shape, y repeated over g's leading rows (g.length a multiple of
     * y.length; both {@link #supported}): tanh's VJP or JVP from its output in one pass, the same three roundings as
     * {@code 1 − y·y} followed by the product.
     */
    static INDArray mulOneMinusSquare(INDArray g, INDArray y) {
        INDArray z = Pool.uninitialized(DataType.FLOAT, g.shape());
        int n = (int) g.length(), w = (int) y.length();
        FloatBuffer gb = Strided.bytes(g).asFloatBuffer(), yb = Strided.bytes(y).asFloatBuffer(), out = Strided.bytes(z).asFloatBuffer();
        float[][] s = SCRATCH.get();
        float[] gs = s[0], ys = s[1], zs = s[2];
        for (int pos = 0; pos < n; ) {
            int at = pos % w, len = Math.min(CHUNK, Math.min(n - pos, w - at));   // within one repetition of y
            gb.get(pos, gs, 0, len);
            yb.get(at, ys, 0, len);
            for (int i = 0; i < len; i++) zs[i] = gs[i] * (1f - ys[i] * ys[i]);
            out.put(pos, zs, 0, len);
            pos += len;
        }
        return z;
    }

    /** f over {@code s[0][0..len)} into {@code s[1]}, with s[2..4] as temporaries. */
    static void run(Fn f, float[][] s, int len) {
        float[] x = s[0], y = s[1], a = s[2], b = s[3], c = s[4];
        switch (f) {
            case SIN -> sinCos(x, y, a, b, c, len, 0f);
            case COS -> sinCos(x, y, a, b, c, len, 1f);
            case EXP -> exp(x, y, a, b, len);
            case TANH -> tanh(x, y, a, b, len);
            case ONE_MINUS_SQUARE -> { for (int i = 0; i < len; i++) y[i] = 1f - x[i] * x[i]; }
        }
    }

    /** 1.5·2²³: (v + MAGIC) − MAGIC rounds v to the nearest integer for |v| < 2²², in float arithmetic. */
    private static final float MAGIC = 12582912f;

    // ------------------------------------------------------------------ sin, cos

    /** Arguments up to this size are reduced by the three-part π/2 below (q·P1 exact); larger ones take Math. */
    private static final float TRIG_LIMIT = 8192f;
    /** Below this size sin x and tanh x round to x (x³/6, x³/3 under half an ulp), so ±0 keeps its sign. */
    private static final float TINY = 0x1p-12f;
    private static final float TWO_OVER_PI = 0.63661977236758134f;
    /**
     * π/2 = P1 + P2 + P3 + P4 (to 8e−20): P1, P2, P3 with at most 11 significant bits, so q·P1, q·P2 and q·P3 are
     * exact for the |q| ≤ 2¹³ this range gives (Cody–Waite reduction).
     */
    private static final float P1 = 1.5703125f, P2 = 4.837512969970703125e-4f, P3 = 7.549533620476723e-8f, P4 = 2.5633440682570896e-12f;

    /**
     * sin (shift 0) or cos (shift 1: cos x = sin(x + π/2) by a quadrant step): x = q·π/2 + r, |r| ≤ π/4, then
     * ±sin r or ±cos r by the quadrant q + shift mod 4, selected with 0/1 factors (no branches).
     */
    private static void sinCos(float[] x, float[] y, float[] q, float[] r, float[] t, int len, float shift) {
        for (int i = 0; i < len; i++) {
            float v = x[i], k = (v * TWO_OVER_PI + MAGIC) - MAGIC;
            r[i] = (((v - k * P1) - k * P2) - k * P3) - k * P4;
            q[i] = k + shift;
        }
        for (int i = 0; i < len; i++) {                                       // sin r (odd polynomial, minimax on ±π/4)
            float u = r[i], u2 = u * u;
            t[i] = u + u * u2 * (-1.6666654611e-1f + u2 * (8.3321608736e-3f + u2 * -1.9515295891e-4f));
        }
        for (int i = 0; i < len; i++) {                                       // cos r (even polynomial)
            float u2 = r[i] * r[i];
            y[i] = 1f - 0.5f * u2 + u2 * u2 * (4.166664568298827e-2f + u2 * (-1.388731625493765e-3f + u2 * 2.443315711809948e-5f));
        }
        for (int i = 0; i < len; i++) {                                       // quadrant: odd → cos r, quadrants 2, 3 → negate
            float k = q[i], h = ((k * 0.5f - 0.25f) + MAGIC) - MAGIC;         // floor(k / 2)
            float odd = k - 2f * h, h2 = ((h * 0.5f - 0.25f) + MAGIC) - MAGIC, neg = h - 2f * h2;
            y[i] = (t[i] * (1f - odd) + y[i] * odd) * (1f - 2f * neg);
        }
        if (within(x, len, TINY, TRIG_LIMIT)) return;
        if (shift == 0) {
            for (int i = 0; i < len; i++) {
                float v = x[i], m = Math.abs(v);
                if (!(m <= TRIG_LIMIT) || m < TINY) y[i] = m < TINY ? v : (float) Math.sin(v);
            }
        } else for (int i = 0; i < len; i++) if (!(Math.abs(x[i]) <= TRIG_LIMIT)) y[i] = (float) Math.cos(x[i]);
    }

    /**
     * Whether every |x| lies in [lo, hi] (0 ≤ lo ≤ hi; false with a NaN), which spares the scalar fix-up pass. On the
     * bits: for non-negative floats the order of the bit patterns is the order of the values (NaN's above +inf), so
     * b − lo and hi − b are both non-negative exactly when b is in range; one OR over the chunk (a vectorised int
     * reduction; float min/max reductions are not vectorised and cost as much as the polynomial) collects the signs.
     */
    static boolean within(float[] x, int len, float lo, float hi) {
        Bits b = BITS.get();
        b.floats.put(0, x, 0, len);
        b.ints.get(0, b.i, 0, len);
        int[] bits = b.i;
        int l = Float.floatToRawIntBits(lo), h = Float.floatToRawIntBits(hi), out = 0;
        for (int i = 0; i < len; i++) {
            int m = bits[i] & 0x7fffffff;
            out |= (m - l) | (h - m);
        }
        return out >= 0;
    }

    // ------------------------------------------------------------------ exp, tanh

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 = L1 + L2, L1 with a short mantissa (k·L1 exact). */
    private static final float L1 = 0.693359375f, L2 = -2.12194440e-4f;
    /** exp's reduced range: beyond it the result is subnormal, zero or infinite and Math computes it. */
    private static final float EXP_LO = -87f, EXP_HI = 88f;

    /**
     * v = k·ln 2 + r (|r| ≤ ln2 / 2) for v clamped to [lo, hi]: k into {@code k}, r into {@code r}; then 2^k into
     * {@code k} (one scalar pass: the exponent bits).
     */
    private static void reduce(float[] x, float[] k, float[] r, int len, float scale, float lo, float hi) {
        for (int i = 0; i < len; i++) {
            float v = Math.max(lo, Math.min(hi, x[i] * scale)), j = (v * LOG2E + MAGIC) - MAGIC;
            r[i] = (v - j * L1) - j * L2;
            k[i] = j;
        }
        // 2^k: k + 127 + MAGIC has the bits MAGIC_BITS + k + 127; shifted into the exponent field they are 2^k
        for (int i = 0; i < len; i++) k[i] = k[i] + (127f + MAGIC);
        Bits b = BITS.get();
        b.floats.put(0, k, 0, len);
        b.ints.get(0, b.i, 0, len);
        for (int i = 0; i < len; i++) b.i[i] = (b.i[i] - MAGIC_BITS) << 23;
        b.ints.put(0, b.i, 0, len);
        b.floats.get(0, k, 0, len);
    }

    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);

    /** e^r − 1 = r + r²·p(r) on |r| ≤ ln2 / 2 (minimax p, degree 5). */
    private static void expm1Reduced(float[] r, float[] p, int len) {
        for (int i = 0; i < len; i++) {
            float u = r[i], c = 1.9875691500e-4f;
            c = c * u + 1.3981999507e-3f;
            c = c * u + 8.3334519073e-3f;
            c = c * u + 4.1665795894e-2f;
            c = c * u + 1.6666665459e-1f;
            c = c * u + 5.0000001201e-1f;
            p[i] = c * u * u + u;
        }
    }

    private static void exp(float[] x, float[] y, float[] s, float[] r, int len) {
        reduce(x, s, r, len, 1f, EXP_LO, EXP_HI);
        expm1Reduced(r, r, len);
        for (int i = 0; i < len; i++) y[i] = (r[i] + 1f) * s[i];
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) lo = Math.min(lo, x[i]);
        for (int i = 0; i < len; i++) hi = Math.max(hi, x[i]);
        if (lo >= EXP_LO && hi <= EXP_HI) return;
        for (int i = 0; i < len; i++) {
            float v = x[i];
            if (!(v >= EXP_LO && v <= EXP_HI)) y[i] = (float) Math.exp(v);
        }
    }

    /**
     * tanh x = e / (e + 2) with e = e^{2x} − 1 = 2^k·p + (2^k − 1), 2x clamped to ±20 (tanh is 1 to float precision
     * there), so there is no cancellation near 0 and no overflow; below 2^−12 tanh x rounds to x.
     */
    private static void tanh(float[] x, float[] y, float[] s, float[] r, int len) {
        reduce(x, s, r, len, 2f, -20f, 20f);
        expm1Reduced(r, r, len);
        for (int i = 0; i < len; i++) {
            float k = s[i], e = k * r[i] + (k - 1f);
            y[i] = e / (e + 2f);
        }
        if (within(x, len, TINY, Float.POSITIVE_INFINITY)) return;
        for (int i = 0; i < len; i++) {
            float v = x[i];
            if (Math.abs(v) < TINY) y[i] = v;
        }
    }
}
