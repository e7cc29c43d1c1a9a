package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Processing stops at a refused commit and starts again once the results are stored, once each way
 * however many refusals come meanwhile. With a real broker and database:
 * {@code KafkaReadingsTest.aForecastIsCommittedOnlyOnceTheDatabaseHoldsItAndSoonAfter}.
 */
class ProcessingPauseTest {

    private static final RetryLaterException NOT_STORED = new RetryLaterException(
            RetryLaterException.Reason.STORE_UNAVAILABLE, "not yet stored", Duration.ofMillis(50), null);

    @Test
    void aRefusalPausesOnceAndProcessingResumesOnlyWhenEverythingIsStored() throws Exception {
        AtomicInteger syncs = new AtomicInteger();
        AtomicInteger pauses = new AtomicInteger();
        CountDownLatch resumed = new CountDownLatch(1);
        // Stored from the fourth probe on.
        try (ProcessingPause pause = new ProcessingPause(() -> {
            if (syncs.incrementAndGet() < 4) {
                throw NOT_STORED;
            }
        })) {
            pause.attach(pauses::incrementAndGet, resumed::countDown);
            pause.refused(NOT_STORED);
            pause.refused(NOT_STORED); // the replaced thread's handler tells the same refusal
            assertTrue(pause.paused());
            assertEquals(1, pauses.get(), "paused once");
            assertTrue(resumed.await(10, TimeUnit.SECONDS), "resumed once stored");
            assertEquals(4, syncs.get(), "probed until stored, not resumed before");
            assertFalse(pause.paused());
            pause.refused(NOT_STORED);
            assertEquals(2, pauses.get(), "a later refusal pauses again");
        }
    }

    @Test
    void aClosedPauseNeitherPausesNorResumes() throws Exception {
        AtomicInteger pauses = new AtomicInteger();
        AtomicInteger resumes = new AtomicInteger();
        CountDownLatch probed = new CountDownLatch(1);
        ProcessingPause pause = new ProcessingPause(probed::countDown);
        pause.attach(pauses::incrementAndGet, resumes::incrementAndGet);
        pause.close();
        pause.refused(NOT_STORED);
        assertFalse(pause.paused());
        assertEquals(0, pauses.get());
        assertFalse(probed.await(300, TimeUnit.MILLISECONDS), "no probe after close");
        assertEquals(0, resumes.get());
    }
}
