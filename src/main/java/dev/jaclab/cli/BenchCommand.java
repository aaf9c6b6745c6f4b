package dev.jaclab.cli;

import dev.jaclab.explore.Models;
import dev.jaclab.jacobian.Strategies;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jaclab bench --models sin,attention --strategies forwardSum,sparseRows --sizes 1024,4096 --out results.csv}:
 * every model × strategy × size in a fresh JVM ({@link JacobianBench}), so each peak RSS is its own; prints and
 * writes the CSV.
 *
 * <pre>{@code
 * Main.run("bench", "--models", "sin", "--strategies", "forwardSum", "--sizes", "64", "--out", "/tmp/bench.csv");
 * }</pre>
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time and peak memory per strategy, one fresh JVM per configuration.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--models", defaultValue = "sin,mlp,attention", description = "comma-separated built-in models (default ${DEFAULT-VALUE})")
    String models;

    @Option(names = "--strategies", defaultValue = "forwardSum,reverseSum,chunked,sparseRows", description = "comma-separated strategy names, e.g. forwardSum,sparseRows(64) (names below; default ${DEFAULT-VALUE})")
    String strategies;

    @Option(names = "--sizes", defaultValue = "256,1024", description = "batch sizes N (default ${DEFAULT-VALUE})")
    String sizes;

    @Option(names = "--repeats", defaultValue = "3", description = "timed runs per configuration; the median is kept")
    int repeats;

    @Option(names = "--budget", defaultValue = "12g", description = "memory budget for refusals (default ${DEFAULT-VALUE})")
    String budget;

    @Option(names = "--timeout", defaultValue = "1800", description = "seconds per configuration (default ${DEFAULT-VALUE})")
    long timeout;

    @Option(names = "--out", description = "CSV file to write")
    Path out;

    @Override public Integer call() throws IOException, InterruptedException {
        String[] ms = models.split(","), ns = sizes.split(",");
        List<String> ss = Strategies.splitList(strategies);
        for (String m : ms) {
            try {
                Models.byName(m.trim());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        try {
            Strategies.listByName(strategies);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (String n : ns)
            if (!n.trim().matches("[1-9][0-9]*")) throw new CommandLine.ParameterException(spec.commandLine(), "bad size '" + n + "' in --sizes");
        PrintWriter o = spec.commandLine().getOut();
        List<String> lines = new ArrayList<>();
        lines.add("model,N,strategy,status,seconds,forward_seconds,ratio,peak_rss_mib,backend");
        o.println(lines.get(0));
        for (String m : ms)
            for (String s : ss)
                for (String n : ns) {
                    String line = runOne(m.trim(), n.trim(), s.trim());
                    lines.add(line);
                    o.println(line);
                    o.flush();
                }
        if (out != null) Files.write(out, lines, StandardCharsets.UTF_8);
        return 0;
    }

    private String runOne(String model, String n, String strategy) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx4g", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), JacobianBench.class.getName(), model, n, strategy, Integer.toString(repeats), budget);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return model + "," + n + "," + strategy + ",timeout,,,,,";
        }
        String text = new String(stdout, StandardCharsets.UTF_8).trim();
        String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
        return p.exitValue() == 0 && !last.isEmpty() ? last : model + "," + n + "," + strategy + ",failed(rc=" + p.exitValue() + "),,,,,";
    }
}
