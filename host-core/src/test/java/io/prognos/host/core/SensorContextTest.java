package io.prognos.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring of recent readings: the newest ones in order, however far it has grown or wrapped. */
class SensorContextTest {

    private static final SensorId SENSOR = SensorId.of("press-1", "temp");

    private static List<Reading> readings(int n) {
        List<Reading> out = new ArrayList<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < n; i++) {
            out.add(new Reading(t0.plus(Duration.ofMinutes(i)), i));
        }
        return out;
    }

    private static SensorContext fed(int capacity, List<Reading> readings) {
        SensorContext c = new SensorContext(SENSOR, capacity);
        readings.forEach(c::add);
        return c;
    }

    @Test
    void keepsTheNewestReadingsInOrderAsItGrowsAndWraps() {
        for (int capacity : new int[] {1, 5, 16, 17, 40, 100, 2048}) {
            for (int n : new int[] {0, 1, 15, 16, 17, 33, 64, 250, 5000}) {
                List<Reading> all = readings(n);
                SensorContext c = fed(capacity, all);
                List<Reading> newest = all.subList(Math.max(0, n - capacity), n);
                assertEquals(newest, c.readings(), "capacity " + capacity + ", " + n + " readings");
                assertEquals(newest.size(), c.buffered());
            }
        }
    }

    @Test
    void keepsEachReadingsTimeToTheNanosecondAndItsValueExactly() {
        List<Reading> odd = List.of(
                new Reading(Instant.parse("1900-01-01T00:00:00.5Z"), -0.0),
                new Reading(Instant.parse("1969-12-31T23:59:59.999999999Z"), Double.MIN_VALUE),
                new Reading(Instant.parse("2026-01-01T00:00:00.123456789Z"), 1e300));
        assertEquals(odd, fed(16, odd).readings());
    }

    @Test
    void comesBackFromItsBytesWithItsReadings() throws Exception {
        List<Reading> all = readings(70);
        SensorContext c = fed(50, all);
        SensorContext back = SensorContext.fromBytes(c.toBytes(), 50).context();
        assertEquals(all.subList(20, 70), back.readings());
        // and goes on keeping the newest 50
        Reading next = new Reading(Instant.parse("2026-02-01T00:00:00Z"), -1);
        back.add(next);
        assertEquals(next, back.readings().get(49));
        assertEquals(all.get(21), back.readings().get(0));
    }
}
