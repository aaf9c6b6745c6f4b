package dev.jaclab.viz;

import dev.jaclab.explore.CostModel;
import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Measurement;
import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.Strategy;
import java.awt.BasicStroke;
import java.awt.Color;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The cost model against the explorer's measurements: measured times as points, predictions as lines to the target. */
final class PredictionCharts {
    private PredictionCharts() {}

    static JFreeChart predictedVsMeasured(Report r) {
        XYSeriesCollection measured = new XYSeriesCollection(), predicted = new XYSeriesCollection();
        for (Strategy s : r.strategies()) {
            String label = Explorer.label(s);
            CostModel.Calibration cal = r.calibration().getOrDefault(label, CostModel.Calibration.NONE);
            XYSeries m = new XYSeries(label, true, true), p = new XYSeries(label + " predicted", true, true);
            for (Measurement x : r.of(label)) {
                if (x.ran() && x.cpuMillis() > 0) m.add(x.samples(), x.cpuMillis() / 1000);
                double t = cal.seconds(x.computeSeconds(), x.overheadSeconds());
                if (t > 0 && Double.isFinite(t)) p.add(x.samples(), t);
            }
            double far = r.extrapolations().get(label).secondsAtTarget();
            if (far > 0 && Double.isFinite(far)) p.add(r.target(), far);
            measured.addSeries(m);
            predicted.addSeries(p);
        }
        LogAxis n = new LogAxis("batch size N (log scale)"), t = new LogAxis("seconds on one thread (log scale)");
        n.setRange(r.sizes()[0] / 2.0, Math.max(r.target(), r.sizes()[r.sizes().length - 1]) * 2.0);
        t.setSmallestValue(1e-6);
        XYLineAndShapeRenderer points = new XYLineAndShapeRenderer(false, true), lines = new XYLineAndShapeRenderer(true, false);
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[]{6f, 4f}, 0f);
        for (int i = 0; i < measured.getSeriesCount(); i++) {
            Color c = Viz.PALETTE[i % Viz.PALETTE.length];
            points.setSeriesPaint(i, c);
            lines.setSeriesPaint(i, c);
            lines.setSeriesStroke(i, dashed);
            lines.setSeriesVisibleInLegend(i, false);
        }
        XYPlot plot = new XYPlot(measured, n, t, points);
        plot.setDataset(1, predicted);
        plot.setRenderer(1, lines);
        plot.addDomainMarker(new ValueMarker(r.target(), Color.GRAY, new BasicStroke(1f)));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("Predicted vs measured, to N = " + r.target() + " — " + r.model(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle("points: measured CPU time; dashed: the cost model (calibrated on the points), carried to the target"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
