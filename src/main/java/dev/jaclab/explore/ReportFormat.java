package dev.jaclab.explore;

import java.io.StringWriter;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvWriteOptions;

/** CSV (Tablesaw's writer) and hand-written JSON for {@link Report}. */
final class ReportFormat {
    private ReportFormat() {}

    static String csv(Table t) {
        StringWriter w = new StringWriter();
        t.write().csv(CsvWriteOptions.builder(w).build());
        return w.toString();
    }

    static String json(Report r) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"model\":").append(str(r.model())).append(",\"dtype\":").append(str(r.dtype()))
                .append(",\"forwardSeconds\":").append(java.util.Arrays.toString(r.forwardSeconds())).append(",\"target\":").append(r.target()).append(",\"budgetBytes\":").append(r.budget())
                .append(",\"coupling\":").append(str(r.pattern().kind().toString())).append(",\"couplingExplained\":").append(str(r.pattern().explain()))
                .append(",\"measurements\":[");
        boolean first = true;
        for (Measurement m : r.measurements()) {
            sb.append(first ? "" : ",").append("{\"strategy\":").append(str(m.strategy())).append(",\"N\":").append(m.samples())
                    .append(",\"status\":").append(str(m.status())).append(",\"reason\":").append(str(m.reason()))
                    .append(",\"medianMs\":").append(num(m.millis())).append(",\"rssPeakBytes\":").append(m.rssPeakBytes())
                    .append(",\"vmHwmBytes\":").append(m.hwmBytes()).append(",\"offHeapPeakBytes\":").append(m.offHeapPeakBytes())
                    .append(",\"predictedPeakBytes\":").append(m.predictedBytes()).append(",\"predictedWork\":").append(num(m.predictedWork()))
                    .append(",\"predictedSweeps\":").append(m.predictedSweeps()).append(",\"countedSweeps\":").append(m.countedSweeps())
                    .append(",\"predictedVectors\":").append(m.predictedVectors()).append(",\"countedVectors\":").append(m.countedVectors())
                    .append(",\"maxError\":").append(num(m.maxError())).append('}');
            first = false;
        }
        sb.append("],\"extrapolation\":[");
        first = true;
        for (Report.Extrapolation e : r.extrapolations().values()) {
            sb.append(first ? "" : ",").append("{\"strategy\":").append(str(e.strategy())).append(",\"timeExponent\":").append(num(e.time().exponent()))
                    .append(",\"secondsAtTarget\":").append(num(e.secondsAtTarget())).append(",\"memoryExponent\":").append(num(e.predictedMemory().exponent()))
                    .append(",\"predictedBytesAtTarget\":").append(num(e.bytesAtTarget())).append(",\"fitsBudget\":").append(e.fits())
                    .append(",\"exactAndCorrect\":").append(e.usable()).append('}');
            first = false;
        }
        Recommendation rec = r.recommendation();
        sb.append("],\"recommendation\":{\"strategy\":").append(rec.strategy() == null ? "null" : str(rec.strategy()))
                .append(",\"reason\":").append(str(rec.reason())).append(cluster(r.plan().cluster())).append("}}");
        return sb.toString();
    }

    /** The plan's cluster figure, when asked for: ,"cluster":{...} inside the recommendation. */
    private static String cluster(ClusterCost.Prediction c) {
        if (c == null) return "";
        return ",\"cluster\":{\"strategy\":" + str(c.strategy()) + ",\"executors\":" + c.executors() + ",\"runs\":" + c.runs()
                + ",\"seconds\":" + num(c.seconds()) + ",\"forwardSeconds\":" + num(c.forwardSeconds()) + ",\"blockSeconds\":" + num(c.blockSeconds())
                + ",\"tapeSecondsPerExecutor\":" + num(c.tapeSeconds()) + ",\"stages\":" + c.stages() + ",\"stageSeconds\":" + num(c.stageSeconds())
                + ",\"forwardByRows\":" + c.forwardByRows() + ",\"refusal\":" + (c.refusal() == null ? "null" : str(c.refusal())) + "}";
    }

    static String num(double v) { return Double.isFinite(v) ? Double.toString(v) : "null"; }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
