package dev.jaclab.viz;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Models;
import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.SparsityPattern;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every chart renders headless to PNG and SVG; the spy plot draws exactly the pattern's nonzeros. */
class VizTest {
    static SparsityPattern conv, sin;
    static Tensor J;
    static Report report;

    @BeforeAll static void setUp() {
        Tensor x = Tensor.randn(1, 12, 3).requiresGrad();
        conv = Jacobian.of(Models.conv(5).forward(x)[0], x).sparsity();
        Tensor x2 = Tensor.randn(2, 10, 3).requiresGrad();
        Tensor y2 = Models.mlp(1).forward(x2)[0];
        sin = Jacobian.of(y2, x2).sparsity();
        J = Jacobian.of(y2, x2).perSample(Strategies.forwardSum());
        report = Explorer.of(Models.globalMean()).sizes(8, 16).target(10_000).budget(Bytes.mib(64))
                .strategies(Strategies.reverseSum().unchecked(), Strategies.reverseSum(), Strategies.sparseRows(16)).run();
    }

    static void rendersNonBlank(JFreeChart chart) throws Exception {
        byte[] png = Viz.png(chart, 480, 360);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(480, img.getWidth());
        assertEquals(360, img.getHeight());
        int first = img.getRGB(0, 0);
        long differing = 0;
        for (int y = 0; y < 360; y += 2) for (int x = 0; x < 480; x += 2) if (img.getRGB(x, y) != first) differing++;
        assertTrue(differing > 500, "chart looks blank: " + chart.getTitle().getText());
        String svg = Viz.svg(chart, 480, 360);
        assertTrue(svg.contains("<svg") && svg.contains("</svg>") && svg.length() > 2000);
    }

    @Test void everyChartRenders() throws Exception {
        for (JFreeChart c : List.of(Viz.spy(conv), Viz.coupling(conv), Viz.spy(sin), Viz.blocks(J, 0, 3, 9), Viz.blockStats(J),
                Viz.timeMemory(report), Viz.scaling(report)))
            rendersNonBlank(c);
    }

    @Test void spyDrawsOneCellPerNonzero() {
        JFreeChart c = Viz.spy(conv);
        assertEquals(SparsityPattern.Kind.BANDED, conv.kind());
        assertTrue(conv.nonzeros() > 0);
        assertEquals(conv.nonzeros(), c.getXYPlot().getDataset().getItemCount(0));
        assertEquals(12 * 3 * 9 - 2 * 9, conv.nonzeros(), "banded conv over 12 samples: 3 dense 3×3 blocks per row except the ends");
    }

    @Test void blocksShareOneSymmetricScale() {
        JFreeChart c = Viz.blocks(J, 0, 9);
        var scale = ((org.jfree.chart.renderer.xy.XYBlockRenderer) c.getXYPlot().getRenderer()).getPaintScale();
        assertEquals(-scale.getLowerBound(), scale.getUpperBound(), 1e-12);
        assertEquals(2 * 3 * 3, c.getXYPlot().getDataset().getItemCount(0));
        assertThrows(IllegalArgumentException.class, () -> Viz.blocks(J, 10));
    }

    @Test void refusedAndWrongAreLabelled() {
        var cats = ((org.jfree.chart.plot.CombinedDomainCategoryPlot) Viz.timeMemory(report).getPlot()).getCategories();
        assertTrue(cats.stream().anyMatch(k -> k.toString().contains("[WRONG]")), cats.toString());
        assertTrue(cats.stream().anyMatch(k -> k.toString().contains("[refused]")), cats.toString());
    }

    @Test void tapeGraphNamesOpsAndMarksMixingEdges() throws Exception {
        Tensor x = Tensor.randn(3, 5, 3).requiresGrad();
        Tensor y = x.sin().sub(x.mean(new int[]{0}, true));
        String dot = Viz.dot(y, java.util.Map.of("x", x));
        assertTrue(dot.startsWith("digraph tape"), dot);
        assertTrue(dot.contains("label=\"x\\n(5,3)\""), dot);
        assertTrue(dot.contains("sin"), dot);
        assertTrue(dot.contains("style=dashed"), "the batch mean mixes samples: " + dot);
        org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/dot").canExecute(), "Graphviz dot not installed");
        BufferedImage img = Viz.graph(y, java.util.Map.of("x", x));
        assertTrue(img.getWidth() > 50 && img.getHeight() > 20);
    }
}
