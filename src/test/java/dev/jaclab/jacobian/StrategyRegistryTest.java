package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one strategy registry: names round-trip, defaults fill missing parameters, bad names list the known ones. */
class StrategyRegistryTest {

    @Test void everyRegisteredNameRoundTrips() {
        List<Strategy> all = Strategies.all();
        assertTrue(all.size() >= 10, all.toString());
        for (Strategy s : all) assertEquals(s, Strategies.byName(s.name()), s.name());
        assertEquals(all.size(), all.stream().map(Strategy::name).distinct().count(), "names are unique");
    }

    @Test void parametersAndDefaults() {
        assertEquals(Strategies.chunked(64), Strategies.byName("chunked(64)"));
        assertEquals(Strategies.chunked(256), Strategies.byName("chunked"));
        assertEquals(Strategies.sparseRows(256), Strategies.byName(" sparseRows() "));
        assertEquals(Strategies.sparseRows(1024), Strategies.byName("sparseRows(1_024)"));
        assertEquals(Strategies.stochastic(32, 7), Strategies.byName("stochastic(32, 7)"));
        assertEquals(Strategies.stochastic(32, 0), Strategies.byName("stochastic(32)"));
        assertEquals(Strategies.reverseSum(), Strategies.byName("reverseSum"));
        assertTrue(Strategies.byName("reverseSum").checked(), "names build the checked sums");
    }

    @Test void badNamesGiveOneClearError() {
        for (String bad : new String[]{"nosuch", "chunked(abc)", "chunked(1, 2)", "chunked(0)", "sparseRows(64", "", "detached(1)"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategies.byName(bad), bad);
            assertFalse(e.getMessage().isBlank(), bad);
        }
        String unknown = assertThrows(IllegalArgumentException.class, () -> Strategies.byName("nosuch")).getMessage();
        for (Strategy s : Strategies.all()) assertTrue(unknown.contains(s.name().replaceAll("\\(.*", "")), unknown);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Strategies.byName("chunked(abc)")).getMessage().contains("chunk"));
    }

    @Test void listsSplitOutsideParentheses() {
        assertEquals(List.of(Strategies.forwardSum(), Strategies.stochastic(32, 7), Strategies.chunked(256)),
                Strategies.listByName("forwardSum, stochastic(32, 7),chunked"));
        assertThrows(IllegalArgumentException.class, () -> Strategies.listByName(" , "));
    }

    @Test void usesComeFromTheRegistry() {
        assertEquals(List.of("forwardSum", "reverseSum", "colored", "contextForward", "sparseRows(256)", "chunked(256)", "rowBlocks"),
                Strategies.all(Strategies.Use.EXPLORER).stream().map(Strategy::name).toList());
        assertEquals(List.of("forwardSum", "reverseSum", "sparseRows(256)", "chunked(256)"),
                Strategies.all(Strategies.Use.BACKEND_CHECK).stream().map(Strategy::name).toList());
        List<String> auto = Strategies.all(Strategies.Use.AUTO).stream().map(Strategy::name).toList();
        assertFalse(auto.contains("auto") || auto.contains("perElement") || auto.contains("stochastic(64)"), auto.toString());
        assertFalse(Strategies.reverseSum().unchecked().checked());
        assertSame(Strategies.colored().getClass(), Strategies.colored().unchecked().getClass());
    }
}
