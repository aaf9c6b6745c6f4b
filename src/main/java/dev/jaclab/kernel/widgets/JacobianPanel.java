package dev.jaclab.kernel.widgets;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.progress.Progress;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.viz.Viz;

/**
 * Strategies compared on one recorded Jacobian ({@code Jacobian.of(y, x)}: N and dtype are those of y and x): memory
 * budget, chunk size and the strategies are controls; each change re-runs the chosen strategies in the background
 * (the run in progress is interrupted) with a progress bar, then redraws their times, the spy plot, a table of
 * time, predicted peak memory and refusals, and the block gallery with its sample picker. The budget and chunk size
 * are set on the given Jacobian.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(0, 256, 3).requiresGrad();
 * display(Interactive.explorer(Jacobian.of(x.sin(), x)));
 * }</pre>
 */
public final class JacobianPanel extends RunPanel {
    private final Jacobian jacobian;
    private final long samples;

    JacobianPanel(Jacobian jacobian) {
        super("jacobian", jacobian.problem().samples());
        this.jacobian = jacobian;
        this.samples = jacobian.problem().samples();
        strategies.value(java.util.List.of("reverseSum", "sparseRows", "chunked").stream().filter(strategies.options()::contains).toList());
        layOut(Text.html(String.format(Locale.ROOT, "<b>per-sample Jacobian</b>: N = %d, blocks %d × %d", samples,
                jacobian.problem().outputWidth(), jacobian.problem().inputWidth())));
    }

    @Override
    String settings() {
        return String.format(Locale.ROOT, "N=%d budget=%s chunk=%s %s", samples, Bytes.format(budgetBytes()), chunk.value(), strategies.value());
    }

    @Override
    void work() {
        Jacobian j = jacobian.budget(budgetBytes()).chunkSize(Integer.parseInt(chunk.value()));
        Map<String, double[]> millis = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("<table><tr><th>strategy</th><th>time</th><th>predicted peak</th></tr>");
        Tensor exact = null;
        for (Strategy s : chosen()) {
            Progress.checkInterrupted("jacobian");
            String peak;
            try {
                peak = Bytes.format(s.cost(j.problem()).peakBytes());
            } catch (RuntimeException e) {
                peak = "-";
            }
            long t0 = System.nanoTime();
            try {
                Tensor J = j.perSample(s);
                double ms = (System.nanoTime() - t0) / 1e6;
                millis.put(s.name(), new double[]{ms});
                table.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f ms</td><td>%s</td></tr>", s.name(), ms, peak));
                if (s.checked() && exact == null) exact = J;
            } catch (IllegalArgumentException e) {
                table.append("<tr><td>").append(s.name()).append("</td><td colspan=\"2\">refused: ")
                        .append(BackgroundRuns.escape(String.valueOf(e.getMessage()))).append("</td></tr>");
            }
        }
        Progress.checkInterrupted("jacobian");
        status(table.append("</table>").toString());
        if (millis.isEmpty()) showCharts(Viz.spy(j.sparsity()));
        else showCharts(Viz.timeBars("time per strategy", millis, "N=" + samples), Viz.spy(j.sparsity()));
        if (exact != null) blocks(exact);
    }
}
