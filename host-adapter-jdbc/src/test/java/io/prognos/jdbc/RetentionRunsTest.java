package io.prognos.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What a plant's meters read of a retention: the rows it deleted, and whether its last run failed. */
class RetentionRunsTest {

    @Test
    void aRunThatFailsIsToldUntilOneSucceedsAndTheDeletedRowsAddUp() {
        Deque<Supplier<RetentionRuns.Pruned>> outcomes = new ArrayDeque<>(List.of(
                () -> new RetentionRuns.Pruned(Map.of("forecasts", 3L, "alerts", 1L), false),
                () -> {
                    throw new RetryLaterException(
                            RetryLaterException.Reason.STORE_UNAVAILABLE, "the database does not answer", null, null);
                },
                () -> {
                    throw new IllegalStateException("relation \"forecasts\" does not exist");
                },
                () -> new RetentionRuns.Pruned(Map.of("forecasts", 2L), true)));
        RetentionRuns runs = new RetentionRuns(
                "results", Duration.ofDays(30), now -> outcomes.pop().get());

        runs.run();
        assertEquals(4, runs.deleted());
        assertFalse(runs.failing());
        runs.run();
        assertTrue(runs.failing(), "an outage");
        assertEquals(4, runs.deleted());
        runs.run();
        assertTrue(runs.failing(), "another failure");
        runs.run();
        assertFalse(runs.failing(), "a run that stopped where another host deletes did not fail");
        assertEquals(6, runs.deleted());
    }
}
