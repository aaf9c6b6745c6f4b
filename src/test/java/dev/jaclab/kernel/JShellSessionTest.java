package dev.jaclab.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JShellSessionTest {
    static JShellSession s;

    @BeforeAll static void start() { s = new JShellSession(); }

    @AfterAll static void stop() { s.close(); }

    @Test void evaluatesCellsAndKeepsRealObjects() {
        assertEquals(42, s.eval("int a = 2;\na * 21", 1));
        Object list = s.eval("java.util.List.of(1, 2)", 2);
        assertEquals(java.util.List.of(1, 2), list);
        assertSame(KeepingExecutionControl.NO_VALUE, s.eval("int b = 3;", 3));
        assertSame(KeepingExecutionControl.NO_VALUE, s.eval("System.out.println(\"hi\")", 4));
        assertEquals(5, s.eval("a + b", 5));
    }

    @Test void leadingNewlinesAfterOnDemandImportKeepVariables() {
        s.eval("import java.util.*;\n\nint keep = 7;\n\n\nList<Integer> l = new ArrayList<>();", 1);
        assertEquals(7, s.eval("\n\nkeep", 2));
    }

    @Test void compileErrorsCarryCellLinesAndSpans() {
        CellError e = assertThrows(CellError.class, () -> s.eval("int ok = 1;\nint y = nope + 1;", 7));
        assertEquals(CellError.Kind.COMPILE, e.kind());
        CellError.Problem p = e.problems().get(0);
        assertEquals(2, p.line());
        assertEquals("int y = nope + 1;", p.lineText());
        assertEquals("nope", p.lineText().substring(p.startCol(), p.endCol()));
    }

    @Test void exceptionsPointAtCellLines() {
        CellError e = assertThrows(CellError.class,
                () -> s.eval("int z = 1;\nif (z > 0)\n  throw new IllegalStateException(\"boom\");", 8));
        assertEquals("java.lang.IllegalStateException", e.exceptionClass());
        assertEquals("boom", e.getMessage());
        CellError.Frame top = e.frames().get(0);
        assertTrue(top.user());
        assertEquals("cell [8]", top.cellLabel());
        assertEquals(3, top.cellLine());
        assertTrue(top.sourceLine().contains("IllegalStateException"), top.sourceLine());
    }

    @Test void tightLoopStopsOnInterrupt() throws Exception {
        s.eval("int before = 11;", 1);
        CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> {
            try { s.eval("while (true) {}", 2); return null; } catch (Throwable t) { return t; }
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!s.isRunning() && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(200);
        s.interrupt();
        Throwable t = f.get(60, TimeUnit.SECONDS);          // the loop stops (no wall-time assertion: CI machines are shared)
        assertInstanceOf(CellError.class, t);
        assertEquals(CellError.Kind.INTERRUPTED, ((CellError) t).kind());
        assertEquals(11, s.eval("before", 3));
    }

    @Test void survivesStackOverflowAndOutOfMemory() {
        s.eval("String kept = \"still here\";", 1);
        s.eval("int down(int n) { return down(n + 1) + 1; }", 2);
        CellError so = assertThrows(CellError.class, () -> s.eval("down(0)", 3));
        assertEquals("java.lang.StackOverflowError", so.exceptionClass());
        assertTrue(so.frames().size() > 0);
        CellError oom = assertThrows(CellError.class, () -> s.eval("long[] huge = new long[Integer.MAX_VALUE - 16];", 4));
        assertEquals("java.lang.OutOfMemoryError", oom.exceptionClass());
        assertEquals("still here", s.eval("kept", 7));
        assertEquals(3, s.eval("1 + 2", 8));
    }

    @Test void tapeNodesNameTheCellAndLineThatCreatedThem() {
        s.eval("Tensor sx = Tensor.randn(1, 6, 3).requiresGrad();\nTensor sy = sx.sin()\n    .sub(sx.mean(0));", 40);
        assertEquals("cell [40], line 3", s.eval("sy.node().site()", 41), "the sub on the third line of the cell");
        s.eval("Tensor centre(Tensor t) {\n  Tensor m = t.mean(0);\n  return t.sub(m);\n}", 42);
        s.eval("Tensor sz = centre(sx);", 43);
        assertEquals("cell [42], line 3", s.eval("sz.node().site()", 44), "inside a method: the line of its own cell");
        Object explain = s.eval("Jacobian.of(sz, sx).problem().structure().explain()", 45);
        assertTrue(explain.toString().contains("at cell [42], line 2"), explain.toString());
    }
}
