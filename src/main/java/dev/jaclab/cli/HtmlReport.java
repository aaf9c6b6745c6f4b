package dev.jaclab.cli;

import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.Bytes;
import java.util.Base64;
import java.util.Map;
import tech.tablesaw.api.Table;

/** A self-contained HTML page of a {@link Report}: recommendation, coupling, tables and charts as base64 PNG. */
final class HtmlReport {
    private HtmlReport() {}

    static String render(Report r, Map<String, byte[]> charts) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>JacLab explore: ")
                .append(esc(r.model())).append("</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
                        + "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
                        + "td:first-child{text-align:left}.wrong{background:#fde0c5}.refused{color:#777}</style></head><body>");
        sb.append("<h1>Per-sample Jacobian strategies: ").append(esc(r.model())).append("</h1>");
        sb.append("<p>dtype ").append(esc(r.dtype())).append(", target N = ").append(r.target()).append(", budget ")
                .append(esc(Bytes.format(r.budget()))).append("</p>");
        sb.append("<h2>Recommendation</h2><p><b>").append(esc(r.recommendation().strategy() == null ? "none" : r.recommendation().strategy()))
                .append("</b> — ").append(esc(r.recommendation().reason())).append("</p>");
        sb.append("<h2>Plan at N = ").append(r.target()).append("</h2><p>").append(esc(r.plan().toString())).append("</p>");
        if (r.plan().cluster() != null) sb.append("<p>On a cluster: ").append(esc(r.plan().cluster().breakdown())).append("</p>");
        sb.append("<p>Rates: ")
                .append(esc(r.rates().toString())).append("</p>");
        sb.append("<h2>Coupling</h2><p>").append(esc(r.pattern().explain())).append("</p>");
        sb.append("<h2>Measurements</h2>").append(table(r.table()));
        sb.append("<p>rssPeakBytes: resident-set growth sampled during the run; vmHwmBytes: kernel high-water mark of the process; "
                + "offHeapPeakBytes: growth of JavaCPP-tracked off-heap memory; status wrong: blocks disagree with the exact reference.</p>");
        sb.append("<p>cpuMs: CPU time of the computing thread; predictedMs: the cost model from this machine's rates; calibratedMs: "
                + "the same fitted to this strategy's runs (what the target's prediction uses).</p>");
        sb.append("<h2>Predicted at N = ").append(r.target()).append(" (shapes traced, nothing run)</h2>").append(table(r.extrapolation()));
        for (Map.Entry<String, byte[]> e : charts.entrySet())
            sb.append("<h2>").append(esc(e.getKey())).append("</h2><img alt=\"").append(esc(e.getKey())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(e.getValue())).append("\">");
        return sb.append("</body></html>\n").toString();
    }

    static String table(Table t) {
        StringBuilder sb = new StringBuilder("<table><tr>");
        for (String c : t.columnNames()) sb.append("<th>").append(esc(c)).append("</th>");
        sb.append("</tr>");
        int statusCol = t.columnNames().indexOf("status");
        for (int i = 0; i < t.rowCount(); i++) {
            String cls = statusCol >= 0 ? t.getString(i, statusCol) : "";
            sb.append("<tr class=\"").append(esc(cls)).append("\">");
            for (int c = 0; c < t.columnCount(); c++) sb.append("<td>").append(esc(t.getString(i, c))).append("</td>");
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
