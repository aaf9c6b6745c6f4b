package dev.jaclab.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The explore subcommand writes its report files on a tiny case; wrong input gives one stderr line and exit code 2. */
class MainTest {
    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test void exploreWritesReportAndCharts(@TempDir Path dir) throws Exception {
        Result r = run("explore", "--model", "globalMean", "--sizes", "8,16", "--target", "10000", "--budget", "1g",
                "--dtype", "float64", "--executors", "4", "--no-progress", "--out", dir.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Recommendation"), r.out());
        assertTrue(r.out().contains("On a cluster: "), "the plan on 4 executors:\n" + r.out());
        assertTrue(r.out().contains("wrong"), "the unchecked sums must show as wrong on globalMean:\n" + r.out());
        for (String f : new String[]{"report.html", "report.csv", "report.json", "scaling.png", "scaling.svg", "time-memory.png", "spy.png",
                "coupling.svg", "blocks.png", "block-stats.png"})
            assertTrue(Files.size(dir.resolve(f)) > 500, f);
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("<table>"));
        assertTrue(html.contains("On a cluster: "), "the plan's cluster figure in the HTML report");
        assertTrue(Files.readString(dir.resolve("report.json")).contains("\"cluster\":{\"strategy\":"), "the plan's cluster figure in the JSON report");
        assertEquals(7 * 2 + 1, Files.readAllLines(dir.resolve("report.csv")).size());   // the line-up (7, rowBlocks refused on coupled samples) × sizes, and the header
    }

    @Test void badInputExitsTwoWithOneLine() {
        for (String[] args : new String[][]{
                {"explore", "--model", "nosuchmodel"},
                {"explore", "--model", "sin", "--sizes", "64,abc"},
                {"explore", "--model", "sin", "--sizes", "1"},
                {"explore", "--model", "sin", "--budget", "lots"},
                {"explore", "--model", "sin", "--target", "-5"},
                {"explore", "--model", "sin", "--target", "1e6"},
                {"explore", "--model", "sin", "--budget", "0"},
                {"explore", "--model", "sin", "--budget", "-8g"},
                {"explore", "--model", "sin", "--time-cap", "0"},
                {"explore", "--model", "sin", "--executors", "0"},
                {"explore", "--model", "sin", "--executors", "-4"},
                {"explore", "--model", "sin", "--strategies", "forwardSum,nosuch"},
                {"bench", "--models", "nosuchmodel"},
                {"bench", "--strategies", "nosuch"},
                {"bench", "--sizes", "12x"},
                {"explore", "--bogus"}}) {
            Result r = run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line expected, got:\n" + r.err());
            assertTrue(r.err().startsWith("jaclab: "), r.err());
        }
    }

    @Test void benchRunsEachConfigurationInItsOwnJvm(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("bench.csv");
        Result r = run("bench", "--models", "sin,globalMean", "--strategies", "forwardSum", "--sizes", "32", "--repeats", "1", "--out", csv.toString());
        assertEquals(0, r.status(), r.err());
        var lines = java.nio.file.Files.readAllLines(csv);
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).startsWith("sin,32,forwardSum,ok,"), lines.get(1));
        assertTrue(lines.get(2).startsWith("globalMean,32,forwardSum,refused"), lines.get(2));
    }

    @Test void exploreTakesAStrategyList(@TempDir Path dir) {
        Result r = run("explore", "--model", "sin", "--sizes", "16,32", "--strategies", "forwardSum,sparseRows", "--no-progress");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("sparseRows(256)") && !r.out().contains("chunked"), r.out());
    }
}
