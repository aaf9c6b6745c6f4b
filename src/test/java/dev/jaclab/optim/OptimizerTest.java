package dev.jaclab.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nn.Parameter;
import dev.jaclab.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Optimizer steps against the update rules computed by hand (plain doubles), and convergence on convex problems. */
class OptimizerTest {
    @BeforeAll static void f64() { Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterAll static void f32() { Tensor.setDefaultDType(DType.FLOAT32); }

    static final double[] THETA0 = {1.0, -2.0, 0.5};
    /** Gradients of steps 1..3 come from this loss: Σ c·θ² / 2 + k·θ (∂ = c·θ + k). */
    static final double[] C = {1.0, 3.0, 0.5}, K = {0.2, -0.1, 0.3};

    static Parameter param() { return new Parameter(Tensor.of(THETA0)); }

    static Supplier<Tensor> loss(Parameter p) {
        Tensor c = Tensor.of(C), k = Tensor.of(K);
        return () -> p.value().square().mul(c).mul(0.5).add(p.value().mul(k)).sum();
    }

    static double[] grad(double[] th) {
        double[] g = new double[th.length];
        for (int j = 0; j < th.length; j++) g[j] = C[j] * th[j] + K[j];
        return g;
    }

    static void assertTheta(double[] expected, Parameter p, String what) {
        assertArrayEquals(expected, p.value().toDoubleArray(), 1e-14, what);
    }

    @Test void sgdWithMomentumNesterovAndWeightDecayFollowsTheRule() {
        for (boolean nesterov : new boolean[]{false, true}) {
            double lr = 0.1, mu = 0.9, wd = 0.01;
            Parameter p = param();
            NdArray buffer = p.data();
            SGD opt = new SGD(List.of(p), lr).momentum(mu).nesterov(nesterov).weightDecay(wd);
            double[] th = THETA0.clone(), b = new double[3];
            for (int step = 0; step < 3; step++) {
                opt.step(loss(p));
                double[] g = grad(th);
                for (int j = 0; j < 3; j++) {
                    double dj = g[j] + wd * th[j];
                    b[j] = step == 0 ? dj : mu * b[j] + dj;
                    th[j] -= lr * (nesterov ? dj + mu * b[j] : b[j]);
                }
                assertTheta(th, p, (nesterov ? "Nesterov" : "momentum") + " step " + step);
            }
            assertSame(buffer, p.data(), "updated in place");
        }
    }

    @Test void plainSgdWithDampeningRefusesNesterov() {
        Parameter p = param();
        new SGD(List.of(p), 0.5).step(loss(p));
        double[] g = grad(THETA0), th = THETA0.clone();
        for (int j = 0; j < 3; j++) th[j] -= 0.5 * g[j];
        assertTheta(th, p, "θ − lr·g");
        SGD bad = new SGD(List.of(p), 0.1).momentum(0.9).dampening(0.1).nesterov(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bad.step(loss(p)));
        assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
    }

    @Test void adamAdamWAndAmsgradFollowTheRule() {
        for (String kind : List.of("adam", "adamw", "amsgrad")) {
            double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
            Parameter p = param();
            Adam opt = kind.equals("adamw") ? Adam.adamW(List.of(p), lr, wd) : new Adam(List.of(p), lr).weightDecay(wd).amsgrad(kind.equals("amsgrad"));
            double[] th = THETA0.clone(), m = new double[3], v = new double[3], vmax = new double[3];
            for (int t = 1; t <= 4; t++) {
                opt.step(loss(p));
                double[] g = grad(th);
                for (int j = 0; j < 3; j++) {
                    if (kind.equals("adamw")) th[j] *= 1 - lr * wd;
                    else g[j] += wd * th[j];
                    m[j] = b1 * m[j] + (1 - b1) * g[j];
                    v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
                    vmax[j] = Math.max(vmax[j], v[j]);
                    double vh = (kind.equals("amsgrad") ? vmax[j] : v[j]) / (1 - Math.pow(b2, t));
                    th[j] -= lr * (m[j] / (1 - Math.pow(b1, t))) / (Math.sqrt(vh) + eps);
                }
                assertTheta(th, p, kind + " step " + t);
            }
        }
    }

    /**
     * Adam over several parameters (one flat moment buffer across them, one without a gradient in some steps, one whose
     * gradient is a transposed view) against
     * the textbook update in plain doubles: equal to the last bit in float64, and in float32 against the same formula
     * in float arithmetic.
     */
    @Test void flatAdamEqualsTheTextbookUpdateBitForBit() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32))
            for (String kind : List.of("adam", "adamw", "amsgrad")) {
                long[][] shapes = {{2, 3}, {4}, {1, 1}};
                java.util.Random rnd = new java.util.Random(7);
                double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.05;
                List<Parameter> ps = new java.util.ArrayList<>();
                double[][] th = new double[3][], m = new double[3][], v = new double[3][], vmax = new double[3][];
                for (int i = 0; i < 3; i++) {
                    int n = (int) dev.jaclab.nd.Shapes.numel(shapes[i]);
                    th[i] = new double[n];
                    for (int k = 0; k < n; k++) th[i][k] = dtype == DType.FLOAT32 ? (float) rnd.nextGaussian() : rnd.nextGaussian();
                    m[i] = new double[n];
                    v[i] = new double[n];
                    vmax[i] = new double[n];
                    ps.add(new Parameter(Tensor.fromArray(th[i], shapes[i]), dtype));
                }
                Adam opt = kind.equals("adamw") ? Adam.adamW(ps, lr, wd) : new Adam(ps, lr).weightDecay(wd).amsgrad(kind.equals("amsgrad"));
                int[] taken = new int[3];                       // steps per parameter (bias correction counts the optimizer's steps)
                for (int t = 1; t <= 5; t++) {
                    opt.zeroGrad();
                    for (int i = 0; i < 3; i++) {
                        if (i == 1 && t % 2 == 0) continue;     // no gradient: skipped, its state untouched
                        double[] g = new double[th[i].length];
                        for (int k = 0; k < g.length; k++) g[k] = dtype == DType.FLOAT32 ? (float) rnd.nextGaussian() : rnd.nextGaussian();
                        Tensor ct = Tensor.fromArray(g, shapes[i]).cast(dtype);
                        if (i == 0) {                           // a gradient that arrives as a strided view (transposed)
                            double[] gt = new double[6];
                            for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) gt[c * 2 + r] = g[r * 3 + c];
                            ct = Tensor.fromArray(gt, 3, 2).cast(dtype).mT();
                        }
                        ps.get(i).value().backward(ct);
                        taken[i]++;
                        for (int k = 0; k < g.length; k++) {
                            if (dtype == DType.FLOAT64) {
                                if (kind.equals("adamw")) th[i][k] *= 1 - lr * wd;
                                else g[k] += wd * th[i][k];
                                m[i][k] = b1 * m[i][k] + (1 - b1) * g[k];
                                v[i][k] = b2 * v[i][k] + (1 - b2) * g[k] * g[k];
                                vmax[i][k] = Math.max(vmax[i][k], v[i][k]);
                                double vh = (kind.equals("amsgrad") ? vmax[i][k] : v[i][k]) / (1 - Math.pow(b2, t));
                                th[i][k] -= lr * (m[i][k] / (1 - Math.pow(b1, t))) / (Math.sqrt(vh) + eps);
                            } else {
                                float x = (float) th[i][k], gk = (float) g[k], mk = (float) m[i][k], vk = (float) v[i][k];
                                if (kind.equals("adamw")) x *= (float) (1 - lr * wd);
                                else gk += (float) wd * x;
                                mk = (float) b1 * mk + (float) (1 - b1) * gk;
                                vk = (float) b2 * vk + (float) (1 - b2) * gk * gk;
                                float vm = Math.max((float) vmax[i][k], vk);
                                float vh = (kind.equals("amsgrad") ? vm : vk) / (float) (1 - Math.pow(b2, t));
                                x -= (float) lr * (mk / (float) (1 - Math.pow(b1, t))) / ((float) Math.sqrt(vh) + (float) eps);
                                th[i][k] = x;
                                m[i][k] = mk;
                                v[i][k] = vk;
                                vmax[i][k] = vm;
                            }
                        }
                    }
                    opt.step();
                    for (int i = 0; i < 3; i++)
                        assertArrayEquals(th[i], ps.get(i).value().toDoubleArray(), 0.0, dtype + " " + kind + " step " + t + " parameter " + i);
                }
                assertEquals(3, taken[1], "the parameter without gradients in even steps");
            }
    }

    @Test void clippingScalesTheUpdateNotTheGradient() {
        Parameter p = param();
        SGD opt = new SGD(List.of(p), 1).clipGradNorm(0.5);
        opt.zeroGrad();
        loss(p).get().backward();
        double[] g = grad(THETA0);
        double norm = Math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
        opt.step();
        assertEquals(norm, opt.lastGradNorm(), 1e-12);
        double[] th = THETA0.clone();
        for (int j = 0; j < 3; j++) th[j] -= g[j] * 0.5 / (norm + 1e-6);
        assertTheta(th, p, "clipped step");
        assertArrayEquals(g, p.grad().toDoubleArray(), 1e-14, "gradient untouched");
    }

    @Test void schedulesGiveTheirFactors() {
        assertEquals(0.25, Schedule.step(1000, 0.5).factor(2500), 1e-15);
        assertEquals(0.9 * 0.9 * 0.9, Schedule.exponential(0.9).factor(3), 1e-15);
        assertEquals(1, Schedule.cosine(100, 0.1).factor(0), 1e-15);
        assertEquals(0.55, Schedule.cosine(100, 0.1).factor(50), 1e-12);
        assertEquals(0.1, Schedule.cosine(100, 0.1).factor(500), 1e-15);
        Schedule warm = Schedule.warmup(4).then(4, Schedule.exponential(0.5));
        assertEquals(0.25, warm.factor(0), 1e-15);
        assertEquals(1, warm.factor(4), 1e-15);
        assertEquals(0.5, warm.factor(5), 1e-15);
        Parameter p = param();
        SGD opt = new SGD(List.of(p), 1).schedule(Schedule.step(1, 0.5));
        opt.step(loss(p));
        assertEquals(0.5, opt.currentLr(), 1e-15);
        double[] g = grad(THETA0), th = THETA0.clone();
        for (int j = 0; j < 3; j++) th[j] -= g[j];
        assertTheta(th, p, "first step at the base rate");
    }

    /** Least squares ‖A w + c − b‖² over a weight matrix and a bias: a strictly convex problem with a closed form. */
    static final class LeastSquares {
        final Tensor a = Tensor.randn(1, 40, 5), b = Tensor.randn(2, 40, 1);
        final Parameter w = new Parameter(Tensor.zeros(5, 1)), c = new Parameter(Tensor.zeros(1));

        Tensor loss() { return a.matmul(w.value()).add(c.value()).sub(b).square().mean(); }

        /** The minimum, by the normal equations solved by Gaussian elimination on [A 1]. */
        double minimum() {
            int n = 40, k = 6;
            double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
            double[][] m = new double[k][k + 1];
            for (int i = 0; i < n; i++) {
                double[] row = new double[k];
                System.arraycopy(av, i * 5, row, 0, 5);
                row[5] = 1;
                for (int r = 0; r < k; r++) {
                    for (int q = 0; q < k; q++) m[r][q] += row[r] * row[q];
                    m[r][k] += row[r] * bv[i];
                }
            }
            for (int col = 0; col < k; col++)
                for (int r = 0; r < k; r++) {
                    if (r == col) continue;
                    double f = m[r][col] / m[col][col];
                    for (int q = col; q <= k; q++) m[r][q] -= f * m[col][q];
                }
            double[] x = new double[k];
            for (int r = 0; r < k; r++) x[r] = m[r][k] / m[r][r];
            double s = 0;
            for (int i = 0; i < n; i++) {
                double pred = x[5];
                for (int q = 0; q < 5; q++) pred += av[i * 5 + q] * x[q];
                s += (pred - bv[i]) * (pred - bv[i]);
            }
            return s / n;
        }

        List<Parameter> params() { return List.of(w, c); }
    }

    @Test void adamAndMomentumSgdReachTheLeastSquaresMinimum() {
        LeastSquares ls = new LeastSquares();
        double best = ls.minimum();
        Adam adam = new Adam(ls.params(), 0.05).schedule(Schedule.cosine(1500, 0.01));
        for (int i = 0; i < 1500; i++) adam.step(ls::loss);
        assertEquals(best, ls.loss().item(), 1e-7 * (1 + best), "Adam");
        LeastSquares ls2 = new LeastSquares();
        SGD sgd = new SGD(ls2.params(), 0.05).momentum(0.9).nesterov(true);
        for (int i = 0; i < 600; i++) sgd.step(ls2::loss);
        assertEquals(best, ls2.loss().item(), 1e-9 * (1 + best), "Nesterov SGD");
    }

    @Test void lbfgsWithStrongWolfeSolvesTheQuadraticInFewIterations() {
        LeastSquares ls = new LeastSquares();
        LBFGS lbfgs = new LBFGS(ls.params()).strongWolfe(true).maxIterations(50).historySize(10).toleranceChange(1e-14).toleranceGrad(1e-10);
        double f = lbfgs.step(ls::loss);
        assertEquals(ls.minimum(), f, 1e-10);
        assertEquals(f, ls.loss().item(), 1e-15, "the parameters are at the returned point");
        assertTrue(lbfgs.iterations() <= 15, "iterations: " + lbfgs.iterations());
        System.out.println("L-BFGS least squares: " + lbfgs.iterations() + " iterations, " + lbfgs.evaluations() + " evaluations");
    }

    @Test void lbfgsMinimisesRosenbrock() {
        Parameter xy = new Parameter(Tensor.of(-1.5, 2.0));
        Supplier<Tensor> rosen = () -> {
            Tensor x = xy.value().select(0, 0), y = xy.value().select(0, 1);
            return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
        };
        long[] calls = {0};
        LBFGS lbfgs = new LBFGS(List.of(xy)).strongWolfe(true).maxIterations(200).toleranceChange(1e-15).toleranceGrad(1e-10)
                .onIteration((i, l) -> calls[0]++);
        double f = lbfgs.step(rosen);
        assertTrue(f < 1e-12, "f = " + f);
        assertArrayEquals(new double[]{1, 1}, xy.value().toDoubleArray(), 1e-6);
        assertEquals(lbfgs.iterations(), calls[0], "listener called once per iteration");
        System.out.println("L-BFGS Rosenbrock: " + lbfgs.iterations() + " iterations, " + lbfgs.evaluations() + " evaluations");
        assertTrue(lbfgs.evaluations() < 2 * lbfgs.iterations() + 2, "line search evaluations: " + lbfgs.evaluations() + " for " + lbfgs.iterations());
        // without a line search (fixed step) the same problem still descends
        Parameter xy2 = new Parameter(Tensor.of(-1.5, 2.0));
        LBFGS fixed = new LBFGS(List.of(xy2)).lr(0.1).maxIterations(5);
        double before = 0.25 * 0 + 6.25 + 100 * Math.pow(2 - 2.25, 2);
        assertTrue(fixed.step(() -> {
            Tensor x = xy2.value().select(0, 0), y = xy2.value().select(0, 1);
            return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
        }) < before);
    }

    @Test void strongWolfeStepsSatisfyBothConditions() {
        StrongWolfe ls = StrongWolfe.defaults(1e-12);
        double[][] cases = {{1}, {1e-3}, {50}};          // initial steps: accepted, extrapolated, zoomed
        for (double[] c : cases) {
            StrongWolfe.Phi phi = t -> new double[]{Math.pow(t - 3, 4) + Math.sin(t), 4 * Math.pow(t - 3, 3) + Math.cos(t)};
            double f0 = phi.at(0)[0], g0 = phi.at(0)[1];
            StrongWolfe.Result r = ls.search(phi, f0, g0, c[0], 1);
            assertTrue(r.wolfe(), "from t0 = " + c[0]);
            assertTrue(r.f() <= f0 + 1e-4 * r.t() * g0, "sufficient decrease");
            assertTrue(Math.abs(r.slope()) <= 0.9 * Math.abs(g0), "curvature");
            assertEquals(phi.at(r.t())[0], r.f(), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> ls.search(t -> new double[]{t, 1}, 0, 1, 1, 1));
    }
}
