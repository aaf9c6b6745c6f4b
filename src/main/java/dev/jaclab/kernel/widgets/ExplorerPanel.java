package dev.jaclab.kernel.widgets;

import java.util.List;
import java.util.Locale;

import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.nd.DType;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.viz.Viz;

/**
 * The explorer on a model, driven by controls: sample count N, dtype, memory budget, chunk size and the strategies to
 * compare. Each change re-runs {@link Explorer} in the background at N/4 and N (the run in progress is interrupted)
 * with a progress bar, then redraws the time/memory, scaling and spy charts and the recommendation, and computes the
 * blocks at N (auto strategy) for the block gallery, whose sample picker redraws only the gallery.
 *
 * <pre>{@code
 * ExplorerPanel p = Interactive.explorer(Models.attention(7, 3, 16));
 * display(p);                    // runs once with the defaults
 * p.n().value("256");            // or move the menu in the browser: re-runs
 * p.awaitIdle(60_000);
 * p.report().recommendation();
 * }</pre>
 */
public final class ExplorerPanel extends RunPanel {
    /** The sample counts offered. */
    static final List<String> SIZES = List.of("16", "64", "256", "1024", "4096");

    private final Model model;
    private final Dropdown n = Dropdown.of(SIZES).description("N");
    private final Dropdown dtype = Dropdown.of("float32", "float64").description("dtype");
    private volatile Report report;

    ExplorerPanel(Model model) {
        super("explore", 64);
        this.model = model;
        n.value("64");
        List<String> lineUp = Explorer.defaultStrategies().stream().map(RunPanel::baseName).distinct()
                .filter(strategies.options()::contains).toList();
        strategies.value(lineUp);
        layOut(Text.html("<b>explore " + BackgroundRuns.escape(model.name()) + "</b>"), Box.hbox(n, dtype));
        n.onChange(v -> rerun());
        dtype.onChange(v -> rerun());
    }

    @Override
    String settings() {
        return String.format(Locale.ROOT, "N=%s %s budget=%s chunk=%s %s", n.value(), dtype.value(), Bytes.format(budgetBytes()),
                chunk.value(), strategies.value());
    }

    @Override
    void work() {
        long size = Long.parseLong(n.value());
        long budget = budgetBytes();
        List<Strategy> line = chosen();
        DType before = Tensor.defaultDType();
        Tensor.setDefaultDType("float64".equals(dtype.value()) ? DType.FLOAT64 : DType.FLOAT32);
        try {
            Report r = Explorer.of(model).sizes(Math.max(2, size / 4), size).budget(budget).repeats(1).timeCap(60)
                    .strategies(line.toArray(Strategy[]::new)).run();
            Progress.checkInterrupted("explore");
            report = r;
            status("<b>" + BackgroundRuns.escape(r.recommendation().toString()) + "</b>");
            showCharts(Viz.timeMemory(r), Viz.scaling(r), Viz.spy(r.pattern()));
            Tensor[] in = model.inputs(size, 0);
            Tensor x = in[model.inputIndex()].requiresGrad();
            Tensor y = model.forward(in)[model.outputIndex()];
            blocks(Jacobian.of(y, x).budget(budget).chunkSize(Integer.parseInt(chunk.value())).perSample());
        } finally {
            Tensor.setDefaultDType(before);
        }
    }

    /** The report of the last run that finished, or null. */
    public Report report() { return report; }

    /** The sample-count menu. */
    public Dropdown n() { return n; }

    /** The dtype menu. */
    public Dropdown dtype() { return dtype; }
}
