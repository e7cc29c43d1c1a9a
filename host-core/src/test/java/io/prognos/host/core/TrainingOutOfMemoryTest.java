package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import org.junit.jupiter.api.Test;

class TrainingOutOfMemoryTest {

    private static final SensorId SENSOR = SensorId.of("mill-4", "vibration");

    /** A requested training that ran out of heap is a capacity problem named for its sensor, with what to do. */
    @Test
    void runningOutOfHeapIsToldAsTheHostsCapacity() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        RetryLaterException e = assertThrows(
                RetryLaterException.class,
                () -> TrainingOutOfMemory.told(SENSOR, () -> {
                    throw oom;
                }));
        assertEquals(RetryLaterException.Reason.CAPACITY, e.reason());
        assertTrue(
                e.getMessage().contains("mill-4/vibration ran out of heap memory (Java heap space)")
                        && e.getMessage().contains("-Xmx"),
                e.getMessage());
        assertEquals(oom, e.getCause());
        assertTrue(e.retryAfter().toSeconds() > 0, "REST's Retry-After");
        // Anything else is as it was.
        assertEquals("model", TrainingOutOfMemory.told(SENSOR, () -> "model"));
        assertThrows(
                StackOverflowError.class,
                () -> TrainingOutOfMemory.told(SENSOR, () -> {
                    throw new StackOverflowError();
                }));
    }
}
