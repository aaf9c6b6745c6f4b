package dev.jaclab.kernel.widgets;

import dev.jaclab.explore.Model;
import dev.jaclab.jacobian.Jacobian;

/**
 * Interactive explorers: controls that re-run strategies in the background and redraw their charts.
 * {@link #explorer(Model)} drives the explorer on a model (N, dtype, budget, chunk size, strategies);
 * {@link #explorer(Jacobian)} compares strategies on one recorded Jacobian (budget, chunk size, strategies). Both show
 * a progress bar while they run, stop the run in progress when a control changes, and have a block gallery with a
 * sample picker. In a headless run (nbconvert) they run once with their defaults and show the charts in the cell.
 *
 * <pre>{@code
 * display(Interactive.explorer(Models.sin()));
 * Tensor x = Tensor.randn(0, 256, 3).requiresGrad();
 * display(Interactive.explorer(Jacobian.of(x.sin(), x)));
 * }</pre>
 */
public final class Interactive {
    private Interactive() {}

    /** The explorer on {@code model}, run once with the defaults when displayed. */
    public static ExplorerPanel explorer(Model model) { return new ExplorerPanel(model); }

    /** Strategies compared on {@code jacobian}, run once when displayed. */
    public static JacobianPanel explorer(Jacobian jacobian) { return new JacobianPanel(jacobian); }
}
