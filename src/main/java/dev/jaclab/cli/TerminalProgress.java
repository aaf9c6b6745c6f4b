package dev.jaclab.cli;

import dev.jaclab.progress.Progress;
import dev.jaclab.progress.ProgressListener;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * The command line's progress display: one terminal bar (me.tongfei.progressbar, on stderr, redrawn in place) per root
 * {@link Progress} task, with steps done, rate and time left; the tasks running inside it (a strategy's chunks inside
 * the explorer's run) are summarised beside the bar. Installed by the commands when stderr is a terminal.
 *
 * <pre>{@code
 * Progress.show(new TerminalProgress());
 * Jacobian.of(y, x).perSample(Strategies.sparseRows(64));   // [=====>     ] 12/40 chunks (3.1 chunks/s) 0:00:09
 * Progress.show(null);
 * }</pre>
 */
final class TerminalProgress implements ProgressListener {
    private final Map<Progress, ProgressBar> bars = new IdentityHashMap<>();

    /** Installs a terminal display when {@code wanted} and the JVM runs on a terminal; returns whether it did. */
    static boolean installIf(boolean wanted) {
        if (!wanted || System.console() == null) return false;
        Progress.show(new TerminalProgress());
        return true;
    }

    @Override public synchronized void changed(Progress root) {
        ProgressBar bar = bars.get(root);
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(root.name()).setInitialMax(root.total()).setUnit(" " + root.unit(), 1)
                    .showSpeed(new DecimalFormat("0.0#")).setUpdateIntervalMillis((int) Progress.INTERVAL_MS)
                    .startsFrom(0, Duration.ofNanos((long) (root.elapsedSeconds() * 1e9))).build();
            bars.put(root, bar);
        }
        bar.stepTo(root.done());
        List<Progress> chain = root.chain();
        String inner = chain.subList(1, chain.size()).stream().map(Progress::summary).collect(Collectors.joining(" | "));
        String extra = root.detail() + (inner.isEmpty() ? "" : (root.detail().isEmpty() ? "" : " | ") + inner);
        if (root.state() == Progress.State.STOPPED) extra = "stopped" + (extra.isEmpty() ? "" : ": " + extra);
        bar.setExtraMessage(extra.isEmpty() ? "" : " " + extra);
        if (root.state() != Progress.State.RUNNING) {
            bars.remove(root).close();
        }
    }
}
