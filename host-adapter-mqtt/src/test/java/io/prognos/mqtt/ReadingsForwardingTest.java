package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.ReadingsForwarder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Messages that wait while a batch is being forwarded go together in the next, in order, at most
 * {@link ReadingsForwarding#MAX_BATCH_READINGS} readings a batch (one must be taken within the
 * forwarder's wait), each acknowledged once its batch is taken.
 */
class ReadingsForwardingTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void messagesThatWaitedGoTogetherInBatchesOfAtMost10000Readings() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> batches = new CopyOnWriteArrayList<>();
        List<Reading> taken = new CopyOnWriteArrayList<>();
        ReadingsForwarder held = new ReadingsForwarder() {
            @Override
            public void checkDevice(String deviceId) {}

            @Override
            public void forward(Map<SensorId, List<Reading>> bySensor) {
                if (entered.getCount() > 0) {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                List<Reading> readings = bySensor.get(SensorId.of("line-4", "temp"));
                batches.add(readings.size());
                taken.addAll(readings);
            }

            @Override
            public String destination() {
                return "the test's list";
            }
        };
        List<Reading> sent = new ArrayList<>();
        List<Integer> acknowledged = new CopyOnWriteArrayList<>();
        try (ReadingsForwarding forwarding = new ReadingsForwarding(held, 100)) {
            for (int m = 0; m < 30; m++) {
                List<Reading> message = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    message.add(new Reading(T0.plus(Duration.ofHours(m * 400L + i)), m * 400 + i));
                }
                sent.addAll(message);
                int id = m;
                assertTrue(
                        forwarding.offer(Map.of(SensorId.of("line-4", "temp"), message), () -> acknowledged.add(id)));
                if (m == 0) {
                    // The first is being forwarded (and held) before the others arrive.
                    assertTrue(entered.await(30, TimeUnit.SECONDS));
                }
            }
            release.countDown();
            for (long end = System.nanoTime() + 30_000_000_000L;
                    acknowledged.size() < 30 && System.nanoTime() < end; ) {
                Thread.sleep(20);
            }
        }
        // The first message alone, then the 29 that waited: 25 of them (10,000 readings), then 4.
        assertEquals(List.of(400, 10_000, 1_600), batches);
        assertEquals(sent, taken, "in the order they came");
        List<Integer> inOrder = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            inOrder.add(m);
        }
        assertEquals(inOrder, acknowledged, "each acknowledged once its batch was taken, in order");
    }
}
