package dev.jaclab.viz;

import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Fit;
import dev.jaclab.explore.Measurement;
import dev.jaclab.explore.Report;
import dev.jaclab.explore.Units;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Strategy;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Charts of an explorer {@link Report}. Each chart has one legend entry per series (subplots share it), strategy
 * colours and markers from {@link Styles}, and axes labelled with units ({@link Axes}).
 */
final class ReportCharts {
    private ReportCharts() {}

    static final Font SMALL = new Font("SansSerif", Font.PLAIN, 11);

    /** Category label: the strategy, marked when it was refused or wrong at some size. */
    static String label(Report r, Strategy s) {
        List<Measurement> ms = r.of(Explorer.label(s));
        boolean refused = ms.stream().anyMatch(Measurement::refused), wrong = ms.stream().anyMatch(Measurement::wrong);
        return Explorer.label(s) + (wrong ? " [WRONG]" : "") + (refused ? " [refused" + (ms.stream().allMatch(Measurement::refused) ? "]" : " at some N]") : "");
    }

    static JFreeChart timeMemory(Report r) {
        DefaultCategoryDataset time = new DefaultCategoryDataset(), mem = new DefaultCategoryDataset();
        for (Strategy s : r.strategies()) {
            String cat = label(r, s);
            for (Measurement m : r.of(Explorer.label(s))) {
                String series = "N = " + Units.count(m.samples());
                time.addValue(m.ran() ? m.millis() : 0, series, cat);
                mem.addValue(m.ran() ? Math.max(m.rssPeakBytes(), m.offHeapPeakBytes()) : 0, series, cat);
            }
        }
        CategoryAxis axis = new CategoryAxis("strategy");
        axis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        axis.setMaximumCategoryLabelWidthRatio(1.2f);
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(axis);
        plot.setGap(14);
        plot.add(bars(time, "time", Axes.Unit.MILLIS), 1);
        plot.add(bars(mem, "peak memory", Axes.Unit.BYTES), 1);
        LegendItemCollection legend = new LegendItemCollection();
        for (int i = 0; i < time.getRowCount(); i++) {
            LegendItem item = new LegendItem(time.getRowKey(i).toString(), Styles.shade(i, time.getRowCount()));
            item.setShape(new java.awt.geom.Rectangle2D.Double(-5, -5, 10, 10));
            legend.add(item);
        }
        plot.setFixedLegendItems(legend);
        JFreeChart chart = new JFreeChart("Time and memory per strategy: " + r.model() + " (" + r.dtype() + ")", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        TextTitle note = new TextTitle("median time of the runs; peak memory: the larger of resident-set and off-heap growth. Refused: no bar.", SMALL);
        chart.addSubtitle(note);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static CategoryPlot bars(DefaultCategoryDataset data, String label, Axes.Unit unit) {
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.05);
        for (int i = 0; i < data.getRowCount(); i++) r.setSeriesPaint(i, Styles.shade(i, data.getRowCount()));
        CategoryPlot p = new CategoryPlot(data, null, Axes.linear(label, unit), r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }

    static JFreeChart scaling(Report r) {
        long[] sizes = r.sizes();
        double lo = sizes[0] / 2.0, hi = Math.max(r.target(), sizes[sizes.length - 1]) * 2.0;
        XYSeriesCollection tMeasured = new XYSeriesCollection(), tFit = new XYSeriesCollection();
        XYSeriesCollection mPred = new XYSeriesCollection(), mFit = new XYSeriesCollection();
        LegendItemCollection legend = new LegendItemCollection();
        int k = 0;
        for (Strategy s : r.strategies()) {
            String name = Explorer.label(s);
            Report.Extrapolation e = r.extrapolations().get(name);
            XYSeries tm = new XYSeries(name, true, true), mp = new XYSeries(name, true, true);
            for (Measurement m : r.of(name)) {
                if (m.ran() && m.millis() > 0) tm.add(m.samples(), m.millis() / 1000);
                if (m.predictedBytes() > 0) mp.add(m.samples(), m.predictedBytes());
            }
            tMeasured.addSeries(tm);
            mPred.addSeries(mp);
            tFit.addSeries(line(name, e.time(), sizes[0], r.target()));
            mFit.addSeries(line(name, e.predictedMemory(), sizes[0], r.target()));
            LegendItem item = new LegendItem(name + " (time " + exp(e.time()) + ", memory " + exp(e.predictedMemory()) + ")",
                    Styles.color(name, k));
            item.setShape(Styles.shape(k));
            item.setLineVisible(true);
            item.setLine(new java.awt.geom.Line2D.Double(-9, 0, 9, 0));
            item.setLineStroke(Styles.DASHED);
            item.setLinePaint(Styles.color(name, k));
            legend.add(item);
            k++;
        }
        LogAxis n = Axes.log("batch size N", 10, Axes.Unit.COUNT);
        n.setRange(lo, hi);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(n);
        plot.setGap(14);
        XYPlot tp = logPlot(tMeasured, tFit, Axes.log("time", 10, Axes.Unit.SECONDS));
        tp.addDomainMarker(target(r.target()));
        XYPlot mp = logPlot(mPred, mFit, Axes.log("predicted peak memory", 2, Axes.Unit.BYTES));
        ValueMarker budget = new ValueMarker(r.budget(), Styles.VERMILLION, new BasicStroke(2f));
        budget.setLabel("budget " + Bytes.format(r.budget()));
        budget.setLabelFont(SMALL);
        budget.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        budget.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        mp.addRangeMarker(budget);
        mp.addDomainMarker(target(r.target()));
        plot.add(tp, 1);
        plot.add(mp, 1);
        plot.setFixedLegendItems(legend);
        JFreeChart chart = new JFreeChart("Scaling to N = " + Units.count(r.target()) + ": " + r.model(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("markers: measured time, cost-model memory; dashed: fitted power law (exponent in the legend)", SMALL));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static String exp(Fit f) { return f.points() == 0 ? "no fit" : "N^" + Units.exponent(f.exponent()); }

    private static ValueMarker target(long n) {
        ValueMarker m = new ValueMarker(n, Color.GRAY, new BasicStroke(1f));
        m.setLabel("target");
        m.setLabelFont(SMALL);
        m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        return m;
    }

    private static XYSeries line(String name, Fit f, double from, double to) {
        XYSeries s = new XYSeries(name, true, true);
        if (f.points() == 0) return s;
        for (double x : new double[]{from, to}) {
            double y = f.at(x);
            if (y > 0 && Double.isFinite(y)) s.add(x, y);
        }
        return s;
    }

    private static XYPlot logPlot(XYSeriesCollection points, XYSeriesCollection fits, LogAxis y) {
        XYLineAndShapeRenderer pr = new XYLineAndShapeRenderer(false, true), fr = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < points.getSeriesCount(); i++) {
            Color c = Styles.color(points.getSeriesKey(i).toString(), i);
            pr.setSeriesPaint(i, c);
            pr.setSeriesShape(i, Styles.shape(i));
            fr.setSeriesPaint(i, c);
            fr.setSeriesStroke(i, Styles.DASHED);
        }
        XYPlot p = new XYPlot(points, null, y, pr);
        p.setDataset(1, fits);
        p.setRenderer(1, fr);
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }
}
