package dev.jaclab.cli;

import dev.jaclab.explore.CostModel;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.explore.Warmup;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.RowBlocks;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.tensor.Tensor;
import java.util.Arrays;

/**
 * The cost model's side of {@code bench/cost-model-bench.sh}: warms the strategy up at the first size as the explorer
 * does ({@link Warmup}: the JIT compiles its code there), runs it at the given small sizes (one worker), measuring
 * what the benchmark measures at the target — the CPU time of the computing thread (as the explorer) in
 * {@code Jacobian.perSample} on a freshly recorded model, median of the three calls after the first at each size —
 * calibrates the model on them (per-op factor and fixed seconds per call), traces the model at the target N and prints
 * one CSV line {@code model,strategy,target,predicted_seconds,predicted_peak_mib,per_op_factor,per_call_ms,process_mib,sizes}
 * (the peak: the model's resident tape plus the strategy's own plus what the process adds beyond them in a call — the
 * allocator's slack — measured at the small sizes the same way as at the target: VmHWM during the first timed call,
 * above the resident set before the model was built); the script then runs the strategy at the target in a fresh JVM
 * ({@link JacobianBench}) for the measured side.
 *
 * <pre>{@code
 * java -cp target/jaclab-all.jar dev.jaclab.cli.CostModelBench attention sparseRows 256,1024,2048 65536
 * }</pre>
 */
public final class CostModelBench {
    private CostModelBench() {}

    public static void main(String[] args) {
        Model m = Models.byName(args[0]);
        Strategy s = Strategies.byName(args[1]);
        long[] sizes = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
        long target = Long.parseLong(args[3]);
        Rates rates = Rates.calibrated();
        String refusal = s.refusal(jacobian(m, s, sizes[0]).problem());
        if (refusal != null) {                                                // e.g. a sum trick on coupled samples
            System.err.println(refusal);
            System.out.printf("%s,%s,%d,refused,,,,,%s%n", m.name(), s.name(), target, args[2].replace(',', ' '));
            return;
        }
        double[] c = new double[sizes.length], o = new double[sizes.length], t = new double[sizes.length], extra = new double[sizes.length];
        Jacobian first = jacobian(m, s, sizes[0]);                               // warm-up at the first size, as the explorer's
        Warmup.run(() -> first.perSample(s), Warmup.SECONDS);
        for (int i = 0; i < sizes.length; i++) {
            CostModel.Prediction pr = CostModel.predict(jacobian(m, s, sizes[i]).problem(), s, 1, rates, CostModel.Calibration.NONE);
            c[i] = pr.computeSeconds();
            o[i] = pr.overheadSeconds();
            double[] r = new double[4];
            for (int k = 0; k < r.length; k++) {
                long rss0 = k == 1 ? JacobianBench.settleAndResetPeak() : -1;
                Jacobian j = jacobian(m, s, sizes[i]);
                if (k == 1) JacobianBench.settleAndResetPeak();
                long c0 = Rates.cpuNanos();
                j.perSample(s);
                r[k] = (Rates.cpuNanos() - c0) / 1e9;
                // the first timed call at this size, as at the target: the process's own growth beyond the model's (allocator)
                if (k == 1) extra[i] = JacobianBench.peakGrowthMib(rss0) * 1048576.0 - pr.totalPeakBytes();
            }
            r = Arrays.copyOfRange(r, 1, r.length);                           // timed: the three calls after the first at this size
            Arrays.sort(r);
            t[i] = r[1];
            System.err.printf(java.util.Locale.ROOT, "N = %d: compute %.4f s, per-op %.4f s, measured %.4f s; peak %.1f MiB beyond the model's%n",
                    sizes[i], c[i], o[i], t[i], extra[i] / 1048576);
        }
        CostModel.Calibration cal = CostModel.Calibration.fit(c, o, t);
        Arrays.sort(extra);
        double processBytes = Math.max(0, extra[extra.length / 2]);          // the process's own growth in a first call (JIT, allocator)
        CostModel.Prediction far = CostModel.predict(CostModel.trace(m, target, 1, Bytes.gib(12)), s, 1, rates, cal);
        System.out.printf(java.util.Locale.ROOT, "%s,%s,%d,%.4f,%.1f,%.2f,%.2f,%.1f,%s%n", m.name(), s.name(), target, far.seconds(),
                (far.totalPeakBytes() + processBytes) / 1048576.0, cal.overhead(), cal.perCall() * 1e3, processBytes / 1048576, args[2].replace(',', ' '));
    }

    /**
     * The model recorded at N and its Jacobian (one worker), as the benchmark sets it up at the target; for rowBlocks
     * the model as a function of x ({@link Model#jacobian}, as the explorer studies it), which rowBlocks runs a block at a time.
     */
    private static Jacobian jacobian(Model m, Strategy s, long n) {
        Tensor[] in = m.inputs(n, 1);
        if (s instanceof RowBlocks) return m.jacobian(in).budget(Bytes.gib(12)).parallelism(1);
        in[m.inputIndex()].requiresGrad();
        return Jacobian.of(m.forward(in)[m.outputIndex()], in[m.inputIndex()]).budget(Bytes.gib(12)).parallelism(1);
    }
}
