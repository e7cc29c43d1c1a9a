package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class CoordinatorContactTest {

    private final Map<MetricName, Metric> metrics = new HashMap<>();

    private void put(String group, String name, String client, double value) {
        MetricName n = new MetricName(name, group, "", Map.of("client-id", client));
        metrics.put(n, new Metric() {
            @Override
            public MetricName metricName() {
                return n;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }

    private void heartbeat(String thread, double secondsAgo) {
        put(CoordinatorContact.GROUP, CoordinatorContact.NAME, thread + "-consumer", secondsAgo);
    }

    /** The newest heartbeat of any stream thread counts; other metrics, and none at all, do not. */
    @Test
    void theNewestHeartbeatOfAnyThreadCounts() {
        assertTrue(Double.isNaN(CoordinatorContact.secondsSinceHeartbeat(metrics)));
        put("consumer-metrics", CoordinatorContact.NAME, "x", 1); // another group
        put(CoordinatorContact.GROUP, "heartbeat-rate", "x", 0.3);
        heartbeat("StreamThread-1", 40);
        heartbeat("StreamThread-2", 4);
        heartbeat("StreamThread-3", -1); // a metric with no value yet
        assertEquals(4, CoordinatorContact.secondsSinceHeartbeat(metrics));
    }

    /**
     * Out of reach once no thread has sent a heartbeat for longer than the session timeout while
     * the streams run; back in reach with the next one; a rebalance (not running) changes neither.
     */
    @Test
    void touchIsLostAfterASessionWithoutHeartbeatsAndFoundWithTheNext() {
        AtomicBoolean running = new AtomicBoolean(true);
        try (CoordinatorContact c =
                new CoordinatorContact(() -> metrics, running::get, Duration.ofSeconds(15), "k:9092")) {
            heartbeat("StreamThread-1", 15);
            c.check();
            assertTrue(c.inTouch(), "at the session timeout, not past it");
            heartbeat("StreamThread-1", 16);
            running.set(false);
            c.check();
            assertTrue(c.inTouch(), "a rebalance decides nothing");
            running.set(true);
            c.check();
            assertFalse(c.inTouch());
            running.set(false);
            heartbeat("StreamThread-1", 0);
            c.check();
            assertFalse(c.inTouch(), "still out of reach while rebalancing");
            running.set(true);
            c.check();
            assertTrue(c.inTouch());
        }
    }
}
