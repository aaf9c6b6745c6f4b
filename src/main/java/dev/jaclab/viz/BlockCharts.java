package dev.jaclab.viz;

import dev.jaclab.explore.Units;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.awt.Color;
import java.awt.Font;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Block galleries, block comparisons and per-sample block statistics of per-sample Jacobians J (N, m, n) (any block
 * shape is flattened to m × n). Cells are centred on whole-number indices: the axes read "output k" and "input b".
 */
final class BlockCharts {
    private BlockCharts() {}

    private static final Font LABEL = new Font("SansSerif", Font.PLAIN, 11);

    static JFreeChart blocks(Tensor J, long... samples) {
        long[] mn = blockShape(J);
        long m = mn[0], n = mn[1];
        samples = checked("blocks", J.size(0), samples.length == 0 ? new long[]{0} : samples);
        double[] v = J.toDoubleArray();
        PaintScale scale = Scales.diverging(absMax(v, m * n, samples));
        XYPlot plot = grid(List.of(""), List.of(v), m, n, samples, scale);
        JFreeChart chart = new JFreeChart("Per-sample Jacobian blocks (" + m + "×" + n + "), one scale ±" + g3(scale.getUpperBound()),
                JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(Scales.legend(scale, "∂y/∂x"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * Two sets of blocks of the same shape on one symmetric scale (rows {@code aName} and {@code bName}), and their
     * difference a − b below on its own symmetric scale. Without samples, the three with the largest difference.
     */
    static JFreeChart compare(Tensor a, String aName, Tensor b, String bName, long... samples) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("compareBlocks: " + aName + " " + Shapes.str(a.shape()) + " and " + bName + " "
                    + Shapes.str(b.shape()) + " differ in shape");
        long[] mn = blockShape(a);
        long m = mn[0], n = mn[1], N = a.size(0), w = m * n;
        double[] va = a.toDoubleArray(), vb = b.toDoubleArray(), vd = new double[va.length];
        double[] worst = new double[(int) N];
        for (int i = 0; i < va.length; i++) {
            vd[i] = va[i] - vb[i];
            worst[(int) (i / w)] = Math.max(worst[(int) (i / w)], Math.abs(vd[i]));
        }
        double maxDiff = Arrays.stream(worst).max().orElse(0);
        boolean chosen = samples.length == 0;
        if (chosen)
            samples = IntStream.range(0, (int) N).boxed().sorted(Comparator.comparingDouble(i -> -worst[i])).limit(Math.min(3, N))
                    .mapToLong(Integer::longValue).sorted().toArray();
        samples = checked("compareBlocks", N, samples);
        PaintScale shared = Scales.diverging(Math.max(absMax(va, w, samples), absMax(vb, w, samples)));
        PaintScale diff = Scales.diverging(absMax(vd, w, samples));
        XYPlot top = grid(List.of(aName + " ", bName + " "), List.of(va, vb), m, n, samples, shared);
        XYPlot bottom = grid(List.of(aName + " − " + bName + " "), List.of(vd), m, n, samples, diff);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot((NumberAxis) top.getDomainAxis());
        plot.setGap(6);
        plot.add(top, 2);
        plot.add(bottom, 1);
        JFreeChart chart = new JFreeChart(aName + " vs " + bName + " (" + m + "×" + n + " blocks)", JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(new TextTitle(String.format("rows 1–2 on one scale ±%s; row 3: difference on its own scale ±%s; max |difference| over all %d samples: %s",
                g3(shared.getUpperBound()), g3(diff.getUpperBound()), N, Units.error(maxDiff)), LABEL));
        if (chosen) chart.addSubtitle(new TextTitle("shown: the " + samples.length + " samples that differ most", LABEL));
        PaintScaleLegend l1 = Scales.legend(shared, "J"), l2 = Scales.legend(diff, "difference");
        chart.addSubtitle(l2);
        chart.addSubtitle(l1);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static String g3(double v) { return String.format(java.util.Locale.ROOT, "%.3g", v); }

    private static long[] blockShape(Tensor J) {
        if (J.rank() < 2) throw new IllegalArgumentException("blocks: J " + Shapes.str(J.shape()) + " is not a batch of blocks (N, m, n)");
        long N = J.size(0), m = J.rank() >= 3 ? J.size(1) : 1;
        return new long[]{m, J.numel() / Math.max(1, N * m)};
    }

    private static long[] checked(String op, long N, long[] samples) {
        for (long s : samples)
            if (s < 0 || s >= N) throw new IllegalArgumentException(op + ": sample " + s + " is outside 0.." + (N - 1));
        return samples;
    }

    private static double absMax(double[] v, long w, long[] samples) {
        double a = 0;
        for (long s : samples) for (long q = 0; q < w; q++) a = Math.max(a, Math.abs(v[(int) (s * w + q)]));
        return a;
    }

    /**
     * Rows of blocks: row ρ shows {@code values.get(ρ)}'s blocks of the given samples side by side, a blank column
     * between samples and a blank row (holding the labels) above each row. Cell (k, b) of sample s in row ρ is centred
     * on x = s'·(n+1) + b, y = ρ·(m+1) + k, so whole-number ticks name the entry.
     */
    static XYPlot grid(List<String> rowNames, List<double[]> values, long m, long n, long[] samples, PaintScale scale) {
        int rows = values.size(), cells = (int) (rows * samples.length * m * n);
        double[][] xyz = new double[3][cells];
        int k = 0;
        for (int rho = 0; rho < rows; rho++)
            for (int s = 0; s < samples.length; s++)
                for (long r = 0; r < m; r++)
                    for (long c = 0; c < n; c++) {
                        xyz[0][k] = s * (n + 1) + c;
                        xyz[1][k] = rho * (m + 1) + r;
                        xyz[2][k] = values.get(rho)[(int) (samples[s] * m * n + r * n + c)];
                        k++;
                    }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("J", xyz);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        renderer.setBlockAnchor(RectangleAnchor.CENTER);
        long period = n + 1, rowPeriod = m + 1;
        NumberAxis x = Axes.index("input component b", (int) (samples.length * period), v -> within(v, period, n));
        NumberAxis y = Axes.index("output component k", (int) (rows * rowPeriod), v -> within(v, rowPeriod, m));
        x.setRange(-0.5, samples.length * period - 1.5);
        y.setRange(-1.5, rows * rowPeriod - 1.5);
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        for (int rho = 0; rho < rows; rho++)
            for (int s = 0; s < samples.length; s++) {
                XYTextAnnotation a = new XYTextAnnotation(rowNames.get(rho) + "J[" + samples[s] + "]", s * period + (n - 1) / 2.0, rho * rowPeriod - 0.6);
                a.setFont(LABEL);
                a.setTextAnchor(TextAnchor.BOTTOM_CENTER);
                plot.addAnnotation(a);
            }
        return plot;
    }

    /** The tick label of an index axis cut into periods: the index within its block, blank in the gaps. */
    private static String within(double v, long period, long size) {
        long i = Math.round(v);
        if (Math.abs(v - i) > 1e-9 || i < 0) return "";
        long r = i % period;
        return r == size ? "" : Long.toString(r);
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
        plot.setDomainAxis(Axes.index("sample i", (int) N, null));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, N <= 64);
        r.setSeriesPaint(0, Styles.BLUE);
        r.setSeriesPaint(1, Styles.ORANGE);
        r.setSeriesShape(0, Styles.shape(0));
        r.setSeriesShape(1, Styles.shape(1));
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
