package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Readings are acknowledged to the broker only once what they produced is stored. */
class AcknowledgerTest {

    private static final RetryLaterException DOWN = new RetryLaterException(
            RetryLaterException.Reason.STORE_UNAVAILABLE, "database down", Duration.ofSeconds(1), null);

    private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }

    @Test
    void acknowledgementsWaitWhileTheDatabaseIsDownAndAreSentOnceItIsBack() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger syncs = new AtomicInteger();
        AtomicInteger acked = new AtomicInteger();
        try (Acknowledger acks = new Acknowledger(() -> {
            syncs.incrementAndGet();
            if (down.get()) {
                throw DOWN;
            }
        })) {
            for (int i = 0; i < 50; i++) {
                acks.processed(acked::incrementAndGet);
            }
            waitFor(() -> syncs.get() >= 3); // tried, paused, tried again
            assertTrue(syncs.get() >= 3, "syncs while down: " + syncs.get());
            assertEquals(0, acked.get(), "nothing acknowledged while what it produced is not stored");
            acks.processed(acked::incrementAndGet);
            down.set(false);
            waitFor(() -> acked.get() == 51);
            assertEquals(51, acked.get(), "all acknowledged once stored");
        }
        assertEquals(51, acked.get(), "and each once");
    }

    @Test
    void whatIsNotStoredAtShutdownStaysUnacknowledged() {
        AtomicInteger acked = new AtomicInteger();
        Acknowledger acks = new Acknowledger(() -> {
            throw DOWN;
        });
        acks.processed(acked::incrementAndGet);
        acks.processed(acked::incrementAndGet);
        acks.close();
        assertEquals(0, acked.get(), "the broker sends them again to the next session");
    }
}
