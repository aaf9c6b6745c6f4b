package dev.jaclab.viz;

import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Fit;
import dev.jaclab.explore.Measurement;
import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Strategy;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Charts of an explorer {@link Report}. */
final class ReportCharts {
    private ReportCharts() {}

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
                String series = "N = " + m.samples();
                time.addValue(m.ran() ? m.millis() : 0, series, cat);
                mem.addValue(m.ran() ? Math.max(m.rssPeakBytes(), m.offHeapPeakBytes()) / 1048576.0 : 0, series, cat);
            }
        }
        CategoryAxis axis = new CategoryAxis("strategy");
        axis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(axis);
        plot.add(bars(time, "median time (ms)"), 1);
        plot.add(bars(mem, "peak extra memory (MiB)"), 1);
        JFreeChart chart = new JFreeChart("Time and memory per strategy — " + r.model() + " (" + r.dtype() + ")", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("memory: max of resident-set growth and JavaCPP off-heap growth during the run; refused runs have no bar"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static CategoryPlot bars(DefaultCategoryDataset data, String label) {
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        for (int i = 0; i < data.getRowCount(); i++) r.setSeriesPaint(i, Viz.PALETTE[i % Viz.PALETTE.length]);
        CategoryPlot p = new CategoryPlot(data, null, new NumberAxis(label), r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }

    static JFreeChart scaling(Report r) {
        long[] sizes = r.sizes();
        double lo = sizes[0] / 2.0, hi = Math.max(r.target(), sizes[sizes.length - 1]) * 2.0;
        XYSeriesCollection tMeasured = new XYSeriesCollection(), tFit = new XYSeriesCollection();
        XYSeriesCollection mPred = new XYSeriesCollection(), mFit = new XYSeriesCollection();
        for (Strategy s : r.strategies()) {
            Report.Extrapolation e = r.extrapolations().get(Explorer.label(s));
            XYSeries tm = new XYSeries(Explorer.label(s), true, true), mp = new XYSeries(Explorer.label(s) + " ", true, true);
            for (Measurement m : r.of(Explorer.label(s))) {
                if (m.ran() && m.millis() > 0) tm.add(m.samples(), m.millis() / 1000);
                if (m.predictedBytes() > 0) mp.add(m.samples(), m.predictedBytes());
            }
            tMeasured.addSeries(tm);
            mPred.addSeries(mp);
            tFit.addSeries(line(Explorer.label(s) + " fit", e.time(), sizes[0], r.target()));
            mFit.addSeries(line(Explorer.label(s) + " fit ", e.predictedMemory(), sizes[0], r.target()));
        }
        LogAxis n = new LogAxis("batch size N (samples, log scale)");
        n.setRange(lo, hi);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(n);
        XYPlot tp = logPlot(tMeasured, tFit, "median time (s, log)", true);
        tp.addDomainMarker(new ValueMarker(r.target(), Color.GRAY, new BasicStroke(1f)));
        XYPlot mp = logPlot(mPred, mFit, "predicted peak memory (bytes, log)", false);
        ValueMarker budget = new ValueMarker(r.budget(), Viz.PALETTE[5], new BasicStroke(2f));
        budget.setLabel("budget " + Bytes.format(r.budget()));
        mp.addRangeMarker(budget);
        mp.addDomainMarker(new ValueMarker(r.target(), Color.GRAY, new BasicStroke(1f)));
        plot.add(tp, 1);
        plot.add(mp, 1);
        JFreeChart chart = new JFreeChart("Scaling and extrapolation to N = " + r.target() + " — " + r.model(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("points: measured (time) or cost model (memory); dashed: least-squares power law in log-log"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
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

    private static XYPlot logPlot(XYSeriesCollection points, XYSeriesCollection fits, String label, boolean legend) {
        LogAxis y = new LogAxis(label);
        y.setSmallestValue(1e-9);
        XYLineAndShapeRenderer pr = new XYLineAndShapeRenderer(false, true), fr = new XYLineAndShapeRenderer(true, false);
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[]{6f, 4f}, 0f);
        for (int i = 0; i < points.getSeriesCount(); i++) {
            Color c = Viz.PALETTE[i % Viz.PALETTE.length];
            pr.setSeriesPaint(i, c);
            fr.setSeriesPaint(i, c);
            fr.setSeriesStroke(i, dashed);
            fr.setSeriesVisibleInLegend(i, false);
            pr.setSeriesVisibleInLegend(i, legend);
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
