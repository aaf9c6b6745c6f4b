package dev.jaclab.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressTest {
    /** What a listener saw: the root's state and its chain's summaries at each call. */
    private final List<String> seen = new ArrayList<>();
    private final List<Progress.State> states = new ArrayList<>();

    private void listen(long delayMs) {
        Progress.delayMillis(delayMs);
        Progress.show(root -> {
            states.add(root.state());
            seen.add(String.join(" | ", root.chain().stream().map(Progress::summary).toList()));
        });
    }

    @AfterEach void off() {
        Progress.show(null);
        Progress.delayMillis(500);
    }

    @Test void rootIsShownOnceThenUpdatedAndEndsDone() {
        listen(0);
        try (Progress task = Progress.start("sweep", 3, "chunks")) {
            for (int i = 0; i < 3; i++) task.step();
        }
        assertEquals(Progress.State.RUNNING, states.get(0));            // the first step shows it
        assertTrue(seen.get(0).startsWith("sweep: 1/3 chunks · "), seen.get(0));
        assertEquals(Progress.State.DONE, states.get(states.size() - 1));
        assertTrue(seen.get(seen.size() - 1).startsWith("sweep: 3 chunks in "), seen.get(seen.size() - 1));
        assertTrue(states.size() <= 2, "steps within 200 ms are not each reported: " + seen);
    }

    @Test void shortWorkIsNeverShown() {
        listen(60_000);
        try (Progress task = Progress.start("quick", 2, "chunks")) {
            task.step(2);
        }
        assertTrue(seen.isEmpty(), seen.toString());
    }

    @Test void nestedTasksShowInsideTheirRootAndAStoppedRootSaysWhere() throws Exception {
        listen(0);
        Progress outer = Progress.start("explore sin", 4, "runs");
        outer.detail("sparseRows(2) at N=8");
        try (Progress inner = Progress.start("sparseRows(2)", 10, "chunks")) {
            assertSame(outer, inner.root());
            assertEquals(List.of(outer, inner), outer.chain());
            Thread.sleep(Progress.INTERVAL_MS + 20);                    // past the interval since the root was first shown
            inner.step(5);
        }
        assertEquals(List.of(outer), outer.chain());
        outer.step();
        outer.close();
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("explore sin: 0/4 runs") && s.contains(" | sparseRows(2): 5/10 chunks")), seen.toString());
        assertEquals(Progress.State.STOPPED, outer.state());
        assertTrue(seen.get(seen.size() - 1).startsWith("explore sin: stopped at 1/4 runs after "), seen.toString());
        try (Progress next = Progress.start("next", 1, "steps")) {
            assertSame(next, next.root());                               // the closed root is no longer current
        }
    }

    @Test void aFailingListenerDoesNotStopTheWork() {
        Progress.delayMillis(0);
        Progress.show(root -> { throw new IllegalStateException("no cell is running"); });
        try (Progress task = Progress.start("work", 2, "steps")) {
            task.step(2);
            assertEquals(2, task.done());
        }
    }

    @Test void anInterruptedThreadIsCancelledOnceAndTheInterruptCleared() {
        Progress.checkInterrupted("nothing");                            // not interrupted: returns
        Thread.currentThread().interrupt();
        CancellationException e = assertThrows(CancellationException.class, () -> Progress.checkInterrupted("sin"));
        assertEquals("interrupted: sin", e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test void rateAndTimeLeftFollowTheStepsDone() throws Exception {
        try (Progress task = Progress.start("steps", 10, "steps")) {
            assertTrue(Double.isNaN(task.secondsLeft()));
            Thread.sleep(20);
            task.step(5);
            assertTrue(task.rate() > 0);
            assertEquals(task.elapsedSeconds(), task.secondsLeft(), task.elapsedSeconds() * 0.5);   // half done: about as long again
            assertEquals(0.5, task.fraction());
        }
        assertEquals("3.0 s", Progress.duration(3.04));
        assertEquals("1 min 05 s", Progress.duration(65));
        assertEquals("2 h 07 min", Progress.duration(2 * 3600 + 7 * 60 + 3));
    }
}
