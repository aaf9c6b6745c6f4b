package dev.jaclab.cli;

import dev.jaclab.explore.CostModel;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Problem;
import dev.jaclab.jacobian.Rates;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.tensor.Tensor;
import java.util.Arrays;

/**
 * The cost model's side of {@code bench/cost-model-bench.sh}: runs a strategy at the given small sizes (one worker,
 * CPU time of the computing thread), calibrates the model on them, traces the model at the target N and prints one
 * CSV line {@code model,strategy,target,predicted_seconds,predicted_peak_mib,calibration,sizes}; the script then runs
 * the strategy at the target in a fresh JVM ({@link JacobianBench}) for the measured side.
 *
 * <pre>{@code
 * java -cp target/jaclab-all.jar dev.jaclab.cli.CostModelBench attention sparseRows 256,1024,2048 65536
 * }</pre>
 */
public final class CostModelBench {
    private CostModelBench() {}

    public static void main(String[] args) {
        Model m = Models.byName(args[0]);
        Strategy s = Strategies.byName(args[1]).unchecked();
        long[] sizes = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
        long target = Long.parseLong(args[3]);
        Rates rates = Rates.calibrated();
        double[] c = new double[sizes.length], o = new double[sizes.length], t = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            Problem p = problem(m, sizes[i]);
            if (i == 0) s.run(p);                                           // warm-up
            CostModel.Prediction pr = CostModel.predict(p, s, 1, rates, CostModel.Calibration.NONE);
            c[i] = pr.computeSeconds();
            o[i] = pr.overheadSeconds();
            long c0 = Rates.cpuNanos();
            s.run(p);
            t[i] = (Rates.cpuNanos() - c0) / 1e9;
        }
        CostModel.Calibration cal = CostModel.Calibration.fit(c, o, t);
        CostModel.Prediction far = CostModel.predict(CostModel.trace(m, target, 1, Bytes.gib(12)), s, 1, rates, cal);
        System.out.printf(java.util.Locale.ROOT, "%s,%s,%d,%.4f,%.1f,%.2f/%.2f,%s%n", m.name(), s.name(), target, far.seconds(),
                far.peakBytes() / 1048576.0, cal.compute(), cal.overhead(), args[2].replace(',', ' '));
    }

    private static Problem problem(Model m, long n) {
        Tensor[] in = m.inputs(n, 1);
        in[m.inputIndex()].requiresGrad();
        return Jacobian.of(m.forward(in)[m.outputIndex()], in[m.inputIndex()]).budget(Bytes.gib(12)).parallelism(1).problem();
    }
}
