package dev.jaclab.viz;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Charts of a training run: loss curves of consecutive phases, and scalar fields on a grid. */
final class TrainingCharts {
    private TrainingCharts() {}

    static JFreeChart lossCurve(String title, Map<String, ? extends List<? extends Number>> phases) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYPlot plot = new XYPlot();
        long step = 0;
        double lo = Double.MAX_VALUE, hi = 0;
        int k = 0;
        for (Map.Entry<String, ? extends List<? extends Number>> e : phases.entrySet()) {
            XYSeries s = new XYSeries(e.getKey() + " (" + e.getValue().size() + ")", false, true);
            if (k > 0 && step > 0) plot.addDomainMarker(new ValueMarker(step, new Color(0x999999), new BasicStroke(0.8f)));
            for (Number v : List.copyOf(e.getValue())) {
                step++;
                double y = v.doubleValue();
                if (!(y > 0) || Double.isInfinite(y)) continue;            // a log axis shows positive values only
                s.add(step, y);
                lo = Math.min(lo, y);
                hi = Math.max(hi, y);
            }
            data.addSeries(s);
            k++;
        }
        NumberAxis x = new NumberAxis("step (L-BFGS: iteration)");
        LogAxis y = new LogAxis("loss");
        y.setBase(10);
        y.setStandardTickUnits(NumberAxis.createStandardTickUnits());
        y.setNumberFormatOverride(new java.text.DecimalFormat("0.0E0"));
        if (hi > 0) y.setRange(lo / 1.5, hi * 1.5);
        x.setAutoRangeIncludesZero(true);
        plot.setDataset(data);
        plot.setDomainAxis(x);
        plot.setRangeAxis(y);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, Viz.PALETTE[(i + 4) % Viz.PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(1.6f));
        }
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    static JFreeChart field(Tensor values, double x0, double x1, double y0, double y1, String title) {
        if (values.rank() != 2)
            throw new IllegalArgumentException("Viz.field: values " + Shapes.str(values.shape()) + " are not a grid (ny, nx)");
        int ny = (int) values.size(0), nx = (int) values.size(1);
        double[] v = values.toDoubleArray();
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (double d : v) { min = Math.min(min, d); max = Math.max(max, d); }
        double dx = (x1 - x0) / nx, dy = (y1 - y0) / ny;
        double[][] xyz = new double[3][v.length];
        for (int i = 0; i < ny; i++)
            for (int j = 0; j < nx; j++) {
                int q = i * nx + j;
                xyz[0][q] = x0 + j * dx;
                xyz[1][q] = y0 + i * dy;
                xyz[2][q] = v[q];
            }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(title, xyz);
        PaintScale scale = min < 0 && max > 0 ? Scales.diverging(Math.max(-min, max))
                : min >= 0 ? new Scales.Ramp(0, max > 0 ? max : 1, Scales.MID, Scales.LOW) : new Scales.Ramp(min, 0, Scales.HIGH, Scales.MID);
        XYBlockRenderer r = new XYBlockRenderer();
        r.setPaintScale(scale);
        r.setBlockWidth(dx);
        r.setBlockHeight(dy);
        r.setBlockAnchor(org.jfree.chart.ui.RectangleAnchor.BOTTOM_LEFT);
        NumberAxis xa = new NumberAxis("x"), ya = new NumberAxis("y");
        xa.setRange(x0, x1);
        ya.setRange(y0, y1);
        XYPlot plot = new XYPlot(data, xa, ya, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(Scales.legend(scale, ""));
        chart.addSubtitle(new TextTitle(String.format("min %.3g, max %.3g on a %d×%d grid", min, max, nx, ny)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
