package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.prognos.api.RetryLaterException;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.host.core.AlertEpisodes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Reading back a sensor's open alert, and what a database that does not answer costs a stream thread. */
class StoredOpenAlertsTest {

    static final AlertEpisodes.Open OPEN =
            new AlertEpisodes.Open(RiskLevel.HIGH, Instant.parse("2025-05-01T00:00:00Z"));

    final List<SensorId> asked = new ArrayList<>();
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicLong now = new AtomicLong();
    final StoredOpenAlerts alerts = new StoredOpenAlerts(
            s -> {
                asked.add(s);
                if (down.get()) {
                    throw RetryLaterException.storeUnavailable("reading the open alert of " + s, null);
                }
                return OPEN;
            },
            now::get);

    static SensorId sensor(int i) {
        return SensorId.of("pump-" + i, "temp");
    }

    /**
     * After the database did not answer one ask on a stream thread, the sensors started afresh in
     * the next 30 s are not asked for (each ask would wait a connection timeout there); after them,
     * it is asked again, and once it answers, for every sensor.
     */
    @Test
    void aStreamThreadAsksNoneForThirtySecondsAfterTheDatabaseDidNotAnswer() {
        down.set(true);
        assertNull(alerts.onStream(sensor(1)));
        now.addAndGet(StoredOpenAlerts.QUIET_AFTER_UNANSWERED.toNanos() - 1);
        assertNull(alerts.onStream(sensor(2)));
        assertEquals(List.of(sensor(1)), asked, "not asked within the quiet period");
        now.addAndGet(1);
        down.set(false);
        assertEquals(OPEN, alerts.onStream(sensor(3)), "asked again after it");
        assertEquals(OPEN, alerts.onStream(sensor(4)));
        assertEquals(List.of(sensor(1), sensor(3), sensor(4)), asked);
    }

    /** Over MQTT and REST a sensor whose readings' read just failed is not asked for; the others are, each. */
    @Test
    void aSensorWhoseReadingsWereUnreadIsNotAskedForAndTheOthersAre() {
        assertNull(alerts.forContext(sensor(1), true));
        down.set(true);
        assertNull(alerts.forContext(sensor(2), false));
        assertNull(alerts.forContext(sensor(3), false));
        down.set(false);
        assertEquals(OPEN, alerts.forContext(sensor(4), false));
        assertEquals(List.of(sensor(2), sensor(3), sensor(4)), asked);
    }
}
