package dev.jaclab.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;

import javax.imageio.ImageIO;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;

import dev.jaclab.tensor.Tensor;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

class RenderersTest {
    final Renderers renderers = new Renderers();

    static String html(DisplayData d) { return (String) d.getData(MIMEType.TEXT_HTML); }

    static String text(DisplayData d) { return (String) d.getData(MIMEType.TEXT_PLAIN); }

    static BufferedImage png(DisplayData d) throws Exception {
        String b64 = (String) d.getData(MIMEType.IMAGE_PNG);
        assertNotNull(b64, "no image/png");
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(b64)));
    }

    @Test void smallTensorBecomesATable() {
        Tensor t = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6.5}});
        DisplayData d = renderers.render(t);
        String h = html(d);
        assertTrue(h.contains("(2, 3)"), h);
        assertTrue(h.contains(String.valueOf(t.dtype())), h);
        assertTrue(h.contains("<table"), h);
        assertTrue(h.contains("6.5"), h);
        assertEquals(t.toString(), text(d));
    }

    @Test void largeTensorIsTruncated() {
        Tensor t = Tensor.randn(1, 500, 300);
        String h = html(renderers.render(t));
        assertTrue(h.contains("&vellip;") && h.contains("&hellip;"), "truncation marks");
        assertTrue(h.contains("<th>499</th>"), "last row shown");
        assertTrue(h.length() < 20_000, "bounded size: " + h.length());
    }

    @Test void rankThreeTensorShowsHeaderOnly() {
        String h = html(renderers.render(Tensor.zeros(2, 3, 4)));
        assertTrue(h.contains("(2, 3, 4)"));
        assertFalse(h.contains("<table"));
    }

    static JFreeChart chart() {
        XYSeries s = new XYSeries("s");
        s.add(1, 2);
        s.add(2, 5);
        return ChartFactory.createXYLineChart("growth", "x", "y", new XYSeriesCollection(s));
    }

    @Test void chartRendersPngAndSvgOnRequest() throws Exception {
        DisplayData d = renderers.render(chart());
        BufferedImage img = png(d);
        assertEquals(renderers.chartWidth(), img.getWidth());
        assertTrue(text(d).contains("growth"));
        DisplayData svg = renderers.render(chart(), "image/svg+xml");
        assertTrue(((String) svg.getData(MIMEType.IMAGE_SVG)).startsWith("<svg"));
        assertNull(svg.getData(MIMEType.IMAGE_PNG));
    }

    @Test void tableRendersHtmlAndTruncates() {
        Table t = Table.create("scores", DoubleColumn.create("v", new double[100]));
        DisplayData d = renderers.render(t);
        assertTrue(html(d).contains("<table"));
        assertTrue(html(d).contains("showing 40 of 100 rows"));
        assertTrue(text(d).contains("scores"));
    }

    @Test void explorerReportShowsTablesAndCharts() {
        dev.jaclab.explore.Report r = dev.jaclab.explore.Explorer.of(dev.jaclab.explore.Models.sin()).sizes(16, 32)
                .strategies(dev.jaclab.jacobian.Strategies.reverseSum(), dev.jaclab.jacobian.Strategies.forwardSum())
                .repeats(1).run();
        DisplayData d = renderers.render(r);
        String h = html(d);
        assertTrue(h.contains("Explorer report"), h);
        assertTrue(h.contains("reverseSum") && h.contains("<table"), "measurement table");
        assertTrue(h.contains("data:image/png;base64,") || h.contains("chart:"), "charts or a reason");
        assertTrue(h.contains("overflow-x:auto") && h.contains("max-width:100%"), "fits the notebook's width");
        assertFalse(h.contains("0.0000000000"), "numbers with units, not raw digits: " + h);
        assertTrue(h.matches("(?s).*[0-9.]+ (µs|ms|s)</td>.*"), "times with units");
        assertEquals(r.toString(), text(d));
    }

    @Test void bufferedImageRendersPng() throws Exception {
        BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        assertEquals(7, png(renderers.render(img)).getWidth());
    }

    record Point(int x, int y) {}

    interface Named { String name(); }

    static class Base implements Named {
        final String n;
        Base(String n) { this.n = n; }
        public String name() { return n; }
    }

    static final class Sub extends Base { Sub(String n) { super(n); } }

    public static final class WithHtml {
        public String toHtml() { return "<u>u</u>"; }
    }

    @Test void registryFindsSubtypesAndFallsBack() {
        renderers.register(Point.class, (p, m) -> {
            DisplayData d = new DisplayData("P");
            d.putHTML("<b>" + p.x() + "</b>");
            return d;
        });
        assertEquals("<b>3</b>", html(renderers.render(new Point(3, 4))));
        assertEquals("<u>u</u>", html(renderers.render(new WithHtml())));
        assertEquals("plain", text(renderers.render("plain")));
        assertNull(html(renderers.render(42)));
        renderers.register(Named.class, (c, m) -> new DisplayData("named:" + c.name()));
        assertEquals("named:abc", text(renderers.render(new Sub("abc"))));
    }

    @Test void failingRendererNamesTheType() {
        renderers.register(Thread.State.class, (s, m) -> { throw new IllegalStateException("nope"); });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> renderers.render(Thread.State.NEW));
        assertTrue(e.getMessage().contains("java.lang.Thread$State"), e.getMessage());
    }

    @Test void eachRegistryIsItsOwn() throws Exception {
        Renderers other = new Renderers();
        other.register(Point.class, (p, m) -> new DisplayData("other"));
        other.chartSize(300, 200);
        assertEquals("Point[x=1, y=2]", text(renderers.render(new Point(1, 2))), "a registration stays in its registry");
        assertEquals(300, png(other.render(chart())).getWidth());
        assertEquals(640, png(renderers.render(chart())).getWidth());
        assertThrows(IllegalArgumentException.class, () -> other.chartSize(0, 10));
    }

    /** jjava's entries use the same lookup; values that render themselves through jjava's protocol still do. */
    @Test void jjavaEntriesAndSelfRenderingValues() {
        Tensor t = Tensor.zeros(2, 2);
        assertEquals(html(renderers.render(t)), html(renderers.render(t, new java.util.HashMap<>())));
        assertNotNull(renderers.renderAs(chart(), new java.util.HashMap<>(), "image/svg+xml").getData(MIMEType.IMAGE_SVG));
        Object selfRendering = new org.dflib.jjava.jupyter.kernel.display.DisplayDataRenderable() {
            @Override public void render(org.dflib.jjava.jupyter.kernel.display.RenderContext c) {
                c.getOutputContainer().putMarkdown("**self**");
            }
        };
        assertEquals("**self**", renderers.render(selfRendering).getData(MIMEType.TEXT_MARKDOWN));
    }
}
