package dev.jaclab.viz;

import dev.jaclab.tensor.Tensor;
import java.awt.Color;
import java.awt.Font;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Block gallery and per-sample block statistics of per-sample Jacobians J (N, m, n) (any block shape is flattened). */
final class BlockCharts {
    private BlockCharts() {}

    static JFreeChart blocks(Tensor J, long... samples) {
        long N = J.size(0), m = J.rank() >= 3 ? J.size(1) : 1, n = J.numel() / Math.max(1, N * m);
        if (samples.length == 0) samples = new long[]{0};
        for (long s : samples)
            if (s < 0 || s >= N) throw new IllegalArgumentException("blocks: sample " + s + " is outside 0.." + (N - 1));
        double[] v = J.toDoubleArray();
        double absMax = 0;
        for (long s : samples) for (long q = 0; q < m * n; q++) absMax = Math.max(absMax, Math.abs(v[(int) (s * m * n + q)]));
        int cells = (int) (samples.length * m * n);
        double[][] xyz = new double[3][cells];
        int k = 0;
        for (int b = 0; b < samples.length; b++)
            for (long r = 0; r < m; r++)
                for (long c = 0; c < n; c++) {
                    xyz[0][k] = b * (n + 1) + c; xyz[1][k] = r; xyz[2][k] = v[(int) (samples[b] * m * n + r * n + c)]; k++;
                }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("J", xyz);
        PaintScale scale = Scales.diverging(absMax);
        XYPlot plot = PatternCharts.grid(data, scale, "input component b (blocks side by side)", "output component k",
                samples.length * (n + 1) - 1, m);
        for (int b = 0; b < samples.length; b++) {
            XYTextAnnotation a = new XYTextAnnotation("J[" + samples[b] + "]", b * (n + 1) + n / 2.0, -0.05 * m);
            a.setFont(new Font("SansSerif", Font.PLAIN, 11));
            a.setTextAnchor(TextAnchor.BOTTOM_CENTER);
            plot.addAnnotation(a);
        }
        plot.getRangeAxis().setRange(-0.15 * m, m);
        JFreeChart chart = new JFreeChart("Per-sample Jacobian blocks (" + m + "×" + n + "), shared scale ±" + String.format("%.3g", absMax),
                JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(Scales.legend(scale, "∂y/∂x"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    static JFreeChart stats(Tensor J) {
        long N = J.size(0), w = J.numel() / N;
        double[] v = J.toDoubleArray();
        XYSeries fro = new XYSeries("Frobenius norm ‖J[i]‖"), max = new XYSeries("max |J[i]| entry");
        for (long i = 0; i < N; i++) {
            double s = 0, mx = 0;
            for (long q = 0; q < w; q++) {
                double e = v[(int) (i * w + q)];
                s += e * e;
                mx = Math.max(mx, Math.abs(e));
            }
            fro.add(i, Math.sqrt(s));
            max.add(i, mx);
        }
        XYSeriesCollection data = new XYSeriesCollection(fro);
        data.addSeries(max);
        JFreeChart chart = ChartFactory.createXYLineChart("Per-sample block statistics (N = " + N + ")", "sample i", "norm (units of y per unit of x)",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, N <= 64);
        r.setSeriesPaint(0, Viz.PALETTE[4]);
        r.setSeriesPaint(1, Viz.PALETTE[0]);
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
