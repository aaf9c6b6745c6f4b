package dev.jaclab.kernel.widgets;

import java.util.function.Consumer;

/**
 * A widget the user sets a value with (a slider, a menu, a check box, a text box), seen with its value boxed: what
 * {@link Interact} builds calls from. Each control also has its own typed {@code value()} and {@code onChange}.
 *
 * <pre>{@code
 * Control<Integer> n = IntSlider.of(64, 8, 512);
 * n.onValue(v -> System.out.println(v));
 * int now = n.current();
 * }</pre>
 *
 * @param <T> the value's type
 */
public interface Control<T> {
    /** The value now. */
    T current();

    /** Runs {@code listener} with each new value. */
    void onValue(Consumer<? super T> listener);

    /** The widget that shows the control. */
    Widget widget();
}
