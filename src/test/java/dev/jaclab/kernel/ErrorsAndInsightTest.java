package dev.jaclab.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager.ResultFlag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error formatting, completion/inspection/is-complete, and history. */
class ErrorsAndInsightTest {
    static JShellSession s;
    static CodeInsight ci;

    @BeforeAll static void start() {
        s = new JShellSession();
        ci = new CodeInsight(s);
    }

    @AfterAll static void stop() { s.close(); }

    @Test void compileErrorShowsLineAndCaretUnderTheSpan() {
        CellError e = assertThrows(CellError.class, () -> s.eval("int a = 1;\nint b = nope.length();", 3));
        List<String> lines = ErrorFormatter.format(e, false);
        String text = String.join("\n", lines);
        assertTrue(lines.get(0).startsWith("error: cannot find symbol"), text);
        int row = lines.indexOf(" 2 | int b = nope.length();");
        assertTrue(row > 0, text);
        String caret = lines.get(row + 1);
        assertEquals(" 2 | int b = nope.length();".indexOf("nope"), caret.indexOf('^'), text);
        assertEquals("^^^^", caret.strip().substring(caret.strip().indexOf('^')), text);
    }

    @Test void exceptionListsUserFramesFirstWithSource() {
        s.eval("void fail(int x) {\n  throw new IllegalArgumentException(\"bad x \" + x);\n}", 4);
        CellError e = assertThrows(CellError.class, () -> s.eval("int k = 2;\nfail(k);", 5));
        List<String> lines = ErrorFormatter.format(e, false);
        assertEquals("java.lang.IllegalArgumentException: bad x 2", lines.get(0));
        assertTrue(lines.get(1).contains("cell [4], line 2, in fail"), String.join("\n", lines));
        assertTrue(lines.get(2).contains("cell [5], line 2") && lines.get(2).contains("fail(k);"), String.join("\n", lines));
        assertFalse(String.join("\n", lines).contains("jdk.internal.reflect"), "plumbing frames hidden");
    }

    @Test void causesAndLibraryFramesAreShownBriefly() {
        CellError e = assertThrows(CellError.class, () -> s.eval(
                "throw new RuntimeException(\"outer\", new java.io.IOException(\"inner\"));", 6));
        String text = String.join("\n", ErrorFormatter.format(e, false));
        assertTrue(text.contains("Caused by: java.io.IOException: inner"), text);
        CellError lib = assertThrows(CellError.class, () -> s.eval("Integer.parseInt(\"x1\")", 7));
        String t2 = String.join("\n", ErrorFormatter.format(lib, false));
        assertTrue(t2.indexOf("cell [7], line 1") < t2.indexOf("at java.base/java.lang.Integer.parseInt"), t2);
    }

    @Test void coloursAreDarkModeSafe() {
        CellError e = assertThrows(CellError.class, () -> s.eval("int z = ;", 8));
        String text = String.join("\n", ErrorFormatter.format(e, true));
        assertTrue(text.contains("\u001b[31m"), "uses red");
        for (String code : new String[] {"\u001b[30m", "\u001b[37m", "\u001b[90m", "\u001b[97m", "\u001b[40m", "\u001b[47m"})
            assertFalse(text.contains(code), "no black/white foreground or background: " + code.substring(1));
    }

    @Test void completionFindsMembersAndSessionVariables() {
        s.eval("int velocityMax = 3;", 9);
        CodeInsight.Completion c = ci.complete("int a = 1;\nveloc", 16);
        assertTrue(c.matches().contains("velocityMax"), c.matches().toString());
        assertEquals(11, c.start());
        CodeInsight.Completion m = ci.complete("%time\nMath.ma", 13);
        assertTrue(m.matches().contains("max("), m.matches().toString());
        assertEquals(11, m.start());
    }

    @Test void helpCellsNameWhatTheyAskAbout() {
        assertEquals("Math.max", CodeInsight.helpTarget("Math.max?"));
        assertEquals("Tensor", CodeInsight.helpTarget(" ?Tensor \n"));
        assertEquals("dev.jaclab.jacobian.Strategies.sparseRows", CodeInsight.helpTarget("dev.jaclab.jacobian.Strategies.sparseRows??"));
        for (String code : new String[]{"Math.max", "x ? 1 : 2", "a?b", "Math.max(1, 2)?", "int x = 1;"})
            assertNull(CodeInsight.helpTarget(code), code);
        assertTrue(ci.help("Math.max").contains("max(int"), ci.help("Math.max"));
        assertTrue(ci.help("noSuchThing").startsWith("No documentation found for noSuchThing"));
    }

    @Test void inspectionAcceptsCursorInsideOrAfterTheName() {
        for (int pos : new int[] {8, 6, 9, 13}) {
            String doc = ci.inspect("Math.max(1, 2)", pos, false);
            assertNotNull(doc, "cursor " + pos);
            assertTrue(doc.contains("max(int"), doc);
        }
        String javadoc = ci.inspect("String.valueOf", 14, true);
        assertTrue(javadoc.contains("valueOf"), javadoc);
        assertNull(ci.inspect("   ", 1, false));
        String ours = ci.inspect("dev.jaclab.kernel.Notebook.display(1)", 33, true);
        assertTrue(ours.contains("richest representation"), ours);
        assertEquals("List,long...", SourceDocs.types("final java.util.List<Tensor> xs, long... n"));
        String overloads = ci.inspect("dev.jaclab.jacobian.Jacobian.of", 31, true);
        assertTrue(overloads.contains("On a recorded graph") && overloads.contains("On a closure"), overloads);
        String tensor = ci.inspect("dev.jaclab.tensor.Tensor", 24, true);
        assertTrue(tensor.contains("Tensor") && tensor.length() > 40, tensor);
    }

    @Test void isCompleteClassifiesCells() {
        assertEquals("complete", ci.isComplete("int x = 1;\nx + 1"));
        assertEquals("incomplete", ci.isComplete("for (int i = 0; i < 2; i++) {"));
        assertEquals("invalid", ci.isComplete("int x = );"));
        assertEquals("complete", ci.isComplete("%%time\nfor ("));
    }

    @Test void historyTailRangeSearchAndPersistence(@TempDir Path dir) {
        Path file = dir.resolve("h.tsv");
        CellHistory h = new CellHistory(file);
        assertEquals(1, h.session());
        h.add(1, "int a = 1;", null);
        h.add(2, "a + 1", "2");
        h.add(3, "String s = \"x\\ty\";\nint b;", null);
        assertEquals(List.of("a + 1", "String s = \"x\\ty\";\nint b;"),
                h.lookupTail(2, Set.of()).stream().map(HistoryEntry::getInput).toList());
        assertEquals("2", h.lookupTail(2, Set.of(ResultFlag.INCLUDE_OUTPUT)).get(0).getOutput());
        assertEquals(1, h.lookupRange(0, 2, 3, Set.of()).size());
        assertEquals(2, h.search("*a*", 0, Set.of()).size());
        CellHistory next = new CellHistory(file);
        assertEquals(2, next.session());
        next.add(1, "a + 1", null);
        assertEquals(1, next.search("a + 1", 0, Set.of(ResultFlag.UNIQUE)).size());
        assertEquals(2, next.search("a + 1", 0, Set.of()).size());
        assertEquals("String s = \"x\\ty\";\nint b;", next.lookupRange(-1, 3, 4, Set.of()).get(0).getInput());
    }
}
