package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.nd.Arena;
import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.ShapeTrace;
import dev.jaclab.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seeds of the sum strategies and their diagonal route. Seeds are made once per dtype and shape and shared by later
 * calls: the basis (w, N, w) with e_k on every sample (reverseSum's cotangents, forwardSum's tangents) and the ones of a
 * diagonal tape; a split sweep's group makes its own rows of the basis ({@link #basisRows}). They are built outside any arena (no scope frees them; no sweep writes into an array it did not make)
 * and as plain arrays, not ops, so neither a run nor its shape trace counts work for them. At most
 * {@link #MAX_BYTES} are held; past that the cache starts again (the collector frees what no one uses).
 *
 * <p>Diagonal route: when every op between x and y is positionwise ({@link Structure#diagonal()}), each per-sample block
 * is diagonal and its diagonal is the derivative itself: one sweep with a vector of ones (VJP or JVP; the blocks have no
 * other nonzero, so the ones sum nothing) gives it, and {@code diagEmbed} lays it out as (N, n, n) — instead of n
 * vectors of basis seeds, the n-fold broadcast product and a permuted copy of the blocks. The values are those of the
 * basis sweep; only where a derivative is ±inf or NaN the off-diagonal entries stay exact zeros (the basis sweep spreads
 * 0·inf there).
 *
 * <pre>{@code
 * Tensor J = Jacobian.of(x.sin(), x).perSample(Strategies.reverseSum());   // one VJP of ones, then diagEmbed
 * }</pre>
 */
final class SumSeeds {
    private SumSeeds() {}

    /** The most bytes of seeds kept. */
    static final long MAX_BYTES = 64L << 20;
    private static final Map<String, NdArray> CACHE = new ConcurrentHashMap<>();
    private static long held;

    /** Basis seeds (w, N, w): e_k on every sample. */
    static Tensor basis(DType t, long w, long samples) {
        return seed(t, new long[]{w, samples, w}, () -> NdArray.eye(t, w).reshape(w, 1, w).broadcastTo(w, samples, w));
    }

    /**
     * Rows {@code first .. first + count} of the basis, (count, N, w), made for one group of a split sweep and freed
     * with it: groups exist because one batched tensor would be large, so the whole basis is not cached for them.
     */
    static Tensor basisRows(DType t, long w, long first, long count, long samples) {
        if (ShapeTrace.active()) return Tensor.wrap(NdArray.shapeOnly(t, count, samples, w));
        return Tensor.wrap(NdArray.eye(t, w).narrow(0, first, count).reshape(count, 1, w).broadcastTo(count, samples, w));
    }

    /** Ones of {@code shape}. */
    static Tensor ones(DType t, long... shape) { return seed(t, shape, () -> NdArray.full(t, 1, shape)); }

    private static Tensor seed(DType t, long[] shape, java.util.function.Supplier<NdArray> make) {
        if (ShapeTrace.active()) return Tensor.wrap(NdArray.shapeOnly(t, shape));
        String key = t + Arrays.toString(shape);
        NdArray a = CACHE.get(key);
        if (a == null || a.isClosed()) {
            a = Arena.outside(make);
            long bytes = a.numel() * t.bytes();
            synchronized (CACHE) {
                if (held + bytes > MAX_BYTES) {
                    CACHE.clear();
                    held = 0;
                }
                if (bytes <= MAX_BYTES) {
                    CACHE.put(key, a);
                    held += bytes;
                }
            }
        }
        return Tensor.wrap(a);
    }

    /** The per-sample blocks of a diagonal tape (N, n, n) from one VJP of ones. */
    static Tensor diagonalByVjp(Problem p) {
        Tensor d = Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{ones(p.y.dtype(), p.y.shape())},
                new Autograd.Options(false, p.createGraph()))[0];
        return d.reshape(p.samples(), p.inputWidth()).diagEmbed();
    }

    /** The same from one JVP of ones. */
    static Tensor diagonalByJvp(Problem p) {
        Tensor d = Autograd.jvp(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{ones(p.x.dtype(), p.x.shape())}, false, p.createGraph())[0];
        return d.reshape(p.samples(), p.outputWidth()).diagEmbed();
    }
}
