package dev.jaclab.optim;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nn.Parameter;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;

/**
 * Limited-memory BFGS (Nocedal and Wright, Algorithm 7.4: the two-loop recursion over the last {@code historySize}
 * pairs of steps and gradient changes), the usual finisher of PINN training after Adam. One {@link #step} runs up to
 * {@link #maxIterations} iterations, each with a {@link StrongWolfe} line search (or a fixed step {@code lr}), and
 * stops early on small gradients, steps or loss changes; its state (direction, history) carries over to the next
 * call. Defaults are PyTorch's ({@code torch.optim.LBFGS}): lr 1, 20 iterations, 25 evaluations, history 100,
 * tolerances 1e-7 (gradient) and 1e-9 (change). All vectors are flat buffers allocated once.
 *
 * <pre>{@code
 * LBFGS lbfgs = new LBFGS(model.parameters()).maxIterations(500).historySize(50).strongWolfe(true)
 *         .onIteration((it, loss) -> System.out.println(it + " " + loss));
 * double finalLoss = lbfgs.step(() -> pinnLoss(model));   // the loss only: LBFGS calls backward itself
 * }</pre>
 */
public final class LBFGS {
    /** Called after each iteration with its number (from 1, over all calls) and the loss reached. */
    @FunctionalInterface
    public interface Listener { void iteration(long iteration, double loss); }

    private final List<Parameter> params;
    private final NdArray[] targets;
    private final long[] sizes;
    private final DType dtype;
    private final long total;
    private double lr = 1, tolGrad = 1e-7, tolChange = 1e-9;
    private int maxIter = 20, maxEval = -1, history = 100;
    private boolean strongWolfe;
    private Listener listener = (i, l) -> {};

    // state, allocated on first use
    private NdArray g, gPrev, d, x0, sSpare, ySpare;
    private NdArray[] s, y;
    private double[] rho, alpha;
    private int stored, newest = -1;
    private double hDiag = 1, t;
    private long iterations, evaluations;

    public LBFGS(List<Parameter> params) {
        if (params.isEmpty()) throw new IllegalArgumentException("LBFGS: no parameters to optimize");
        this.params = List.copyOf(params);
        targets = new NdArray[params.size()];
        sizes = new long[params.size()];
        dtype = params.get(0).dtype();
        long n = 0;
        for (int i = 0; i < targets.length; i++) {
            Parameter p = params.get(i);
            if (p.dtype() != dtype) throw new IllegalArgumentException("LBFGS: parameters mix " + dtype + " and " + p.dtype());
            targets[i] = p.data();
            sizes[i] = p.numel();
            n += sizes[i];
        }
        total = n;
    }

    public LBFGS lr(double v) { lr = v; return this; }

    public LBFGS maxIterations(int n) { maxIter = n; return this; }

    /** Loss evaluations per {@link #step} (default 1.25 × iterations). */
    public LBFGS maxEvaluations(int n) { maxEval = n; return this; }

    public LBFGS historySize(int n) {
        if (n < 1) throw new IllegalArgumentException("LBFGS: history size must be >= 1, got " + n);
        if (s != null) throw new IllegalStateException("LBFGS: history size is fixed once stepping has started");
        history = n;
        return this;
    }

    public LBFGS toleranceGrad(double v) { tolGrad = v; return this; }

    public LBFGS toleranceChange(double v) { tolChange = v; return this; }

    /** Strong-Wolfe line search (true) or a fixed step lr (false, the default as in PyTorch). */
    public LBFGS strongWolfe(boolean on) { strongWolfe = on; return this; }

    public LBFGS onIteration(Listener l) { listener = l; return this; }

    /** Iterations run over all calls. */
    public long iterations() { return iterations; }

    /** Loss evaluations over all calls. */
    public long evaluations() { return evaluations; }

    /** Total number of parameters (the length of the flat vectors). */
    public long size() { return total; }

    /**
     * Runs up to {@link #maxIterations} iterations on {@code loss} (a function of the parameters that returns a scalar;
     * LBFGS clears gradients and calls backward itself). Returns the last loss value.
     */
    public double step(Supplier<Tensor> loss) {
        allocate();
        int budget = maxEval > 0 ? maxEval : maxIter * 5 / 4;
        int evals = 0;
        double f = evaluate(loss);
        evals++;
        if (InPlace.maxAbs(g) <= tolGrad) return f;
        for (int it = 1; it <= maxIter; it++) {
            boolean first = iterations == 0;
            if (first) {
                InPlace.assign(d, g);
                InPlace.scale(d, -1);
                hDiag = 1;
            } else direction();
            InPlace.assign(gPrev, g);
            double fPrev = f;
            t = first ? Math.min(1, 1 / InPlace.sumAbs(g)) * lr : lr;
            double gtd = InPlace.dot(g, d);
            if (gtd > -tolChange) break;
            iterations++;
            if (strongWolfe) {
                InPlace.gather(x0, targets, sizes);
                double dMax = InPlace.maxAbs(d);
                StrongWolfe.Result r = StrongWolfe.defaults(tolChange).search(step -> {
                    moveTo(step);
                    double v = evaluate(loss);
                    return new double[]{v, InPlace.dot(g, d)};
                }, f, gtd, t, dMax);
                evals += r.evaluations();
                t = r.t();
                f = r.f();
                if (!r.lastEvaluated()) {                       // move to the chosen step and restore its gradient
                    moveTo(t);
                    if (t == 0) InPlace.assign(g, gPrev);
                    else { f = evaluate(loss); evals++; }
                }
            } else {
                InPlace.scatterAxpy(t, d, targets);
                if (it != maxIter) { f = evaluate(loss); evals++; }
            }
            listener.iteration(iterations, f);
            if (it == maxIter || evals >= budget) break;
            if (InPlace.maxAbs(g) <= tolGrad) break;
            if (InPlace.maxAbs(d) * Math.abs(t) <= tolChange) break;
            if (Math.abs(f - fPrev) < tolChange) break;
        }
        return f;
    }

    private void allocate() {
        if (g != null) return;
        g = InPlace.zerosOwned(dtype, total);
        gPrev = InPlace.zerosOwned(dtype, total);
        d = InPlace.zerosOwned(dtype, total);
        x0 = InPlace.zerosOwned(dtype, total);
        sSpare = InPlace.zerosOwned(dtype, total);
        ySpare = InPlace.zerosOwned(dtype, total);
        s = new NdArray[history];
        y = new NdArray[history];
        rho = new double[history];
        alpha = new double[history];
    }

    /** Parameters = x0 + step·d. */
    private void moveTo(double step) {
        InPlace.scatter(x0, targets);
        InPlace.scatterAxpy(step, d, targets);
    }

    /**
     * The loss at the current parameters; its gradient goes into g. Everything the evaluation computes is freed in a
     * {@link Scope} (the values no backward rule reads before the sweep, the rest when it ends), the parameters'
     * gradients included.
     */
    private double evaluate(Supplier<Tensor> loss) {
        for (Parameter p : params) p.zeroGrad();
        try (Scope scope = Tensor.scope()) {
            Tensor l = loss.get();
            if (l.numel() != 1) throw new IllegalArgumentException("LBFGS: the loss has shape " + dev.jaclab.nd.Shapes.str(l.shape()) + ", not a scalar");
            scope.release(l);                                 // before the sweep: only what backward rules read stays
            l.backward();
            NdArray[] grads = new NdArray[params.size()];
            for (int i = 0; i < grads.length; i++) {
                Tensor gi = params.get(i).grad();
                grads[i] = gi == null ? null : gi.data().cast(dtype);
            }
            InPlace.gather(g, grads, sizes);
            evaluations++;
            double v = l.item();
            for (Parameter p : params) p.zeroGrad();
            return v;
        }
    }

    /** Updates the history with (s, y) = (t·d, g − gPrev) when the curvature condition holds, then d = −H·g (two loops). */
    private void direction() {
        NdArray ys = ySpare, ss = sSpare;                 // computed aside: a rejected pair must not overwrite the oldest one
        InPlace.assign(ys, g);
        InPlace.axpy(-1, gPrev, ys);
        InPlace.assign(ss, d);
        InPlace.scale(ss, t);
        double curvature = InPlace.dot(ys, ss);
        if (curvature > 1e-10) {
            int slot = (newest + 1) % history;
            sSpare = s[slot] != null ? s[slot] : InPlace.zerosOwned(dtype, total);
            ySpare = y[slot] != null ? y[slot] : InPlace.zerosOwned(dtype, total);
            s[slot] = ss;
            y[slot] = ys;
            newest = slot;
            stored = Math.min(stored + 1, history);
            rho[slot] = 1 / curvature;
            hDiag = curvature / InPlace.dot(ys, ys);
        }
        InPlace.assign(d, g);
        InPlace.scale(d, -1);
        for (int k = 0; k < stored; k++) {
            int i = Math.floorMod(newest - k, history);
            alpha[i] = rho[i] * InPlace.dot(s[i], d);
            InPlace.axpy(-alpha[i], y[i], d);
        }
        InPlace.scale(d, hDiag);
        for (int k = stored - 1; k >= 0; k--) {
            int i = Math.floorMod(newest - k, history);
            double beta = rho[i] * InPlace.dot(y[i], d);
            InPlace.axpy(alpha[i] - beta, s[i], d);
        }
    }
}
