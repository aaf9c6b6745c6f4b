package dev.jaclab.cli;

import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Models;
import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.nd.DType;
import dev.jaclab.progress.Progress;
import dev.jaclab.progress.ProgressListener;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.viz.Viz;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jaclab explore}: runs the {@link Explorer} on a built-in model and writes report.html (table and charts as
 * embedded PNG), report.csv, report.json and each chart as PNG and SVG into the output folder.
 *
 * <pre>{@code
 * Main.run("explore", "--model", "attention", "--sizes", "256,1024", "--target", "1000000", "--budget", "8g", "--out", "out");
 * }</pre>
 */
@Command(name = "explore", mixinStandardHelpOptions = true, description = "Run strategies × sizes on a model, extrapolate, recommend.")
final class ExploreCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = "attention",
            description = "sin, mlp, attention, attentionPlain, attention2, dense, conv, globalMean, pinn (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--strategies", description = "comma-separated strategy names, e.g. forwardSum,sparseRows(64) (default: the explorer's line-up; names below)")
    String strategies;

    @Option(names = "--sizes", defaultValue = "64,256", description = "batch sizes N, comma separated (default ${DEFAULT-VALUE})")
    String sizes;

    @Option(names = "--target", defaultValue = "1000000", description = "N to extrapolate to (default ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--budget", defaultValue = "8g", description = "memory budget, e.g. 8g, 512m (default ${DEFAULT-VALUE})")
    String budget;

    @Option(names = "--repeats", defaultValue = "1", description = "timed runs per measurement; the median is kept")
    int repeats;

    @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float64")
    String dtype;

    @Option(names = "--out", description = "output folder for report.html, report.csv, report.json and charts")
    Path out;

    @Option(names = "--time-cap", defaultValue = "120", description = "skip a run predicted to take longer, in seconds (default ${DEFAULT-VALUE})")
    String timeCap;

    @Option(names = "--executors", description = "also predict the plan on a Spark cluster of K executors of one thread each (default: no cluster figure)")
    String executors;

    @Option(names = "--no-progress", description = "never show the progress bar (shown on a terminal: runs and chunks done, rate, time left)")
    boolean noProgress;

    private CommandLine.ParameterException bad(String msg) { return new CommandLine.ParameterException(spec.commandLine(), msg); }

    @Override public Integer call() throws IOException {
        Model m;
        try {
            m = Models.byName(model);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        long[] n = parseSizes(sizes);
        long tgt = parseCount("target", target);
        long bytes;
        try {
            bytes = Bytes.parse(budget);
        } catch (IllegalArgumentException e) {
            throw bad("bad --budget '" + budget + "' (use e.g. 8g, 512m)");
        }
        if (bytes <= 0) throw bad("bad --budget '" + budget + "': must be positive");
        if (repeats < 1) throw bad("bad --repeats " + repeats + ": must be >= 1");
        double cap;
        try {
            cap = Double.parseDouble(timeCap.trim());
        } catch (NumberFormatException e) {
            throw bad("bad --time-cap '" + timeCap + "': seconds, e.g. 120");
        }
        if (!(cap > 0)) throw bad("bad --time-cap '" + timeCap + "': must be positive");
        int k = executors == null ? 0 : (int) Math.min(Integer.MAX_VALUE, parseCount("--executors", executors));
        DType dt = switch (dtype.toLowerCase()) {
            case "float32", "f32" -> DType.FLOAT32;
            case "float64", "f64" -> DType.FLOAT64;
            default -> throw bad("bad --dtype '" + dtype + "' (float32 or float64)");
        };
        DType before = Tensor.defaultDType();
        Tensor.setDefaultDType(dt);
        try {
            Report r = explore(m, n, tgt, bytes, cap, k);
            PrintWriter o = spec.commandLine().getOut();
            o.println(r);
            o.flush();
            if (out != null) {
                write(r, m, out);
                o.println("wrote " + out.resolve("report.html"));
                o.flush();
            }
        } finally {
            Tensor.setDefaultDType(before);
        }
        return 0;
    }

    private Report explore(Model m, long[] n, long tgt, long bytes, double cap, int executors) {
        Explorer e = Explorer.of(m).sizes(n).target(tgt).budget(bytes).repeats(repeats).timeCap(cap);
        if (executors > 0) e = e.executors(executors);
        if (strategies != null) {
            try {
                e = e.strategies(Strategies.listByName(strategies).toArray(dev.jaclab.jacobian.Strategy[]::new));
            } catch (IllegalArgumentException ex) {
                throw bad(ex.getMessage());
            }
        }
        ProgressListener before = Progress.listener();
        boolean shown = TerminalProgress.installIf(!noProgress);
        try {
            return e.run();
        } finally {
            if (shown) Progress.show(before);
        }
    }

    long[] parseSizes(String s) {
        String[] parts = s.split(",");
        long[] n = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            n[i] = parseCount("size", parts[i]);
            if (n[i] < 2) throw bad("bad size '" + parts[i].trim() + "': sizes must be >= 2 (use e.g. --sizes 256,1024)");
        }
        return n;
    }

    private long parseCount(String what, String s) {
        try {
            long v = Long.parseLong(s.trim().replace("_", ""));
            if (v < 1) throw bad("bad " + what + " '" + s.trim() + "': must be a positive whole number");
            return v;
        } catch (NumberFormatException e) {
            throw bad("bad " + what + " '" + s.trim() + "': not a whole number (use e.g. --sizes 256,1024 --target 1000000)");
        }
    }

    static Map<String, JFreeChart> charts(Report r, Model m) {
        Map<String, JFreeChart> c = new LinkedHashMap<>();
        c.put("time-memory", Viz.timeMemory(r));
        c.put("scaling", Viz.scaling(r));
        c.put("predicted-vs-measured", Viz.predictedVsMeasured(r));
        c.put("spy", Viz.spy(r.pattern()));
        c.put("coupling", Viz.coupling(r.pattern()));
        long small = r.pattern().samples();
        Tensor[] in = m.inputs(small, 0);
        in[m.inputIndex()].requiresGrad();
        Tensor J = Jacobian.of(m.forward(in)[m.outputIndex()], in[m.inputIndex()]).perSample();
        c.put("blocks", Viz.blocks(J, 0, small / 2, small - 1));
        c.put("block-stats", Viz.blockStats(J));
        return c;
    }

    static void write(Report r, Model m, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.csv"), r.toCsv());
        Files.writeString(dir.resolve("report.json"), r.toJson());
        Map<String, byte[]> png = new LinkedHashMap<>();
        for (Map.Entry<String, JFreeChart> e : charts(r, m).entrySet()) {
            byte[] p = Viz.png(e.getValue(), 900, 560);
            png.put(e.getKey(), p);
            Files.write(dir.resolve(e.getKey() + ".png"), p);
            Files.writeString(dir.resolve(e.getKey() + ".svg"), Viz.svg(e.getValue(), 900, 560));
        }
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(r, png));
    }
}
