package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.prognos.api.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The interval detected from a sensor's readings, and from a cadence that changed. */
class IntervalDetectorTest {

    private static final Instant T0 = Instant.parse("2025-06-01T00:00:00Z");

    /** {@code count} readings {@code every} apart after those given, each a few seconds late or early. */
    private static List<Reading> then(List<Reading> before, int count, Duration every, Random jitter) {
        List<Reading> out = new ArrayList<>(before);
        Instant t = before.isEmpty() ? T0 : before.get(before.size() - 1).timestamp();
        for (int i = 0; i < count; i++) {
            t = t.plus(every);
            out.add(new Reading(t.plusMillis(jitter.nextInt(4_000) - 2_000), 1));
        }
        return out;
    }

    @Test
    void theMedianSpacingRoundedToAUnit() {
        Random r = new Random(1);
        assertEquals(Duration.ofMinutes(5), IntervalDetector.detect(then(List.of(), 500, Duration.ofMinutes(5), r)));
        assertNull(IntervalDetector.detect(List.of(new Reading(T0, 1), new Reading(T0, 2))));
    }

    /**
     * A device set to report hourly instead of every minute: the newest 30 spacings give the
     * interval (its minute readings average into hours), not the history's median, which stayed at
     * a minute until half the history came hourly. Not before 30 hourly readings, not for a quiet
     * spell among them, and not the reverse.
     */
    @Test
    void aCadenceThatBecameCoarserIsTakenFromTheNewestSpacings() {
        Random r = new Random(2);
        List<Reading> minutes = then(List.of(), 1_500, Duration.ofMinutes(1), r);
        assertEquals(Duration.ofHours(1), IntervalDetector.detect(then(minutes, 30, Duration.ofHours(1), r)));
        assertEquals(Duration.ofMinutes(1), IntervalDetector.detect(then(minutes, 14, Duration.ofHours(1), r)));
        assertEquals(
                Duration.ofMinutes(1),
                IntervalDetector.detect(then(minutes, 30, Duration.ofMinutes(2), r)),
                "twice as coarse: the history's");
        List<Reading> halfHours = then(List.of(), 1_500, Duration.ofMinutes(30), r);
        assertEquals(
                Duration.ofMinutes(30),
                IntervalDetector.detect(
                        then(then(halfHours, 29, Duration.ofHours(2), r), 1, Duration.ofMinutes(30), r)),
                "a quiet spell: 29 of the newest 30 coarse");
        List<Reading> hours = then(List.of(), 1_500, Duration.ofHours(1), r);
        assertEquals(
                Duration.ofHours(1),
                IntervalDetector.detect(then(hours, 100, Duration.ofMinutes(1), r)),
                "finer: an hourly past cannot be cut into minutes");
    }

    /**
     * A sensor that reports on change: irregular spacings (their median 30 minutes, well inside the
     * unit's rounding) whose newest 30 stray from the median.
     */
    @Test
    void anIrregularSensorKeepsItsInterval() {
        Random r = new Random(3);
        List<Reading> out = new ArrayList<>();
        Instant t = T0;
        for (int i = 0; i < 1_500; i++) {
            t = t.plus(Duration.ofSeconds(60 + (long) (-Math.log(1 - r.nextDouble()) * 2_510)));
            out.add(new Reading(t, i));
        }
        Duration all = IntervalDetector.detect(out);
        assertEquals(Duration.ofMinutes(30), all);
        for (int k = 0; k < 200; k++) {
            t = t.plus(Duration.ofSeconds(60 + (long) (-Math.log(1 - r.nextDouble()) * 2_510)));
            out.add(new Reading(t, k));
            assertEquals(all, IntervalDetector.detect(out), "after " + (k + 1) + " more readings");
        }
    }
}
