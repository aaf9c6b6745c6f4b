package dev.jaclab.viz;

import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.SparsityPattern;
import dev.jaclab.tensor.Tensor;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/**
 * Charts of per-sample Jacobians and explorer reports (JFreeChart, headless). Each method returns a chart;
 * {@link #png} and {@link #svg} render one. Colours come from the Okabe–Ito palette (safe for colour-blind readers);
 * signed values use a blue–white–red diverging scale centred on zero.
 *
 * <pre>{@code
 * SparsityPattern p = Jacobian.of(y, x).sparsity();
 * byte[] png = Viz.png(Viz.spy(p), 600, 600);
 * String svg = Viz.svg(Viz.blocks(J, 0, 5, 7), 900, 300);
 * Viz.scaling(report); Viz.timeMemory(report);
 * Viz.graph(y, Map.of("x", x));     // the tape, laid out by Graphviz dot
 * Viz.lossCurve("PINN", Map.of("Adam", adamLosses));   // log loss against step
 * Viz.field(u.reshape(64, 64), 0, 1, 0, 1, "u(x, y)");  // heatmap of a field on a grid
 * }</pre>
 */
public final class Viz {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private Viz() {}

    /**
     * Okabe–Ito colours: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, black. Charts of
     * strategies take each strategy's fixed colour from this palette by its family name (reverseSum orange,
     * forwardSum sky blue, colored green, sparseRows blue, chunked purple, fullBatched vermillion, meetInMiddle black).
     */
    public static final Color[] PALETTE = {new Color(0xE69F00), new Color(0x56B4E9), new Color(0x009E73), new Color(0xF0E442),
            new Color(0x0072B2), new Color(0xD55E00), new Color(0xCC79A7), new Color(0x000000)};

    /** Element pattern of the (N·m)×(N·n) Jacobian with sample-block grid lines, or sample-coupling density at large N. */
    public static JFreeChart spy(SparsityPattern p) { return PatternCharts.spy(p); }

    /** N×N sample coupling heatmap (fraction of coupled pairs per cell when binned). */
    public static JFreeChart coupling(SparsityPattern p) { return PatternCharts.coupling(p); }

    /** Heatmaps of the blocks J[i] (m×n) for the given samples, side by side on one shared diverging scale. */
    public static JFreeChart blocks(Tensor J, long... samples) { return BlockCharts.blocks(J, samples); }

    /**
     * Two sets of blocks compared: {@code a} and {@code b} on one symmetric scale, and a − b below on its own
     * symmetric scale, with the largest difference over all samples in the subtitle. Without samples, the three that
     * differ most. {@code Viz.compareBlocks(Jdetached, "detached", Jexact, "exact")}.
     */
    public static JFreeChart compareBlocks(Tensor a, String aName, Tensor b, String bName, long... samples) {
        return BlockCharts.compare(a, aName, b, bName, samples);
    }

    /**
     * A log-log chart to fill in: measured series, fitted power laws (slope in the legend), reference slopes,
     * horizontal lines; axes ticked at whole powers with units. See {@link LogLog}.
     */
    public static LogLog logLog(String title, String xLabel, String yLabel) { return new LogLog(title, xLabel, yLabel); }

    /**
     * Estimates with error bars (value ± halfWidth) against a count such as probes P on a powers-of-two axis, and the
     * exact value as a line.
     */
    public static JFreeChart estimates(String title, String xLabel, String yLabel, double[] x, double[] value, double[] halfWidth, double exact) {
        return MeasureCharts.estimates(title, xLabel, yLabel, x, value, halfWidth, exact);
    }

    /**
     * Grouped bars of times in milliseconds (axis in ms/s): one series per entry of {@code millis}, one value per
     * category. {@code Viz.timeBars("Tall vs wide", Map.of("forward", new double[]{3, 40}), "tall", "wide")}.
     */
    public static JFreeChart timeBars(String title, java.util.Map<String, double[]> millis, String... categories) {
        return MeasureCharts.timeBars(title, millis, categories);
    }

    /** Per-sample block norms (Frobenius and max |entry|) against the sample index. */
    public static JFreeChart blockStats(Tensor J) { return BlockCharts.stats(J); }

    /**
     * Median time and peak memory per strategy, bars grouped by N (light to dark), one legend entry per N; refused
     * and wrong runs are labelled.
     */
    public static JFreeChart timeMemory(Report r) { return ReportCharts.timeMemory(r); }

    /**
     * Log-log time and predicted memory against N with the fitted power laws extended to the target and the budget
     * line; one legend entry per strategy (its colour and marker, fitted exponents).
     */
    public static JFreeChart scaling(Report r) { return ReportCharts.scaling(r); }

    /** Measured times as points and the cost model's predictions as dashed lines carried to the target N. */
    public static JFreeChart predictedVsMeasured(Report r) { return PredictionCharts.predictedVsMeasured(r); }

    /**
     * Loss curves of consecutive training phases (e.g. "Adam" then "L-BFGS") on one step axis with a log loss axis; a
     * grey line marks where each phase starts. Pass the live lists and re-display to update during training.
     */
    public static JFreeChart lossCurve(String title, java.util.Map<String, ? extends java.util.List<? extends Number>> phases) {
        return TrainingCharts.lossCurve(title, phases);
    }

    /**
     * Heatmap of a scalar field sampled on a grid: {@code values} (ny, nx), row i at y = y0 + i·(y1 − y0)/ny; signed
     * values on a diverging scale centred on zero, one-signed values on a sequential scale.
     */
    public static JFreeChart field(Tensor values, double x0, double x1, double y0, double y1, String title) {
        return TrainingCharts.field(values, x0, x1, y0, y1, title);
    }

    /** The recorded tape of {@code y} as Graphviz DOT source; {@code names} labels tensors (e.g. {@code Map.of("x", x)}). */
    public static String dot(Tensor y, java.util.Map<String, Tensor> names) { return TapeGraph.dot(y, names); }

    /** The recorded tape of {@code y} laid out by Graphviz {@code dot}; sample-mixing edges are dashed red. */
    public static java.awt.image.BufferedImage graph(Tensor y, java.util.Map<String, Tensor> names) { return TapeGraph.render(TapeGraph.dot(y, names)); }

    /** {@link #graph(Tensor, java.util.Map)} without names. */
    public static java.awt.image.BufferedImage graph(Tensor y) { return graph(y, java.util.Map.of()); }

    public static byte[] png(JFreeChart chart, int width, int height) {
        try {
            return ChartUtils.encodeAsPNG(chart.createBufferedImage(width, height));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String svg(JFreeChart chart, int width, int height) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        return g.getSVGDocument();
    }
}
