package dev.jaclab.kernel.widgets;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonParser;

/** Widget state, listeners and JSON without a front end (the protocol itself is tested in test/kernel/test_widgets.py). */
class WidgetStateTest {
    @Test void sliderClampsAndFiresOnlyOnChange() {
        IntSlider s = IntSlider.of(50, 0, 10);
        assertEquals(10, s.value());
        List<Integer> seen = new ArrayList<>();
        s.onChange(seen::add);
        s.value(4);
        s.value(4);
        s.value(-3);
        assertEquals(List.of(4, 0), seen);
        assertThrows(IllegalArgumentException.class, () -> IntSlider.of(0, 5, 1));
    }

    @Test void frontEndValuesAreConvertedToTheKeysType() {
        IntSlider s = IntSlider.of(1, 0, 10);
        assertEquals(7, s.fromFrontEnd("value", JsonParser.parseString("7"), 1));
        assertEquals(10, s.fromFrontEnd("value", JsonParser.parseString("70"), 1));
        assertThrows(IllegalArgumentException.class, () -> s.fromFrontEnd("value", JsonParser.parseString("7.5"), 1));
        assertThrows(RuntimeException.class, () -> s.fromFrontEnd("value", JsonParser.parseString("\"abc\""), 1));
        Dropdown d = Dropdown.of("a", "b");
        assertThrows(IllegalArgumentException.class, () -> d.fromFrontEnd("value", JsonParser.parseString("\"c\""), "a"));
        assertThrows(IllegalArgumentException.class, () -> d.value("c"));
    }

    @Test void stateJsonHasTheFrontEndsModelNamesAndReferences() {
        var state = IntSlider.of(3, 0, 10).fullState();
        assertEquals("IntSliderModel", state.get("_model_name").getAsString());
        assertEquals(KernelComms.FRONTEND_VERSION, state.get("_model_module_version").getAsString());
        assertEquals(3, state.get("value").getAsInt());
        assertTrue(state.get("layout").getAsString().startsWith(WidgetJson.MODEL_PREFIX));
    }

    @Test void closeDropsListenersAndRefusesNewOnes() {
        Checkbox c = Checkbox.of(false, "x");
        c.onChange(v -> {});
        Button b = Button.of("go");
        int[] clicks = {0};
        b.onClick(() -> clicks[0]++);
        b.click();
        assertEquals(1, clicks[0]);
        Box box = Box.vbox(c, b);
        box.close();
        assertEquals(0, c.listenerCount());
        assertEquals(0, b.listenerCount());
        assertTrue(c.isClosed() && b.isClosed());
        assertThrows(IllegalStateException.class, () -> c.onChange(v -> {}));
    }

    @Test void logSliderMovesOnTheExponentAndShowsTheValue() {
        FloatLogSlider lr = FloatLogSlider.of(1e-3, 1e-6, 1);
        assertEquals(1e-3, lr.value(), 1e-15);
        List<Double> seen = new ArrayList<>();
        lr.onChange(seen::add);
        lr.value(1e-2);
        assertEquals(1, seen.size());
        assertEquals(1e-2, seen.get(0), 1e-14);
        var children = (List<?>) lr.get("children");
        FloatSlider exponent = (FloatSlider) children.get(0);
        assertEquals(-2, exponent.value(), 1e-12);
        assertEquals("0.0100", ((Text) children.get(1)).value());
        lr.value(1e3);
        assertEquals(1, lr.value(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> FloatLogSlider.of(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> lr.value(-1));
    }

    @Test void displayOutsideTheKernelSaysWhy() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> IntSlider.of(1, 0, 2).open());
        assertTrue(e.getMessage().contains("only inside the JacLab kernel"), e.getMessage());
    }
}
