package dev.jaclab.viz;

import java.awt.Color;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/** Small charts of measurements: estimates with error bars against an exact value, grouped timing bars. */
final class MeasureCharts {
    private MeasureCharts() {}

    static JFreeChart estimates(String title, String xLabel, String yLabel, double[] x, double[] value, double[] halfWidth, double exact) {
        if (x.length != value.length || x.length != halfWidth.length)
            throw new IllegalArgumentException("Viz.estimates: " + x.length + " x values, " + value.length + " estimates and "
                    + halfWidth.length + " error-bar half widths differ in count");
        XYIntervalSeries s = new XYIntervalSeries("estimate ± error bar");
        for (int i = 0; i < x.length; i++) s.add(x[i], x[i], x[i], value[i], value[i] - halfWidth[i], value[i] + halfWidth[i]);
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        data.addSeries(s);
        LogAxis xa = Axes.log(xLabel, 2, Axes.Unit.COUNT);
        double lo = Double.MAX_VALUE, hi = 0;
        for (double v : x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (hi > 0) xa.setRange(lo / 1.5, hi * 1.5);
        NumberAxis ya = new NumberAxis(yLabel);
        ya.setAutoRangeIncludesZero(false);
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDrawXError(false);
        r.setSeriesPaint(0, Styles.BLUE);
        r.setErrorPaint(Styles.BLUE);
        r.setSeriesLinesVisible(0, false);
        r.setSeriesShape(0, Styles.shape(0));
        XYPlot plot = new XYPlot(data, xa, ya, r);
        ValueMarker m = new ValueMarker(exact, Styles.VERMILLION, Styles.SOLID);
        m.setLabel("exact " + String.format(java.util.Locale.ROOT, "%.4g", exact));
        m.setLabelFont(ReportCharts.SMALL);
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(m);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    static JFreeChart timeBars(String title, Map<String, double[]> millis, String... categories) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, double[]> e : millis.entrySet()) {
            if (e.getValue().length != categories.length)
                throw new IllegalArgumentException("Viz.timeBars: series '" + e.getKey() + "' has " + e.getValue().length + " values for "
                        + categories.length + " categories");
            for (int i = 0; i < categories.length; i++) data.addValue(e.getValue()[i], e.getKey(), categories[i]);
        }
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        int i = 0;
        for (String s : millis.keySet()) { r.setSeriesPaint(i, Styles.color(s, i)); i++; }
        CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(""), Axes.linear("time", Axes.Unit.MILLIS), r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
