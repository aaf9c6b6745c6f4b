package dev.jaclab.viz;

import dev.jaclab.jacobian.SparsityPattern;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.BitSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYZDataset;

/** Spy plot and coupling heatmap of a {@link SparsityPattern}. */
final class PatternCharts {
    private PatternCharts() {}

    /** Most cells per axis before the coupling matrix is binned into densities. */
    static final int MAX_CELLS = 256;

    static JFreeChart spy(SparsityPattern p) {
        BitSet[] rows = p.elementRows();
        if (rows == null) {
            JFreeChart c = coupling(p);
            c.setTitle("Sparsity (sample-coupling density; element pattern not probed at N = " + p.samples() + ")");
            return c;
        }
        int nnz = (int) p.nonzeros();
        double[][] xyz = new double[3][nnz];
        int k = 0;
        for (int r = 0; r < rows.length; r++)
            for (int c = rows[r].nextSetBit(0); c >= 0; c = rows[r].nextSetBit(c + 1)) {
                xyz[0][k] = c; xyz[1][k] = r; xyz[2][k] = 1; k++;
            }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("nonzero", xyz);
        long N = p.samples(), n = p.inputWidth(), m = p.outputWidth();
        XYPlot plot = grid(data, new Scales.Ramp(0, 1, Color.BLACK, Color.BLACK), "input element j·n + b (column)", "output element i·m + k (row)",
                N * n, N * m);
        if (N <= 128) {
            BasicStroke thin = new BasicStroke(0.6f);
            for (long i = 1; i < N; i++) {
                plot.addDomainMarker(marker(i * n - 0.5, thin));
                plot.addRangeMarker(marker(i * m - 0.5, thin));
            }
        }
        JFreeChart chart = new JFreeChart("Jacobian sparsity: " + nnz + " nonzeros of " + (N * m) + "×" + (N * n), JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(new TextTitle(p.kind() + " — grid lines separate samples (blocks of " + m + "×" + n + ")"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    static JFreeChart coupling(SparsityPattern p) {
        BitSet[] dep = p.couplingRows();
        int N = (int) p.samples();
        if (dep == null) {
            XYPlot plot = grid(new DefaultXYZDataset(), Scales.sequential(1), "input sample j", "output sample i", N, N);
            JFreeChart c = new JFreeChart("Sample coupling not probed at N = " + N, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
            c.addSubtitle(new TextTitle(p.explain()));
            c.setBackgroundPaint(Color.WHITE);
            return c;
        }
        int bins = Math.min(N, MAX_CELLS);
        double per = (double) N / bins;
        double[] count = new double[bins * bins];
        for (int i = 0; i < N; i++)
            for (int j = dep[i].nextSetBit(0); j >= 0; j = dep[i].nextSetBit(j + 1))
                count[(int) (i / per) * bins + (int) (j / per)]++;
        double[][] xyz = new double[3][bins * bins];
        for (int a = 0; a < bins; a++)
            for (int b = 0; b < bins; b++) {
                int q = a * bins + b;
                double cellPairs = Math.ceil(per) * Math.ceil(per);
                xyz[0][q] = b * per; xyz[1][q] = a * per; xyz[2][q] = Math.min(1, count[q] / cellPairs);
            }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("coupling", xyz);
        PaintScale scale = Scales.sequential(1);
        XYPlot plot = grid(data, scale, "input sample j", "output sample i", N, N);
        ((XYBlockRenderer) plot.getRenderer()).setBlockWidth(per);
        ((XYBlockRenderer) plot.getRenderer()).setBlockHeight(per);
        JFreeChart chart = new JFreeChart("Sample coupling (" + N + "×" + N + (bins < N ? ", binned " + bins + "×" + bins : "") + ")",
                JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(Scales.legend(scale, bins < N ? "fraction of coupled pairs" : "coupled (1) or not (0)"));
        chart.addSubtitle(new TextTitle(p.kind() + (p.kind() == SparsityPattern.Kind.BANDED ? " (bandwidth " + p.bandwidth() + ")" : "")));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** A block-renderer plot with row 0 at the top. */
    static XYPlot grid(DefaultXYZDataset data, PaintScale scale, String xLabel, String yLabel, double width, double height) {
        XYBlockRenderer r = new XYBlockRenderer();
        r.setPaintScale(scale);
        r.setBlockAnchor(org.jfree.chart.ui.RectangleAnchor.BOTTOM_LEFT);
        NumberAxis x = new NumberAxis(xLabel), y = new NumberAxis(yLabel);
        x.setRange(0, Math.max(1, width));
        y.setRange(0, Math.max(1, height));
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        return plot;
    }

    private static ValueMarker marker(double v, BasicStroke s) {
        ValueMarker mk = new ValueMarker(v, new Color(0x999999), s);
        return mk;
    }
}
