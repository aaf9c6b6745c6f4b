package dev.jaclab.kernel;

import java.io.StringWriter;
import java.util.Base64;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.jfree.chart.JFreeChart;

import dev.jaclab.explore.Report;
import dev.jaclab.explore.Units;
import dev.jaclab.viz.Viz;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;
import tech.tablesaw.io.html.HtmlWriter;

/**
 * Renders an explorer {@link Report}: recommendation, measurement and extrapolation tables, and the
 * time/memory and scaling charts as inline PNGs (text/plain is the report's own text). It fits a notebook's width:
 * numbers read with units ({@link Units#readable}), the long "reason" column is collapsed into a list below the
 * table, wide tables scroll inside their own box and charts shrink to the width.
 *
 * <pre>{@code
 * Explorer.of(Models.attention(7, 3, 16)).sizes(256, 1024).run()   // shown as tables and charts
 * }</pre>
 */
final class ReportView {
    private ReportView() {}

    static DisplayData render(Report r, int chartWidth, int chartHeight) {
        StringBuilder html = new StringBuilder("<div class=\"jaclab-report\" style=\"max-width:100%\">");
        html.append("<div><b>Explorer report</b>: ").append(TensorView.escape(r.model())).append(" (")
                .append(TensorView.escape(r.dtype())).append("), target N = ").append(r.target()).append("</div>");
        html.append("<div><b>").append(TensorView.escape(String.valueOf(r.recommendation()))).append("</b></div>");
        Table measured = r.table();
        html.append(table(measured.columnNames().contains("reason") ? measured.copy().removeColumns("reason") : measured))
                .append(reasons(measured)).append(table(r.extrapolation()));
        chart(html, "time and memory", () -> Viz.timeMemory(r), chartWidth, chartHeight);
        chart(html, "scaling", () -> Viz.scaling(r), chartWidth, chartHeight);
        html.append("</div>");
        DisplayData d = new DisplayData(r.toString());
        d.putHTML(html.toString());
        return d;
    }

    private static String table(Table t) {
        StringWriter w = new StringWriter();
        new HtmlWriter().write(Units.readable(t), HtmlWriteOptions.builder(w).build());
        return "<div><i>" + TensorView.escape(t.name()) + "</i></div><div style=\"overflow-x:auto;max-width:100%\">" + w + "</div>";
    }

    /** The non-empty reasons (refusals, failures), collapsed: one line per strategy and size. */
    private static String reasons(Table t) {
        if (!t.columnNames().contains("reason")) return "";
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (int i = 0; i < t.rowCount(); i++) {
            String why = t.stringColumn("reason").get(i);
            if (why == null || why.isBlank()) continue;
            sb.append("<li><code>").append(TensorView.escape(t.stringColumn("strategy").get(i))).append("</code> at N = ")
                    .append(t.column("N").getString(i)).append(": ").append(TensorView.escape(why)).append("</li>");
            n++;
        }
        return n == 0 ? "" : "<details><summary>" + n + " reason(s): refused or failed runs</summary><ul style=\"white-space:normal\">"
                + sb + "</ul></details>";
    }

    private interface ChartMaker { JFreeChart make(); }

    private static void chart(StringBuilder html, String what, ChartMaker maker, int width, int height) {
        try {
            byte[] png = Viz.png(maker.make(), width, height);
            html.append("<div><img style=\"max-width:100%;height:auto\" alt=\"").append(what).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png)).append("\"/></div>");
        } catch (RuntimeException e) {
            html.append("<div><i>no ").append(what).append(" chart: ").append(TensorView.escape(String.valueOf(e.getMessage())))
                    .append("</i></div>");
        }
    }
}
