package dev.jaclab.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.tools.ToolProvider;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cells through the kernel object (magics, display API, default imports), without sockets. */
class KernelCellsTest {
    static JacLabKernel kernel;
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream oldOut;

    @BeforeAll static void start() { kernel = new JacLabKernel(new CellHistory(null), "int fromStartup = 9;"); }

    @BeforeEach void capture() {
        Notebook.setSink(new Notebook.Sink() {
            @Override public void display(DisplayData d) { events.add("display " + d.getDisplayId() + " " + d.getData(MIMEType.TEXT_PLAIN)); }

            @Override public void update(String id, DisplayData d) { events.add("update " + id + " " + d.getData(MIMEType.TEXT_PLAIN)); }

            @Override public void clear(boolean wait) { events.add("clear " + wait); }

            @Override public String input(String prompt, boolean password) { return "typed"; }

            @Override public Renderers renderers() { return kernel.renderers(); }
        });
        oldOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach void restore() { System.setOut(oldOut); }

    String printed() { return out.toString(StandardCharsets.UTF_8); }

    @Test void startupScriptAndDefaultImports() {
        assertEquals(9, kernel.evalCell("fromStartup", 1));
        List<String> imports = kernel.session().imports();
        assertTrue(imports.contains("import dev.jaclab.tensor.*;"), imports.toString());
        assertTrue(imports.contains("import dev.jaclab.nd.DType;"), imports.toString());
        assertTrue(imports.contains("import static dev.jaclab.kernel.Notebook.*;"), imports.toString());
        for (String p : new String[] {"autodiff", "jacobian", "explore", "viz"})
            assertTrue(imports.contains("import dev.jaclab." + p + ".*;"), imports.toString());
        assertTrue(imports.contains("import static dev.jaclab.viz.Viz.*;"), imports.toString());
        assertFalse(imports.stream().anyMatch(i -> i.contains("dev.jaclab.nosuch")));
        Object t = kernel.evalCell("Tensor.zeros(2, 2)", 2);
        assertEquals("dev.jaclab.tensor.Tensor", t.getClass().getName());
        assertEquals(List.of(1, 2), kernel.evalCell("List<Integer> l = new ArrayList<>(List.of(1, 2)); Function<Integer, Integer> f = i -> i; l", 3),
                "java.util and java.util.function are imported like in jshell");
    }

    @Test void arraysRenderTheirElements() {
        Object shape = kernel.evalCell("new long[]{1024, 3}", 4);
        assertEquals("[1024, 3]", Renderers.text(shape));
        assertEquals("[[1, 2], [3]]", Renderers.text(new int[][]{{1, 2}, {3}}));
    }

    @Test void displayUpdateClearAndInput() {
        kernel.evalCell("String id = display(\"first\");\nupdateDisplay(id, \"second\");\nclearOutput(true);", 3);
        assertEquals(3, events.size(), events.toString());
        String id = events.get(0).split(" ")[1];
        assertEquals("display " + id + " first", events.get(0));
        assertEquals("update " + id + " second", events.get(1));
        assertEquals("clear true", events.get(2));
        assertEquals("typed!", kernel.evalCell("input(\"? \") + \"!\"", 4));
    }

    @Test void timeMagicsReportWallTimeAndAllocation() {
        Object v = kernel.evalCell("%%time\nlong[] a = new long[1 << 20];\na.length", 5);
        assertEquals(1 << 20, v);
        String p = printed();
        assertTrue(p.matches("(?s).*Wall time: [0-9.]+ (µs|ms|s), allocated: [0-9.]+ (MiB|GiB).*"), p);
        assertEquals(7, kernel.evalCell("%time 3 + 4", 6));
        assertTrue(printed().lines().filter(l -> l.startsWith("Wall time")).count() >= 2);
    }

    @Test void lineMagicsBetweenCodeKeepLineNumbers() {
        CellError e = assertThrows(CellError.class, () -> kernel.evalCell("int q = 1;\n%help\nint r = missing;", 7));
        assertEquals(3, e.problems().get(0).line());
        assertTrue(printed().contains("%%time"), "help listed the magics");
    }

    @Test void jvmAndHtmlMagics() {
        kernel.evalCell("%jvm", 8);
        String p = printed();
        assertTrue(p.contains("Java " + Runtime.version().feature()), p);
        assertTrue(p.contains("ND4J: "), p);
        assertTrue(p.contains("Heap: used"), p);
        Object html = kernel.evalCell("%%html\n<p>x</p>", 9);
        assertEquals("<p>x</p>", kernel.renderers().render(html).getData(MIMEType.TEXT_HTML));
    }

    @Test void unknownMagicIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernel.evalCell("%nosuch", 10));
        assertTrue(e.getMessage().contains("unknown line magic %nosuch"), e.getMessage());
    }

    @Test void classpathMagicAddsCompiledClasses(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/demo/Greeter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package demo; public class Greeter { public static String hi() { return \"hi from jar\"; } }");
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()));
        assertThrows(CellError.class, () -> kernel.evalCell("demo.Greeter.hi()", 11));
        kernel.evalCell("%classpath add " + classes, 12);
        assertEquals("hi from jar", kernel.evalCell("demo.Greeter.hi()", 13));
        assertThrows(IllegalArgumentException.class, () -> kernel.evalCell("%classpath add /no/such/dir", 14));
        out.reset();
        kernel.evalCell("%classpath", 15);
        assertTrue(printed().contains(classes.toAbsolutePath() + "  (%classpath add)"), printed());
    }

    @Test void varsMagicTabulatesVariablesAndTensors() {
        kernel.evalCell("Tensor vw = Tensor.zeros(DType.FLOAT64, 3, 4).requiresGrad();\nTensor vc = Tensor.ones(5);\n"
                + "int vn = 5;\nString vs = \"hi\";\ndouble[] va = new double[7];\nList<String> vl = List.of(\"a\");\nString vnull = null;", 20);
        assertThrows(CellError.class, () -> kernel.evalCell("int vlater = notYetDeclared();", 21));   // declared, not usable
        tech.tablesaw.api.Table t = (tech.tablesaw.api.Table) kernel.evalCell("%vars", 22);
        assertEquals(List.of("name", "type", "value", "shape", "dtype", "bytes", "requires grad"), t.columnNames());
        java.util.Map<String, List<String>> rows = new java.util.HashMap<>();
        for (int i = 0; i < t.rowCount(); i++) {
            List<String> r = new ArrayList<>();
            for (int c = 1; c < t.columnCount(); c++) r.add(t.getString(i, c));
            rows.put(t.getString(i, 0), r);
        }
        assertEquals(List.of("Tensor", "", "(3, 4)", "float64", "96 B", "true"), rows.get("vw"));
        assertEquals(List.of("Tensor", "", "(5,)", String.valueOf(dev.jaclab.tensor.Tensor.defaultDType()),
                (5 * dev.jaclab.tensor.Tensor.defaultDType().bytes()) + " B", "false"), rows.get("vc"));
        assertEquals(List.of("int", "5", "", "", "", ""), rows.get("vn"));
        assertEquals(List.of("String", "\"hi\"", "", "", "", ""), rows.get("vs"));
        assertEquals("double[7]", rows.get("va").get(1));
        assertEquals("size 1", rows.get("vl").get(1));
        assertEquals("null", rows.get("vnull").get(1));
        assertFalse(rows.containsKey("vlater"), rows.keySet().toString());
        assertTrue(kernel.renderers().render(t).getData(MIMEType.TEXT_HTML).toString().contains("<td>(3, 4)</td>"));
    }

    @Test void oneRendererSetReachedFromCells() {
        assertSame(kernel.getRenderer(), kernel.renderers(), "jjava's base kernel holds JacLab's registry");
        assertNull(kernel.getMagicsRegistry(), "magics are JacLab's only");
        kernel.evalCell("renderers().register(java.awt.Point.class, (p, m) -> new org.dflib.jjava.jupyter.kernel.display.DisplayData(\"pt \" + p.x));\n"
                + "display(new java.awt.Point(5, 6));", 30);
        assertTrue(events.get(events.size() - 1).endsWith(" pt 5"), events.toString());
        assertEquals("pt 7", kernel.renderers().render(new java.awt.Point(7, 8)).getData(MIMEType.TEXT_PLAIN));
    }

    /** Each snippet runs on a fresh thread; the default dtype a cell sets holds for the cells after it. */
    @Test void defaultDTypeCarriesFromCellToCell() {
        try {
            kernel.evalCell("Tensor.setDefaultDType(DType.FLOAT64);", 31);
            assertEquals("float64", String.valueOf(kernel.evalCell("Tensor.zeros(2).dtype()", 32)));
            assertEquals("float64", String.valueOf(kernel.evalCell("Tensor.defaultDType()", 33)));
        } finally {
            kernel.evalCell("Tensor.setDefaultDType(DType.FLOAT32);", 34);
        }
        assertEquals("float32", String.valueOf(kernel.evalCell("Tensor.defaultDType()", 35)));
    }
}
