package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.List;

import dev.jaclab.jacobian.Bytes;
import dev.jaclab.jacobian.Jacobian;
import dev.jaclab.jacobian.Strategies;
import dev.jaclab.jacobian.Strategy;
import dev.jaclab.kernel.Notebook;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.viz.Viz;

/**
 * What the interactive explorers share: strategy, budget and chunk-size controls, a background run per change
 * ({@link BackgroundRuns}: the previous run is interrupted) with its progress bar, charts redrawn in an {@link Output},
 * and a block gallery with a sample picker. Subclasses add their controls and say what a run does. Without a live
 * widget front end (nbconvert, nbclient) a panel runs in the cell that displays it (or changes a control) and shows
 * its charts there.
 */
public abstract class RunPanel extends DomWidget {
    /** The chunk sizes offered for strategies with a chunk parameter. */
    static final List<String> CHUNKS = List.of("16", "64", "256", "1024");
    /** How many samples' blocks the gallery shows from the picked one. */
    static final int GALLERY = 3;

    final SelectMultiple strategies;
    final FloatLogSlider budgetGib;
    final Dropdown chunk;
    final Text progress = Text.html("");
    final Text status = Text.html("");
    final Output charts = new Output();
    final IntSlider sample;
    final Output gallery = new Output();
    final BackgroundRuns runs;
    private volatile Tensor blocks;

    RunPanel(String name, long samples) {
        super("VBoxModel", "VBoxView");
        List<String> names = new ArrayList<>();
        for (Strategy s : Strategies.all()) {
            String base = baseName(s);
            if (!base.equals("auto") && !base.equals("stochastic") && !base.equals("perElement")) names.add(base);
        }
        strategies = SelectMultiple.of(names).description("strategies");
        double gib = Math.max(1.0 / 1024, Math.min(64, Jacobian.defaultBudget() / (double) Bytes.gib(1)));
        budgetGib = FloatLogSlider.of(gib, 1.0 / 1024, 64).description("budget GiB");
        chunk = Dropdown.of(CHUNKS).description("chunk");
        chunk.value("256");
        sample = IntSlider.of(0, 0, (int) Math.max(0, samples - 1)).description("sample");
        runs = new BackgroundRuns(name, progress);
        sample.onChange(s -> drawGallery());
        onDisplay(this::rerun);
    }

    /** Closing the panel (its cell run again) also stops its run in progress. */
    @Override
    public void close() {
        runs.close();
        super.close();
    }

    /** Lays the panel out: the subclass's controls on top, then the shared ones. */
    final void layOut(Widget... ownControls) {
        List<Widget> kids = new ArrayList<>(List.of(ownControls));
        kids.add(Box.hbox(budgetGib, chunk));
        kids.add(strategies);
        kids.add(progress);
        kids.add(status);
        kids.add(charts);
        kids.add(sample);
        kids.add(gallery);
        define("box_style", "");
        define("children", List.copyOf(kids));
        for (Control<?> c : List.<Control<?>>of(budgetGib, chunk, strategies)) c.onValue(v -> rerun());
    }

    /** The strategies chosen, chunk parameters set to the chosen chunk size, sum types unchecked as in the explorer. */
    List<Strategy> chosen() {
        List<Strategy> out = new ArrayList<>();
        for (Strategy s : Strategies.all()) {
            String base = baseName(s);
            if (!strategies.value().contains(base)) continue;
            out.add((s.name().contains("(") ? Strategies.byName(base + "(" + chunk.value() + ")") : s).unchecked());
        }
        return out;
    }

    long budgetBytes() { return (long) (budgetGib.value() * Bytes.gib(1)); }

    static String baseName(Strategy s) {
        int open = s.name().indexOf('(');
        return open < 0 ? s.name() : s.name().substring(0, open);
    }

    /** A short description of the current settings (the run's name in the history). */
    abstract String settings();

    /** One run with the current settings (on the background thread, or in the cell without a live front end). */
    abstract void work();

    /**
     * Runs with the current settings: in the background with a live front end (the run in progress is interrupted),
     * else (a headless run) at once, with the charts in the running cell. Before the panel is displayed it does
     * nothing: the first display runs.
     */
    public void rerun() {
        if (strategies.value().isEmpty()) {
            runs.cancel();
            status.value("<i>choose at least one strategy</i>");
            return;
        }
        if (!isOpen()) return;
        if (live()) {
            runs.submit(settings(), task -> work());
            return;
        }
        inCell.set(true);
        try {
            work();
        } finally {
            inCell.remove();
        }
    }

    private static boolean live() {
        KernelComms comms = KernelComms.current();
        return comms != null && comms.liveFrontEnd();
    }

    /** Whether this thread runs the panel in a cell (headless: charts go into the cell). */
    private final ThreadLocal<Boolean> inCell = new ThreadLocal<>();

    /** Shows charts in the chart area (or, in a headless run, in the cell). */
    void showCharts(Object... items) {
        if (inCell.get() != null) for (Object o : items) Notebook.display(o);
        else charts.show(items);
    }

    /** Sets the blocks the gallery shows (samples × block) and redraws it. */
    void blocks(Tensor J) {
        blocks = J;
        int max = (int) Math.max(0, J.size(0) - 1);
        if (sample.max() != max) sample.set("max", max);
        if (sample.value() > max) sample.value(max);
        drawGallery();
    }

    private void drawGallery() {
        Tensor J = blocks;
        if (J == null) return;
        int from = sample.value();
        long to = Math.min(J.size(0), from + GALLERY);
        long[] picked = new long[(int) (to - from)];
        for (int i = 0; i < picked.length; i++) picked[i] = from + i;
        Object chart = Viz.blocks(J, picked);
        if (inCell.get() != null || !live()) Notebook.display(chart);
        else gallery.show(chart);
    }

    /** The current settings' status line (HTML). */
    void status(String html) {
        status.value(html);
        if (inCell.get() != null) Notebook.display(Notebook.html(html));
    }

    /** How each run ended, oldest first. */
    public List<String> history() { return runs.history(); }

    /** The most runs ever in progress at once (1: a change always stopped the previous run first). */
    public int mostAtOnce() { return runs.mostAtOnce(); }

    /** Waits until no run is in progress or waiting; false on timeout. */
    public boolean awaitIdle(long millis) { return runs.awaitIdle(millis); }

    /** The strategy list box. */
    public SelectMultiple strategies() { return strategies; }

    /** The budget slider (GiB, log scale). */
    public FloatLogSlider budget() { return budgetGib; }

    /** The chunk-size menu. */
    public Dropdown chunk() { return chunk; }

    /** The sample picker of the block gallery. */
    public IntSlider sample() { return sample; }
}
