package dev.jaclab.viz;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Models;
import dev.jaclab.explore.Report;
import dev.jaclab.explore.Units;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.tensor.Sites;
import dev.jaclab.tensor.Tensor;
import java.awt.Paint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Charts read at a glance: one legend entry per series, whole-number ticks on index axes, log axes ticked at whole
 * powers with unit labels, a distinct colour per strategy, a truly shared scale for compared blocks. Each chart is
 * rendered to PNG first (ticks are chosen while drawing) and saved under target/viz-charts/ for a look.
 */
class ChartReadabilityTest {
    static Report report;
    static Tensor J;

    @BeforeAll static void setUp() {
        Tensor x = Tensor.randn(2, 10, 3).requiresGrad();
        J = Jacobian.of(Models.mlp(1).forward(x)[0], x).perSample(Strategies.forwardSum());
        report = Explorer.of(Models.globalMean()).sizes(8, 16, 32).target(1_000_000).budget(Bytes.mib(64)).repeats(1)
                .strategies(Strategies.reverseSum().unchecked(), Strategies.chunked(16), Strategies.sparseRows(16), Strategies.fullBatched()).run();
    }

    static void draw(JFreeChart c, String name) throws Exception {
        byte[] png = Viz.png(c, 640, 480);
        Path dir = Path.of("target", "viz-charts");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), png);
    }

    static List<String> labels(LegendItemCollection items) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.getItemCount(); i++) out.add(items.get(i).getLabel());
        return out;
    }

    static void wholePowers(ValueAxis a) {
        LogAxis log = assertInstanceOf(LogAxis.class, a);
        double step = log.getTickUnit().getSize();
        assertTrue(step >= 1 && step == Math.rint(step), a.getLabel() + ": ticks every " + step + " powers, not whole powers");
    }

    @Test void timeMemoryHasOneLegendEntryPerSizeAndUnitAxes() throws Exception {
        JFreeChart c = Viz.timeMemory(report);
        draw(c, "timeMemory");
        List<String> legend = labels(c.getPlot().getLegendItems());
        assertEquals(List.of("N = 8", "N = 16", "N = 32"), legend, "one entry per N, not one per subplot");
        CombinedDomainCategoryPlot p = (CombinedDomainCategoryPlot) c.getPlot();
        List<org.jfree.chart.plot.CategoryPlot> subs = p.getSubplots();
        var time = subs.get(0).getRangeAxis();
        var mem = subs.get(1).getRangeAxis();
        assertEquals("2.00 s", ((NumberAxis) time).getNumberFormatOverride().format(2000.0));
        assertEquals("1.0 MiB", ((NumberAxis) mem).getNumberFormatOverride().format(1048576.0));
        for (int i = 0; i < 3; i++)
            assertEquals(c.getPlot().getLegendItems().get(i).getFillPaint(), subs.get(0).getRenderer().getSeriesPaint(i),
                    "legend colour matches the bars");
    }

    @Test void scalingHasOneEntryPerStrategyDistinctColoursAndWholePowerTicks() throws Exception {
        JFreeChart c = Viz.scaling(report);
        draw(c, "scaling");
        LegendItemCollection items = c.getPlot().getLegendItems();
        assertEquals(4, items.getItemCount(), labels(items).toString());
        assertTrue(labels(items).get(0).startsWith("reverseSum (unchecked) (time N^"), labels(items).toString());
        Set<Paint> colours = new HashSet<>();
        for (int i = 0; i < items.getItemCount(); i++) colours.add(items.get(i).getFillPaint());
        assertEquals(4, colours.size(), "one hue per strategy");
        CombinedDomainXYPlot p = (CombinedDomainXYPlot) c.getPlot();
        wholePowers(p.getDomainAxis());
        for (XYPlot sub : p.getSubplots()) {
            wholePowers(sub.getRangeAxis());
            for (int i = 0; i < items.getItemCount(); i++) {
                assertEquals(items.get(i).getFillPaint(), sub.getRenderer().getSeriesPaint(i), "marker colour matches the legend");
                assertEquals(items.get(i).getShape().getBounds(), sub.getRenderer().getSeriesShape(i).getBounds(), "marker shape matches the legend");
            }
        }
        assertEquals("1.0 KiB", ((LogAxis) p.getSubplots().get(1).getRangeAxis()).getNumberFormatOverride().format(1024.0));
        assertEquals("1k", ((LogAxis) p.getDomainAxis()).getNumberFormatOverride().format(1000.0));
    }

    @Test void strategyColoursAreFixedByFamily() {
        assertEquals(Styles.color("sparseRows(64)", 0), Styles.color("sparseRows(16)", 5));
        assertNotEquals(Styles.color("sparseRows(64)", 0), Styles.color("chunked(64)", 0));
        assertEquals(Styles.color("reverseSum", 3), Styles.color("reverseSum (unchecked)", 0));
    }

    @Test void blockAxesTickWholeIndices() throws Exception {
        JFreeChart c = Viz.blocks(J, 0, 3, 9);
        draw(c, "blocks");
        NumberAxis x = (NumberAxis) c.getXYPlot().getDomainAxis(), y = (NumberAxis) c.getXYPlot().getRangeAxis();
        assertEquals(1, x.getTickUnit().getSize());
        assertEquals(1, y.getTickUnit().getSize());
        assertEquals("2", x.getNumberFormatOverride().format(2.0));
        assertEquals("", x.getNumberFormatOverride().format(3.0), "the gap between blocks has no index");
        assertEquals("0", x.getNumberFormatOverride().format(4.0), "the next block starts at 0");
        assertEquals("", y.getNumberFormatOverride().format(-1.0));
    }

    @Test void comparedBlocksShareOneScaleAndShowTheDifference() throws Exception {
        Tensor K = J.mul(1.05).add(0.01);
        JFreeChart c = Viz.compareBlocks(K, "approx", J, "exact");
        draw(c, "compareBlocks");
        CombinedDomainXYPlot p = (CombinedDomainXYPlot) c.getPlot();
        var shared = ((XYBlockRenderer) p.getSubplots().get(0).getRenderer()).getPaintScale();
        var diff = ((XYBlockRenderer) p.getSubplots().get(1).getRenderer()).getPaintScale();
        assertEquals(-shared.getLowerBound(), shared.getUpperBound(), 0);
        assertEquals(-diff.getLowerBound(), diff.getUpperBound(), 0);
        double want = Math.max(K.abs().max().item(), J.abs().max().item());
        assertTrue(shared.getUpperBound() <= want + 1e-12 && shared.getUpperBound() > 0);
        assertEquals(2 * 3 * 9, p.getSubplots().get(0).getDataset().getItemCount(0), "two rows of three 3×3 blocks");
        assertEquals(3 * 9, p.getSubplots().get(1).getDataset().getItemCount(0));
        assertEquals(K.sub(J).abs().max().item(), diff.getUpperBound(), 1e-12, "the three samples that differ most include the worst");
        assertThrows(IllegalArgumentException.class, () -> Viz.compareBlocks(K.narrow(0, 0, 4), "a", J, "b"));
    }

    @Test void logLogFitsTheSlopeAndLabelsPowersOfTwo() throws Exception {
        double[] n = {16, 32, 64, 128, 256, 512}, e = new double[n.length];
        for (int i = 0; i < n.length; i++) e[i] = 3 * Math.pow(n[i], -0.5);
        LogLog chart = Viz.logLog("error", "N", "relative error").xPowersOfTwo().fit("detached", n, e).reference("1/N", -1);
        assertEquals(-0.5, chart.slope("detached"), 1e-12);
        JFreeChart c = chart.chart();
        draw(c, "logLog");
        assertEquals(List.of("detached (slope -0.50)", "1/N (reference slope -1.00)"), labels(c.getPlot().getLegendItems()));
        LogAxis x = (LogAxis) c.getXYPlot().getDomainAxis();
        wholePowers(x);
        assertEquals("64", x.getNumberFormatOverride().format(64.0));
        assertEquals(2, x.getBase());
        wholePowers(c.getXYPlot().getRangeAxis());
    }

    @Test void timeBarsAndEstimatesRender() throws Exception {
        draw(Viz.timeBars("tall vs wide", new java.util.LinkedHashMap<>(Map.of("forward", new double[]{3, 40}, "reverse", new double[]{50, 4})), "tall", "wide"), "timeBars");
        JFreeChart e = Viz.estimates("one entry", "probes P", "J[0][0,0]", new double[]{4, 16, 64}, new double[]{0.9, 1.05, 1.01}, new double[]{0.2, 0.1, 0.05}, 1.0);
        draw(e, "estimates");
        wholePowers(e.getXYPlot().getDomainAxis());
        assertEquals(1, e.getXYPlot().getLegendItems().getItemCount());
    }

    @Test void unitsReadAsAPersonWould() {
        assertEquals("823 ms", Units.millis(823));
        assertEquals("1.50 s", Units.seconds(1.5));
        assertEquals("12.3 ms", Units.seconds(0.0123));
        assertEquals("2.00 h", Units.seconds(7200));
        assertEquals("1.1e-15", Units.error(1.1102230246251565e-15));
        assertEquals("0", Units.error(0));
        assertEquals("2.00", Units.exponent(1.9999999999999905));
        assertEquals("3.00 GiB", Units.bytes(3L << 30));
        assertEquals("1,000,000", Units.count(1_000_000));
        var t = Units.readable(report.table());
        assertEquals("ok", t.stringColumn("status").get(1));
        assertTrue(t.stringColumn("medianMs").get(0).matches("[0-9.]+ (µs|ms|s)"), t.stringColumn("medianMs").get(0));
        assertTrue(t.stringColumn("predictedPeakBytes").get(0).matches("[0-9.]+ (B|KiB|MiB|GiB)"), t.stringColumn("predictedPeakBytes").get(0));
        assertTrue(t.stringColumn("maxError").get(1).matches("0|[0-9.]+e[-+][0-9]+|\\?|NaN"), t.stringColumn("maxError").get(1));
    }

    @Test void tapeGraphIsSizeLimitedHasALegendAndNamesSites() {
        Sites.record(true);
        try {
            Tensor x = Tensor.randn(3, 5, 3).requiresGrad();
            Tensor y = x.sin().sub(x.mean(0));
            String dot = Viz.dot(y, Map.of("x", x));
            assertTrue(dot.contains("size=\"9.0,7.0\""), dot);
            assertTrue(dot.contains("cluster_legend") && dot.contains("mixes samples"), dot);
            assertTrue(dot.contains("ChartReadabilityTest.java:"), "the mixing op names its line: " + dot);
            assertTrue(dot.contains("rankdir=LR"), dot);
            Tensor deep = x;
            for (int i = 0; i < 12; i++) deep = deep.sin();
            assertTrue(Viz.dot(deep, Map.of()).contains("rankdir=TB"), "a long chain is laid out top to bottom");
            assertFalse(Viz.dot(deep, Map.of()).contains("cluster_legend"), "no mixing, no legend");
        } finally {
            Sites.record(false);
        }
    }
}
