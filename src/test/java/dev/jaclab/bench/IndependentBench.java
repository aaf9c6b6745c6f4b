package dev.jaclab.bench;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.nd.DType;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * JacLab's side of the independent-samples benchmark (not a test), run by {@code bench/independent-bench.sh}, one
 * configuration per JVM so peak RSS is its own. Prints the CSV line of {@code bench/torch_independent.py}:
 * {@code model,N,route,seconds,peak_rss_mib,cpu_seconds} (medians after a warm-up at the same N).
 * <ul>
 *   <li>{@code sin|mlp N STRATEGY [repeats]}: the model's forward (recorded) plus the per-sample Jacobian by that
 *   strategy ({@code Strategies.byName}, or {@code auto}), each run in a {@link Scope}: the forward's values that no
 *   rule saves are freed before the sweep, everything else when the run ends; {@code rowBlocks(B)} takes the model as
 *   a function ({@code Jacobian.of(f, x)}) and runs forward and sweep per block of B rows, and so does any strategy
 *   named with the suffix {@code :f} ({@code auto:f}: auto given the function, which decides on f traced at N); the
 *   function form runs on {@code JACLAB_WORKERS} threads (default 1);</li>
 *   <li>{@code chain N recorded|constant [repeats]}: the ten elementwise ops of the PyTorch script on (N, 3), per chain,
 *   each chain in a {@link Scope} (its values freed when it ends, as PyTorch frees them when the result is dropped).</li>
 * </ul>
 *
 * <pre>{@code
 * java -cp target/test-classes:target/classes:... dev.jaclab.bench.IndependentBench mlp 16384 reverseSum 5
 * }</pre>
 */
public final class IndependentBench {
    private IndependentBench() {}

    /** The same ten ops as torch_independent.py's chain. */
    static Tensor chain(Tensor x) {
        Tensor y = x.sin().mul(1.5).add(0.25).tanh().exp().sub(1.0);
        y = y.mul(y).sin().add(x);
        return y.tanh();
    }

    /** Process CPU seconds, nanosecond-exact (the JVM's own figure ticks in 10 ms: a 0.4 ms run read as 0 or 10 ms). */
    static double cpu() { return dev.jaclab.jacobian.Rates.processCpuNanos() / 1e9; }

    static long peakRssMib() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status")))
            if (l.startsWith("VmHWM")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        return -1;
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Tensor.setDefaultDType(DType.FLOAT32);
        String name = args[0], route = args[2];
        long n = Long.parseLong(args[1]);
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Runnable run;
        int scale = 1;
        if (name.equals("chain")) {
            int inner = (int) Math.max(1, 20000 / Math.max(1, n / 1024));
            Tensor x = Tensor.randn(1, n, 3);
            if (route.equals("recorded")) x.requiresGrad();
            Tensor xr = x;
            run = () -> {                                          // each chain's values freed when it ends, as
                for (int i = 0; i < inner; i++)                    // PyTorch's reference counts free them
                    try (Scope scope = Tensor.scope()) {
                        chain(xr);
                    }
            };
            scale = inner;
        } else {
            Model m = Models.byName(name);
            boolean function = route.endsWith(":f");
            Strategy s = Strategies.byName(function ? route.substring(0, route.length() - 2) : route);
            Tensor x = m.inputs(n, 1)[0];
            int workers = Integer.parseInt(System.getenv().getOrDefault("JACLAB_WORKERS", "1"));
            run = function || s instanceof dev.jaclab.jacobian.RowBlocks ? () -> {
                try (Scope scope = Tensor.scope()) {               // from the function (rowBlocks: a block of rows at a
                    Jacobian.of(v -> m.forward(v)[0], x).parallelism(workers).perSample(s);   // time, never recorded at N)
                }
            } : () -> {
                try (Scope scope = Tensor.scope()) {               // what PyTorch's reference counts do: the forward's
                    Tensor xi = x.detach().requiresGrad();          // unsaved values freed before the sweep, the whole
                    Tensor y = m.forward(xi)[0];                    // tape when the run ends
                    scope.release(y);
                    Jacobian.of(y, xi).parallelism(1).perSample(s);
                }
            };
        }
        // warm-up at the measured size until the JIT has compiled the path (10 s and at least 2 runs: with the cores
        // shared, C2 was still compiling the op path 11 s into a run of 1 ms Jacobians, and its compiling counts as
        // process CPU time), then each repeat runs enough times to last ≥ 0.3 s (the process CPU clock ticks in 10 ms)
        long w0 = System.nanoTime();
        int warm = 0;
        double perRun = Double.MAX_VALUE;
        while (warm < 2 || System.nanoTime() - w0 < 10e9) {
            long r0 = System.nanoTime();
            run.run();
            if (warm > 0) perRun = Math.min(perRun, (System.nanoTime() - r0) / 1e9);   // the fastest warm run: one slow
            warm++;                                                  // run (a collection) must not leave a repeat at one run
        }
        int inner = (int) Math.max(1, Math.ceil(0.3 / perRun));
        double[] t = new double[repeats], c = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            double c0 = cpu();
            for (int i = 0; i < inner; i++) run.run();
            t[r] = (System.nanoTime() - t0) / 1e9 / scale / inner;
            c[r] = (cpu() - c0) / scale / inner;
        }
        Arrays.sort(t);
        Arrays.sort(c);
        System.out.printf("%s,%d,%s,%.9f,%d,%.9f%n", name, n, route, t[repeats / 2], peakRssMib(), c[repeats / 2]);
    }
}
