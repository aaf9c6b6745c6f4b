package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.nd.Backend;
import dev.jaclab.nd.Shapes;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.ShapeTrace;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Per-sample Jacobians J[i] = ∂y[i]/∂x[i] of a batch, on a recorded graph (y computed beforehand, possibly one of
 * several outputs of a model with several inputs) or on a closure. Picks a strategy for you, or runs the one you
 * name, and tells you why.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(42, 1024, 3).requiresGrad();
 * Tensor y = x.sin();
 * Tensor J = Jacobian.of(y, x).perSample();                    // (1024, 3, 3)
 * Jacobian.of(y, x).plan();                                     // chosen strategy, reason, every cost
 * Tensor J2 = Jacobian.of(v -> v.sin(), x).perSample(Strategies.vmapJacrev());
 * Tensor Jg = Jacobian.of(model.forward(x), x).createGraph().perSample(Strategies.forwardSum());   // on the tape
 * Jg.square().sum().backward();                                // gradients of a loss of J reach the parameters
 * }</pre>
 */
public final class Jacobian {
    private Tensor y, x;                      // for a function: recorded on the whole batch when first needed
    private final Tensor input;
    private final Function<Tensor, Tensor> closure;
    private int axis = 0;
    private long budget = defaultBudget();
    private int chunk = 256;
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private long seed = 0;
    private boolean createGraph;
    private Problem problem;
    private Problem traced;                   // for a function not recorded yet: f traced at N with shapes only

    private Jacobian(Tensor y, Tensor x, Function<Tensor, Tensor> closure) {
        this.y = y;
        this.x = closure == null ? x : null;
        this.input = x;
        this.closure = closure;
    }

    /** On a recorded graph: y was computed from x (x.requiresGrad() before) by ordinary code. */
    public static Jacobian of(Tensor y, Tensor x) { return new Jacobian(y, x, null); }

    /**
     * On a closure: records f(x) once, when a strategy first needs the recorded graph (the closure is also available
     * to vmapJacrev); {@link RowBlocks rowBlocks} runs f block by block and never records the whole batch.
     */
    public static Jacobian of(Function<Tensor, Tensor> f, Tensor x) { return new Jacobian(null, x, f); }

    /** The recorded y (a function is recorded on the whole batch here, once). */
    private void record() {
        if (y != null) return;
        x = input.detach().requiresGrad();
        y = closure.apply(x);
    }

    /** Half of the memory the machine and JVM can give off-heap, by default. */
    public static long defaultBudget() {
        long ram = Backend.physicalRam();
        return ram > 0 ? ram / 2 : Runtime.getRuntime().maxMemory() / 2;
    }

    public Jacobian batchAxis(int a) { axis = a; problem = traced = null; return this; }

    public Jacobian budget(long bytes) { budget = bytes; problem = traced = null; return this; }

    public Jacobian chunkSize(int c) { chunk = c; problem = traced = null; return this; }

    public Jacobian seed(long s) { seed = s; problem = traced = null; return this; }

    /**
     * Worker threads that run the chunks of sparseRows and meetInMiddle and rowBlocks' blocks (default: the machine's cores); the blocks
     * are the serial run's exactly. Native ops run single-threaded inside each worker where OMP_NUM_THREADS=1.
     */
    public Jacobian parallelism(int workers) { parallelism = workers; problem = traced = null; return this; }

    /**
     * Blocks recorded on the tape, so a loss built from them trains what y was computed from
     * ({@code loss(J).backward()} reaches the parameters). Strategies that cannot record their blocks refuse, saying why.
     */
    public Jacobian createGraph() { return createGraph(true); }

    public Jacobian createGraph(boolean on) { createGraph = on; problem = traced = null; return this; }

    /** The problem strategies see (shapes, structure, pattern). */
    public Problem problem() {
        if (problem == null) {
            record();
            int a = Shapes.dim("Jacobian", axis, Math.min(x.rank(), y.rank()));
            problem = new Problem(y, x, closure, a, budget, chunk, seed, parallelism, createGraph);
        }
        return problem;
    }

    /**
     * The problem auto weighs: for a function not recorded yet, f traced at N with shapes only ({@link ShapeTrace}:
     * nothing computed or allocated), so that picking rowBlocks never records the whole batch; the recorded problem
     * otherwise, and when f cannot be traced (its code reads values).
     */
    private Problem weighed() {
        if (closure == null || y != null || createGraph) return problem();
        if (traced == null) {
            try (ShapeTrace t = ShapeTrace.open()) {
                Tensor xt = Tensor.zeros(input.dtype(), input.shape()).requiresGrad();
                Tensor yt = closure.apply(xt);
                int a = Shapes.dim("Jacobian", axis, Math.min(xt.rank(), yt.rank()));
                traced = new Problem(yt, xt, closure, a, budget, chunk, seed, parallelism, createGraph);
            } catch (RuntimeException valuesRead) {
                return problem();
            }
        }
        return traced;
    }

    /** Blocks (N, y per-sample shape, x per-sample shape), strategy chosen by the cost model. */
    public Tensor perSample() { return perSample(Strategies.auto()); }

    /** Blocks computed by the given strategy; a refusal is an IllegalArgumentException saying why. */
    public Tensor perSample(Strategy s) {
        if (s instanceof RowBlocks rb && closure != null && y == null && !createGraph) {   // f block by block: nothing recorded at N
            if (axis != 0) throw new IllegalArgumentException(rb.name() + " splits axis 0 only");
            return rb.blocks(closure, input, parallelism);
        }
        if (s instanceof Auto auto && closure != null && y == null && !createGraph) {      // decided on f traced at N
            Problem w = weighed();
            if (w != problem) {
                Strategy pick = auto.choose(w);
                if (pick == null) throw new IllegalArgumentException(auto.refusal(w));
                return perSample(pick);                              // rowBlocks: block by block; otherwise recorded here
            }
        }
        Problem p = problem();
        String r = p.createGraph() ? s.createGraphRefusal(p) : null;
        if (r == null) r = s.refusal(p);
        if (r != null) throw new IllegalArgumentException(r);
        return p.toUserBlocks(s.run(p));
    }

    /**
     * The blocks of samples from ≤ i < to only (to − from, y per-sample shape, x per-sample shape), by a strategy whose
     * work splits by sample rows (sparseRows, meetInMiddle): one machine's share of a distributed run.
     */
    public Tensor perSampleRows(Strategy s, long from, long to) {
        Problem p = problem();
        String r = p.createGraph() ? s.createGraphRefusal(p) : null;
        if (r == null) r = s.refusal(p);
        if (r != null) throw new IllegalArgumentException(r);
        Tensor nmn = s.runRows(p, from, to);
        return nmn.reshape(dev.jaclab.nd.Shapes.concat(new long[]{to - from}, p.blockShape()));
    }

    /** The full Jacobian (N, y per-sample..., N, x per-sample...); refuses beyond the memory budget. */
    public Tensor full() {
        Problem p = problem();
        long need = FullBatched.fullBytes(p) * 2 + Cost.perVectorBytes(p) * p.samples() * p.outputWidth();
        if (need > p.budgetBytes())
            throw new IllegalArgumentException("full: the full Jacobian " + Shapes.str(p.samples(), p.outputWidth(), p.samples(), p.inputWidth())
                    + " needs about " + Bytes.format(need) + ", over the budget of " + Bytes.format(p.budgetBytes()) + "; use perSample()");
        long N = p.samples(), m = p.outputWidth(), n = p.inputWidth();
        Tensor g;
        try (Progress task = Progress.start("full", 1, "batched VJPs")) {                  // one sweep: shows its time so far
            Tensor seeds = Tensor.eye(N * m).cast(y.dtype()).reshape(N * m, N, m);
            g = p.toSampleMajor(Autograd.vjp(y, x, p.yCotangents(seeds), true));         // (N·m, N, n)
            task.step();
        }
        long[] ys = Shapes.suffix(p.blockShape(), 0);
        return g.reshape(N, m, N, n).reshape(Shapes.concat(Shapes.concat(new long[]{N}, Shapes.prefix(ys, y.rank() - 1)),
                Shapes.concat(new long[]{N}, Shapes.suffix(ys, y.rank() - 1))));
    }

    /** The strategy auto would pick, why, and every strategy's predicted cost or refusal. */
    public Plan plan() {
        Problem p = weighed();
        Strategy chosen = Strategies.auto().choose(p);
        List<Plan.Row> rows = new ArrayList<>();
        for (Strategy s : Auto.candidates(p)) {
            String refusal = s.refusal(p);
            rows.add(new Plan.Row(s.name(), s.cost(p), refusal == null ? Auto.seconds(s, p) : Double.NaN, refusal));
        }
        String why = chosen == null ? "no strategy fits the budget of " + Bytes.format(p.budgetBytes())
                : chosen instanceof RowBlocks ? p.structure().explain() + "; " + Auto.blocksReason(p)
                : p.structure().explain() + "; " + chosen.name() + " has the least predicted time (" + String.format(java.util.Locale.ROOT, "%.3g s", Auto.seconds(chosen, p))
                + " on one thread, " + Rates.current().source() + " rates) within the budget of " + Bytes.format(p.budgetBytes());
        if (p.traced()) why += "; weighed on f traced at N with shapes only (nothing computed; the batch is recorded only for a pick other than rowBlocks)";
        return new Plan(chosen, why, rows);
    }

    /** Sparsity and sample coupling (probed at small N; independence proved from the tape). */
    public SparsityPattern sparsity() { return problem().pattern(); }
}
