package dev.jaclab.viz;

import dev.jaclab.explore.Fit;
import dev.jaclab.explore.Units;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A log-log chart of measured series, each optionally with its least-squares power law (the fitted slope is in the
 * legend and {@link #slope}), reference slopes and horizontal lines. Axes are ticked at whole powers of 10 (or 2) and
 * read in units. Series named after a strategy take its colour.
 *
 * <pre>{@code
 * Viz.logLog("Detached error", "N", "relative error").xPowersOfTwo()
 *     .fit("detached", ns, errors).reference("∝ 1/N", -1).chart();
 * LogLog mem = Viz.logLog("Predicted memory", "N", "peak").xCount().yBytes()
 *     .fit("sparseRows(256)", ns, bytes).extendTo(1e6).hline("budget 8 GiB", 8.0 * (1L << 30));
 * mem.slope("sparseRows(256)");   // the fitted exponent
 * }</pre>
 */
public final class LogLog {
    private record Series(String name, double[] x, double[] y, boolean fitted, Fit fit) {}

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private final Map<String, Double> references = new LinkedHashMap<>();
    private final Map<String, Double> hlines = new LinkedHashMap<>();
    private int xBase = 10;
    private Axes.Unit xUnit = Axes.Unit.PLAIN, yUnit = Axes.Unit.PLAIN;
    private double extendTo = Double.NaN;

    LogLog(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** The x axis ticked at powers of two (16, 32, 64, …). */
    public LogLog xPowersOfTwo() { xBase = 2; return this; }

    /** x values are counts such as N: ticks read 100, 1k, 1M. */
    public LogLog xCount() { xUnit = Axes.Unit.COUNT; return this; }

    /** y values are bytes (ticks at powers of two: KiB, MiB, GiB). */
    public LogLog yBytes() { yUnit = Axes.Unit.BYTES; return this; }

    /** y values are milliseconds (ticks read µs, ms, s). */
    public LogLog yMillis() { yUnit = Axes.Unit.MILLIS; return this; }

    /** y values are seconds. */
    public LogLog ySeconds() { yUnit = Axes.Unit.SECONDS; return this; }

    /** Markers joined by a line. */
    public LogLog points(String name, double[] x, double[] y) { return add(name, x, y, false); }

    /** Markers and their least-squares power law y = a·x^k (dashed), k shown in the legend. */
    public LogLog fit(String name, double[] x, double[] y) { return add(name, x, y, true); }

    /** Draw fitted power laws out to this x (e.g. a target N); default: the last measured x. */
    public LogLog extendTo(double x) { extendTo = x; return this; }

    /** A grey reference line y ∝ x^exponent through the first point of the first series. */
    public LogLog reference(String name, double exponent) { references.put(name, exponent); return this; }

    /** A horizontal line at y (a budget). */
    public LogLog hline(String label, double y) { hlines.put(label, y); return this; }

    /** The fitted exponent of a series added with {@link #fit}. */
    public double slope(String name) {
        for (Series s : series) if (s.name.equals(name) && s.fitted) return s.fit.exponent();
        throw new IllegalArgumentException("LogLog.slope: no fitted series named '" + name + "'");
    }

    private LogLog add(String name, double[] x, double[] y, boolean fitted) {
        if (x.length != y.length)
            throw new IllegalArgumentException("LogLog: series '" + name + "' has " + x.length + " x values but " + y.length + " y values");
        series.add(new Series(name, x.clone(), y.clone(), fitted, fitted ? Fit.powerLaw(x, y, Double.NaN) : null));
        return this;
    }

    /** The chart. */
    public JFreeChart chart() {
        XYSeriesCollection marks = new XYSeriesCollection(), lines = new XYSeriesCollection();
        XYLineAndShapeRenderer mr = new XYLineAndShapeRenderer(true, true), lr = new XYLineAndShapeRenderer(true, false);
        LegendItemCollection legend = new LegendItemCollection();
        double xMin = Double.MAX_VALUE, xMax = 0;
        for (Series s : series) for (double v : s.x) if (v > 0) { xMin = Math.min(xMin, v); xMax = Math.max(xMax, v); }
        double xEnd = Double.isNaN(extendTo) ? xMax : Math.max(xMax, extendTo);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            Color c = Styles.color(s.name, i);
            XYSeries m = new XYSeries(s.name, false, true);
            for (int j = 0; j < s.x.length; j++) if (s.x[j] > 0 && s.y[j] > 0 && Double.isFinite(s.y[j])) m.add(s.x[j], s.y[j]);
            marks.addSeries(m);
            mr.setSeriesPaint(i, c);
            mr.setSeriesShape(i, Styles.shape(i));
            mr.setSeriesLinesVisible(i, !s.fitted);
            LegendItem item = new LegendItem(s.fitted ? s.name + " (slope " + Units.exponent(s.fit.exponent()) + ")" : s.name, c);
            item.setShape(Styles.shape(i));
            item.setLine(new java.awt.geom.Line2D.Double(-9, 0, 9, 0));
            item.setLineVisible(true);
            item.setLineStroke(s.fitted ? Styles.DASHED : Styles.SOLID);
            item.setLinePaint(c);
            legend.add(item);
            if (s.fitted && s.fit.points() >= 2) {
                int k = lines.getSeriesCount();
                lines.addSeries(powerLine(s.name + " fit", s.fit.exponent(), s.fit.logCoefficient(), xMin, xEnd));
                lr.setSeriesPaint(k, c);
                lr.setSeriesStroke(k, Styles.DASHED);
            }
        }
        Series first = series.isEmpty() ? null : series.get(0);
        for (Map.Entry<String, Double> r : references.entrySet()) {
            if (first == null) break;
            double x0 = first.x[0], y0 = first.y[0];
            int k = lines.getSeriesCount();
            lines.addSeries(powerLine(r.getKey(), r.getValue(), Math.log(y0) - r.getValue() * Math.log(x0), xMin, xEnd));
            lr.setSeriesPaint(k, Styles.GREY);
            lr.setSeriesStroke(k, new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[]{2f, 3f}, 0f));
            LegendItem item = new LegendItem(r.getKey() + " (reference slope " + Units.exponent(r.getValue()) + ")", Styles.GREY);
            item.setShapeVisible(false);
            item.setLine(new java.awt.geom.Line2D.Double(-9, 0, 9, 0));
            item.setLineVisible(true);
            item.setLineStroke(lr.getSeriesStroke(k));
            item.setLinePaint(Styles.GREY);
            legend.add(item);
        }
        LogAxis x = Axes.log(xLabel, xBase, xUnit), y = Axes.log(yLabel, yUnit == Axes.Unit.BYTES ? 2 : 10, yUnit);
        XYPlot plot = new XYPlot(marks, x, y, mr);
        plot.setDataset(1, lines);
        plot.setRenderer(1, lr);
        for (Map.Entry<String, Double> h : hlines.entrySet()) {
            ValueMarker mk = new ValueMarker(h.getValue(), Styles.VERMILLION, new BasicStroke(2f));
            mk.setLabel(h.getKey());
            mk.setLabelFont(ReportCharts.SMALL);
            mk.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            mk.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(mk);
        }
        plot.setFixedLegendItems(legend);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        if (xMin < Double.MAX_VALUE) x.setRange(xMin / 1.3, xEnd * 1.3);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static XYSeries powerLine(String name, double k, double logA, double from, double to) {
        XYSeries s = new XYSeries(name, false, true);
        int steps = 16;
        for (int i = 0; i <= steps; i++) {
            double x = Math.exp(Math.log(from) + i * (Math.log(to) - Math.log(from)) / steps);
            double y = Math.exp(logA + k * Math.log(x));
            if (y > 0 && Double.isFinite(y)) s.add(x, y);
        }
        return s;
    }
}
