package dev.jaclab.cli;

import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.nd.Backend;
import dev.jaclab.tensor.Tensor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Backend cross-check used by {@code bench/gpu-check.sh}: {@code dump DIR} writes the per-sample blocks of every
 * built-in workload × strategy (float32) plus timings under the backend that loaded; {@code compare CPU_DIR GPU_DIR}
 * checks the two agree to 1e-5 (relative to each block set's magnitude).
 *
 * <pre>{@code
 * java -cp target/jaclab-all.jar dev.jaclab.cli.GpuCheck dump out/cpu
 * java -cp target/jaclab-all.jar dev.jaclab.cli.GpuCheck compare out/cpu out/gpu
 * }</pre>
 */
public final class GpuCheck {
    private GpuCheck() {}

    /** The strategies registered for {@link Strategies.Use#BACKEND_CHECK}. */
    static List<Strategy> strategies() { return Strategies.all(Strategies.Use.BACKEND_CHECK); }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: GpuCheck dump DIR [N] | GpuCheck compare CPU_DIR GPU_DIR");
            System.exit(2);
        }
        if (args[0].equals("dump")) dump(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 256);
        else System.exit(compare(Path.of(args[1]), Path.of(args[2])) ? 0 : 1);
    }

    static void dump(Path dir, int n) throws IOException {
        Backend.check();
        Files.createDirectories(dir);
        List<String> csv = new ArrayList<>();
        csv.add("backend,model,strategy,N,seconds");
        String backend = Backend.kind();
        for (Model m : Models.all()) {
            for (Strategy s : strategies()) {
                Tensor[] in = m.inputs(n, 1);
                in[m.inputIndex()].requiresGrad();
                Jacobian j = Jacobian.of(m.forward(in)[m.outputIndex()], in[m.inputIndex()]);
                if (s.refusal(j.problem()) != null) continue;
                long t0 = System.nanoTime();
                Tensor J = j.perSample(s);
                double sec = (System.nanoTime() - t0) / 1e9;
                csv.add(backend + "," + m.name() + "," + s.name() + "," + n + "," + sec);
                try (var out = new DataOutputStream(Files.newOutputStream(dir.resolve(m.name() + "-" + s.name() + ".bin")))) {
                    double[] v = J.toDoubleArray();
                    out.writeInt(v.length);
                    for (double d : v) out.writeDouble(d);
                }
            }
        }
        Files.write(dir.resolve("timings.csv"), csv);
        System.out.println(Backend.describe() + ": wrote " + (csv.size() - 1) + " block sets to " + dir);
    }

    static boolean compare(Path a, Path b) throws IOException {
        boolean ok = true;
        try (var files = Files.list(a)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".bin")).sorted().toList()) {
                double[] x = read(p), y = read(b.resolve(p.getFileName()));
                double scale = 0, diff = 0;
                for (int i = 0; i < x.length; i++) {
                    scale = Math.max(scale, Math.abs(x[i]));
                    diff = Math.max(diff, Math.abs(x[i] - y[i]));
                }
                boolean pass = diff <= 1e-5 * Math.max(1, scale);
                ok &= pass;
                System.out.printf("%-40s max |diff| %.3e (scale %.3e) %s%n", p.getFileName(), diff, scale, pass ? "ok" : "DIFFERS");
            }
        }
        return ok;
    }

    private static double[] read(Path p) throws IOException {
        try (var in = new DataInputStream(Files.newInputStream(p))) {
            double[] v = new double[in.readInt()];
            for (int i = 0; i < v.length; i++) v[i] = in.readDouble();
            return v;
        }
    }
}
