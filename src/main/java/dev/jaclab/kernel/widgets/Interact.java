package dev.jaclab.kernel.widgets;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.jaclab.kernel.Notebook;

/**
 * Calls a function of one to four controls' values and shows its result below them, again each time a control
 * changes — Jupyter's {@code interact} for Java. The controls say the ranges (Java lambdas have no keyword arguments
 * to read them from); the function's parameters are the controls' values in order, typed: an {@link IntSlider} gives
 * an {@code Integer}, a {@link FloatLogSlider} a {@code Double}, a {@link Dropdown} a {@code String}, a
 * {@link SelectMultiple} a {@code List<String>}. What the function returns (a chart, a table, a tensor, text) is
 * displayed; what it prints or displays appears there too. A function that throws shows the error instead.
 *
 * <pre>{@code
 * Interact.interact(IntSlider.of(3, 1, 10).description("k"), FloatLogSlider.of(0.1, 1e-3, 10).description("scale"),
 *         (k, scale) -> "sin(k * scale) = " + Math.sin(k * scale));
 * Box box = Interact.interactive(Dropdown.of("sin", "tanh"), name -> "chose " + name);   // display(box) later
 * }</pre>
 */
public final class Interact {
    /** A function of three values. */
    @FunctionalInterface
    public interface Function3<A, B, C, R> { R apply(A a, B b, C c); }

    /** A function of four values. */
    @FunctionalInterface
    public interface Function4<A, B, C, D, R> { R apply(A a, B b, C c, D d); }

    private Interact() {}

    /** The controls above an {@link Output} showing {@code f} of their values; drawn first when displayed. */
    public static <A> Box interactive(Control<A> a, Function<? super A, ?> f) {
        return build(List.of(a), v -> f.apply(a.current()));
    }

    public static <A, B> Box interactive(Control<A> a, Control<B> b, BiFunction<? super A, ? super B, ?> f) {
        return build(List.of(a, b), v -> f.apply(a.current(), b.current()));
    }

    public static <A, B, C> Box interactive(Control<A> a, Control<B> b, Control<C> c, Function3<? super A, ? super B, ? super C, ?> f) {
        return build(List.of(a, b, c), v -> f.apply(a.current(), b.current(), c.current()));
    }

    public static <A, B, C, D> Box interactive(Control<A> a, Control<B> b, Control<C> c, Control<D> d,
                                               Function4<? super A, ? super B, ? super C, ? super D, ?> f) {
        return build(List.of(a, b, c, d), v -> f.apply(a.current(), b.current(), c.current(), d.current()));
    }

    /** Any number of controls; {@code f} gets their values in order. */
    public static Box interactive(List<? extends Control<?>> controls, Function<List<Object>, ?> f) {
        return build(controls, f);
    }

    /** Displays {@link #interactive}{@code (a, f)}. */
    public static <A> void interact(Control<A> a, Function<? super A, ?> f) { Notebook.display(interactive(a, f)); }

    public static <A, B> void interact(Control<A> a, Control<B> b, BiFunction<? super A, ? super B, ?> f) {
        Notebook.display(interactive(a, b, f));
    }

    public static <A, B, C> void interact(Control<A> a, Control<B> b, Control<C> c, Function3<? super A, ? super B, ? super C, ?> f) {
        Notebook.display(interactive(a, b, c, f));
    }

    public static <A, B, C, D> void interact(Control<A> a, Control<B> b, Control<C> c, Control<D> d,
                                             Function4<? super A, ? super B, ? super C, ? super D, ?> f) {
        Notebook.display(interactive(a, b, c, d, f));
    }

    private static Box build(List<? extends Control<?>> controls, Function<List<Object>, ?> f) {
        if (controls.isEmpty()) throw new IllegalArgumentException("interact: give at least one control");
        Output out = new Output();
        Runnable redraw = () -> out.capture(() -> {
            out.clear();
            List<Object> values = new ArrayList<>();
            for (Control<?> c : controls) values.add(c.current());
            try {
                Object r = f.apply(values);
                if (r != null) Notebook.display(r);
            } catch (RuntimeException e) {
                System.err.println("interact: " + e);
            }
        });
        List<Widget> children = new ArrayList<>();
        for (Control<?> c : controls) {
            c.onValue(v -> redraw.run());
            children.add(c.widget());
        }
        children.add(out);
        Box box = Box.vbox(children.toArray(Widget[]::new));
        box.onDisplay(redraw);
        return box;
    }
}
