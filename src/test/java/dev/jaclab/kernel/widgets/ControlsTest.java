package dev.jaclab.kernel.widgets;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.jaclab.progress.Progress;

/** SelectMultiple, the editable text box, the Control view and background runs, without a front end. */
class ControlsTest {
    @Test void selectMultipleKeepsOptionOrderAndNamesUnknownLabels() {
        SelectMultiple s = SelectMultiple.of("a", "b", "c");
        List<List<String>> seen = new ArrayList<>();
        s.onChange(seen::add);
        s.value(List.of("c", "a"));
        assertEquals(List.of("a", "c"), s.value());
        assertEquals(List.of("b"), s.fromFrontEnd("value", JsonParser.parseString("[\"b\"]"), s.value()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.value(List.of("zz")));
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SelectMultiple.of("a", "a"));
        assertEquals(List.of(List.of("a", "c")), seen);
        assertEquals("SelectMultipleModel", s.fullState().get("_model_name").getAsString());
        assertEquals(3, s.fullState().getAsJsonArray("_options_labels").size());
    }

    @Test void textInputIsEditableAndSubmitsLabelsAreReadOnly() {
        Text t = Text.input("x");
        List<String> typed = new ArrayList<>(), entered = new ArrayList<>();
        t.onChange(typed::add);
        t.onSubmit(entered::add);
        assertEquals("xy", t.fromFrontEnd("value", JsonParser.parseString("\"xy\""), "x"));
        t.value("xyz");
        JsonObject submit = new JsonObject();
        submit.addProperty("event", "submit");
        t.onCustom(submit);
        assertEquals(List.of("xyz"), typed);
        assertEquals(List.of("xyz"), entered);
        assertEquals("TextView", t.fullState().get("_view_name").getAsString());
        Text label = Text.label("fixed");
        assertThrows(IllegalArgumentException.class, () -> label.fromFrontEnd("value", JsonParser.parseString("\"no\""), "fixed"));
        assertThrows(IllegalStateException.class, () -> label.onSubmit(v -> {}));
        t.close();
        assertEquals(0, t.listenerCount());
    }

    @Test void controlsGiveTheirValuesBoxed() {
        List<Control<?>> cs = List.of(IntSlider.of(3, 0, 9), FloatLogSlider.of(0.01, 1e-4, 1), Dropdown.of("p", "q"),
                Checkbox.of(true, "c"), SelectMultiple.of("a"), Text.input("t"));
        List<Object> values = cs.stream().map(c -> (Object) c.current()).toList();
        assertEquals(3, values.get(0));
        assertEquals(0.01, (Double) values.get(1), 1e-12);
        assertEquals(List.of("p", true, List.of(), "t"), values.subList(2, 6));
        List<Object> seen = new ArrayList<>();
        IntSlider k = IntSlider.of(1, 0, 5);
        k.onValue(seen::add);
        k.value(4);
        assertEquals(List.of(4), seen);
    }

    @Test void closingAWidgetRunsItsCloseHooksOnce() {
        IntSlider k = IntSlider.of(1, 0, 5);
        int[] closed = {0};
        k.onClose(() -> closed[0]++);
        k.close();
        k.close();
        assertEquals(1, closed[0]);
        assertThrows(IllegalStateException.class, () -> k.onClose(() -> {}));
    }

    @Test void aNewerRunInterruptsTheRunningOneAndNeverRunsBesideIt() throws Exception {
        BackgroundRuns runs = new BackgroundRuns("test", Text.html(""));
        try {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            runs.submit("first", task -> {
                started.countDown();
                for (;;) {
                    Progress.checkInterrupted("first");
                    Thread.onSpinWait();
                }
            });
            started.await();
            runs.submit("second", task -> {});
            runs.submit("third", task -> {});
            assertTrue(runs.awaitIdle(30_000));
            List<String> h = runs.history();
            assertEquals("first: cancelled", h.get(0));
            assertTrue(h.get(h.size() - 1).startsWith("third: done in "), h.toString());
            assertEquals(1, runs.mostAtOnce());
            runs.submit("fails", task -> { throw new IllegalStateException("no data"); });
            assertTrue(runs.awaitIdle(30_000));
            assertEquals("fails: failed: no data", runs.history().get(runs.history().size() - 1));
            runs.close();                                       // a closed panel displayed again runs again
            runs.submit("again", task -> {});
            assertTrue(runs.awaitIdle(30_000));
            assertTrue(runs.history().get(runs.history().size() - 1).startsWith("again: done"), runs.history().toString());
        } finally {
            runs.close();
        }
        assertThrows(CancellationException.class, () -> { Thread.currentThread().interrupt(); Progress.checkInterrupted("x"); });
    }
}
