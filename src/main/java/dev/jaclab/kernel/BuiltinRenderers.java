package dev.jaclab.kernel;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Base64;
import java.util.Set;

import javax.imageio.ImageIO;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;
import tech.tablesaw.io.html.HtmlWriter;

/**
 * Renderers for JFreeChart charts (PNG, SVG on request), Tablesaw tables (HTML), images (PNG), JacLab
 * tensors (HTML table + text) and explorer reports (tables + charts). Registered into every new {@link Renderers};
 * charts take that registry's size ({@link Renderers#chartSize}).
 *
 * <pre>{@code
 * display(chart, "image/svg+xml");   // an SVG instead of the default PNG
 * }</pre>
 */
final class BuiltinRenderers {
    /** Table rows shown before truncation. */
    static final int TABLE_ROWS = 40;

    private BuiltinRenderers() {}

    static void registerAll(Renderers into) {
        into.register(JFreeChart.class, (c, mimes) -> chart(c, mimes, into.chartWidth(), into.chartHeight()));
        into.register(BufferedImage.class, (img, mimes) -> png(img, "image " + img.getWidth() + "x" + img.getHeight()));
        into.register(Table.class, BuiltinRenderers::table);
        into.register(dev.jaclab.tensor.Tensor.class, (t, mimes) -> TensorView.render(t));
        into.register(dev.jaclab.explore.Report.class, (r, mimes) -> ReportView.render(r, into.chartWidth(), into.chartHeight()));
        into.register(dev.jaclab.kernel.widgets.Widget.class, (w, mimes) -> w.view());
        into.register(HtmlText.class, (h, mimes) -> {
            DisplayData d = new DisplayData("[HTML]");
            d.putHTML(h.html());
            return d;
        });
    }

    static DisplayData chart(JFreeChart chart, Set<String> mimes, int chartWidth, int chartHeight) throws IOException {
        String title = chart.getTitle() != null ? chart.getTitle().getText() : "chart";
        if (mimes.contains("image/svg+xml")) {
            SVGGraphics2D g = new SVGGraphics2D(chartWidth, chartHeight);
            chart.draw(g, new Rectangle(0, 0, chartWidth, chartHeight));
            DisplayData d = new DisplayData("JFreeChart: " + title);
            d.putSVG(g.getSVGElement());
            return d;
        }
        return png(chart.createBufferedImage(chartWidth, chartHeight), "JFreeChart: " + title);
    }

    static DisplayData png(BufferedImage img, String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        DisplayData d = new DisplayData(text);
        d.putData("image/png", Base64.getEncoder().encodeToString(bytes.toByteArray()));
        return d;
    }

    static DisplayData table(Table t, Set<String> mimes) {
        int n = t.rowCount();
        Table shown = n > TABLE_ROWS ? t.first(TABLE_ROWS) : t;
        StringWriter html = new StringWriter();
        new HtmlWriter().write(shown, HtmlWriteOptions.builder(html).build());
        String footer = n > TABLE_ROWS ? "<div><i>showing " + TABLE_ROWS + " of " + n + " rows</i></div>" : "";
        String caption = "<div><b>" + TensorView.escape(t.name() == null ? "Table" : t.name()) + "</b> "
                + n + " rows × " + t.columnCount() + " columns</div>";
        DisplayData d = new DisplayData(shown.print() + (n > TABLE_ROWS ? "\n... " + n + " rows" : ""));
        d.putHTML("<div class=\"jaclab-table\">" + caption + html + footer + "</div>");
        return d;
    }

    /** HTML to show as is; see {@link Notebook#html(String)}. */
    record HtmlText(String html) {}
}
