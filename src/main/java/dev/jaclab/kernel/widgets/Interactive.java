package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.List;

import dev.jaclab.explore.Explorer;
import dev.jaclab.explore.Model;
import dev.jaclab.explore.Report;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.kernel.Notebook;

/**
 * Controls that re-run an exploration: a menu of sample counts N, a menu of strategies ("all" or one), a run button and
 * an {@link Output} where the report (tables and charts) is redrawn. Changing a menu or clicking the button runs
 * {@link Explorer} again at that N with those strategies and replaces the report.
 *
 * <pre>{@code
 * display(Interactive.explorer(Models.sin()));
 * }</pre>
 *
 * <p>The run happens while the widget message is handled: the kernel is busy until the report is drawn.
 */
public final class Interactive {
    /** The sample counts offered. */
    static final List<String> SIZES = List.of("16", "64", "256", "1024", "4096");
    static final String ALL = "all";

    private Interactive() {}

    /** The controls and report for {@code model}; the first report is drawn when the box is displayed and run. */
    public static Box explorer(Model model) {
        List<Strategy> strategies = Explorer.defaultStrategies();
        List<String> names = new ArrayList<>();
        names.add(ALL);
        for (Strategy s : strategies) names.add(Explorer.label(s));
        Dropdown n = Dropdown.of(SIZES).description("N");
        n.value("64");
        Dropdown strategy = Dropdown.of(names).description("strategy");
        Button run = Button.of("run");
        Text status = Text.label("");
        Output out = new Output();
        Runnable rerun = () -> {
            long size = Long.parseLong(n.value());
            Explorer e = Explorer.of(model).sizes(size).repeats(1);
            if (!ALL.equals(strategy.value())) e.strategies(strategies.get(names.indexOf(strategy.value()) - 1));
            status.value("running N = " + size + ", " + strategy.value() + " ...");
            try {
                Report r = e.run();
                out.capture(() -> {
                    out.clear();
                    Notebook.display(r);
                });
                status.value("N = " + size + ", " + strategy.value());
            } catch (RuntimeException ex) {
                status.value("failed: " + ex.getMessage());
            }
        };
        n.onChange(v -> rerun.run());
        strategy.onChange(v -> rerun.run());
        run.onClick(rerun);
        return Box.vbox(Box.hbox(n, strategy, run), status, out);
    }
}
