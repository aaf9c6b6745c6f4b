package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The seed workloads: per-sample Jacobian blocks from batched VJPs. With independent samples the "sum trick"
 * (cotangent e_k on every sample) gives every block at once; with samples coupled by attention across the batch
 * it silently returns Σ_j J_ij instead of J_ii, while N·m one-hot cotangents give the exact diagonal blocks.
 */
class PerSampleJacobianTest extends Float64Scope {

    /** Cotangents e_k on every sample: (m, N, m). */
    static Tensor sumTrickCotangents(long n, long m) { return Tensor.eye(m).reshape(m, 1, m).expand(m, n, m); }

    /** Blocks (N, m, n) from the sum trick: one batched VJP of m cotangents. */
    static Tensor sumTrickBlocks(Tensor y, Tensor x) {
        Tensor g = Autograd.grad(new Tensor[]{y}, new Tensor[]{x}, new Tensor[]{sumTrickCotangents(y.size(0), y.size(1))},
                Autograd.Options.defaults().batched(true))[0];   // (m, N, n): g[k, i, :] = Σ_j row k of J_ji
        return g.permute(1, 0, 2);
    }

    /** The full (N, m, N, n) Jacobian from N·m one-hot cotangents in one batched VJP. */
    static Tensor fullJacobian(Tensor y, Tensor x) {
        long n = y.size(0), m = y.size(1);
        Tensor oneHot = Tensor.eye(n * m).reshape(n * m, n, m);
        Tensor g = Autograd.vjp(y, x, oneHot, true);              // (N·m, N, n)
        return g.reshape(n, m, n, x.size(1));
    }

    /** Diagonal blocks J_ii of a full (N, m, N, n) Jacobian: (N, m, n). */
    static Tensor diagonalBlocks(Tensor full) { return full.permute(1, 3, 0, 2).diagonal().permute(2, 0, 1); }

    /** J_ii from central differences of f, perturbing one sample's input at a time. */
    static Tensor finiteDifferenceBlocks(Function<Tensor, Tensor> f, Tensor x0, double eps) {
        int n = (int) x0.size(0), d = (int) x0.size(1);
        double[] base = x0.toDoubleArray();
        int m = (int) f.apply(x0.detach()).size(1);
        double[] blocks = new double[n * m * d];
        for (int i = 0; i < n; i++)
            for (int b = 0; b < d; b++) {
                double[] p = base.clone(), q = base.clone();
                p[i * d + b] += eps;
                q[i * d + b] -= eps;
                double[] yp = f.apply(Tensor.fromArray(p, n, d)).toDoubleArray(), yq = f.apply(Tensor.fromArray(q, n, d)).toDoubleArray();
                for (int a = 0; a < m; a++) blocks[(i * m + a) * d + b] = (yp[i * m + a] - yq[i * m + a]) / (2 * eps);
            }
        return Tensor.fromArray(blocks, n, m, d);
    }

    @Test void seedExampleSinGivesDiagonalCosBlocks() {
        Tensor x = PrimitiveRows.randn(42, 1024, 3).requiresGrad();
        Tensor y = x.sin();
        Tensor cot = Tensor.eye(3).reshape(3, 1, 3).expand(3, 1024, 3);
        Tensor g = Autograd.grad(new Tensor[]{y}, new Tensor[]{x}, new Tensor[]{cot}, Autograd.Options.defaults().batched(true))[0];
        assertArrayEquals(new long[]{3, 1024, 3}, g.shape());
        Tensor blocks = g.permute(1, 0, 2);
        Tensor expected = x.detach().cos().diagEmbed();
        assertArrayEquals(new long[]{1024, 3, 3}, blocks.shape());
        assertTrue(blocks.maxAbsDiff(expected) < 1e-15, "blocks differ from diag(cos x) by " + blocks.maxAbsDiff(expected));
        // the outputs stay usable afterwards
        y.square().sum().backward();
        assertTrue(x.grad().maxAbsDiff(x.detach().sin().mul(x.detach().cos()).mul(2)) < 1e-14);
    }

    /** softmax attention across the batch: q = x Wq, k = x Wk, v = x Wv, y = softmax(q kᵀ / √d, 1) v Wo + x. */
    static Function<Tensor, Tensor> attentionAcrossBatch(int n, int d) {
        Tensor wq = PrimitiveRows.randn(1, n, d), wk = PrimitiveRows.randn(2, n, d), wv = PrimitiveRows.randn(3, n, d);
        Tensor wo = PrimitiveRows.randn(4, d, n).mul(0.5);
        return x -> {
            Tensor q = x.matmul(wq), k = x.matmul(wk), v = x.matmul(wv);
            Tensor a = q.matmul(k.mT()).div(Math.sqrt(d)).softmax(1);   // (N, N): every sample attends to every other
            return a.matmul(v).matmul(wo).add(x);
        };
    }

    static Function<Tensor, Tensor> independentMlp(int n) {
        Tensor w1 = PrimitiveRows.randn(5, n, 8), w2 = PrimitiveRows.randn(6, 8, n);
        return x -> x.matmul(w1).tanh().matmul(w2);
    }

    @Test void sumTrickIsWrongForAttentionAcrossTheBatchButExactBlocksMatchFiniteDifferences() {
        Function<Tensor, Tensor> f = attentionAcrossBatch(3, 4);
        Tensor x = PrimitiveRows.randn(9, 8, 3).requiresGrad();
        Tensor y = f.apply(x);
        Tensor full = fullJacobian(y, x);
        Tensor exact = diagonalBlocks(full);
        Tensor sumTrick = sumTrickBlocks(y, x);
        Tensor fd = finiteDifferenceBlocks(f, x.detach(), 1e-6);

        assertTrue(exact.maxAbsDiff(fd) < 1e-7, "exact blocks vs finite differences: " + exact.maxAbsDiff(fd));
        assertTrue(sumTrick.maxAbsDiff(exact) > 1e-2, "sum trick unexpectedly exact: " + sumTrick.maxAbsDiff(exact));
        assertTrue(sumTrick.maxAbsDiff(fd) > 1e-2);
        // what the sum trick really returns: row sums of the block matrix, Σ_j ∂y_j/∂x_i
        Tensor columnSums = full.sum(new int[]{0}, false).permute(1, 0, 2);   // (N, m, n)
        assertTrue(sumTrick.maxAbsDiff(columnSums) < 1e-12, "sum trick is not Σ_j J_ji: " + sumTrick.maxAbsDiff(columnSums));
    }

    @Test void sumTrickIsExactForIndependentSamples() {
        Function<Tensor, Tensor> f = independentMlp(3);
        Tensor x = PrimitiveRows.randn(10, 8, 3).requiresGrad();
        Tensor y = f.apply(x);
        Tensor exact = diagonalBlocks(fullJacobian(y, x));
        assertTrue(sumTrickBlocks(y, x).maxAbsDiff(exact) < 1e-13);
        assertTrue(exact.maxAbsDiff(finiteDifferenceBlocks(f, x.detach(), 1e-6)) < 1e-7);
        // forward mode: n batched JVPs with e_b on every sample give the columns of every block
        Tensor t = Autograd.jvp(y, x, sumTrickCotangents(8, 3), true);    // (n, N, m): t[b, i, :] = column b of J_ii
        assertTrue(t.permute(1, 2, 0).maxAbsDiff(exact) < 1e-13);
    }
}
