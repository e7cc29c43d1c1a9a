package io.prognos.lstm;

import io.prognos.api.Reading;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A sensor's data interval from its readings: the median spacing of consecutive readings, rounded
 * to the nearest sensible unit (by ratio), so that a 5-minute NAB series and a 1-second SKAB
 * channel need no configuration and jittery timestamps still give a round interval.
 */
final class IntervalDetector {

    private static final Duration[] UNITS = {
        Duration.ofMillis(100),
        Duration.ofMillis(200),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(2),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(15),
        Duration.ofMinutes(30),
        Duration.ofHours(1),
        Duration.ofHours(2),
        Duration.ofHours(3),
        Duration.ofHours(4),
        Duration.ofHours(6),
        Duration.ofHours(12),
        Duration.ofDays(1),
        Duration.ofDays(7)
    };

    private IntervalDetector() {}

    /** The detected interval, or null with fewer than two distinct timestamps. */
    static Duration detect(List<Reading> readings) {
        long[] t = new long[readings.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = readings.get(i).timestamp().toEpochMilli();
        }
        Arrays.sort(t);
        long[] gaps = new long[Math.max(0, t.length - 1)];
        int n = 0;
        for (int i = 1; i < t.length; i++) {
            if (t[i] > t[i - 1]) {
                gaps[n++] = t[i] - t[i - 1];
            }
        }
        if (n == 0) {
            return null;
        }
        Arrays.sort(gaps, 0, n);
        return round(Duration.ofMillis(gaps[n / 2]));
    }

    static Duration round(Duration spacing) {
        double s = Math.max(1, spacing.toMillis());
        Duration best = UNITS[0];
        double bestDistance = Double.MAX_VALUE;
        for (Duration u : UNITS) {
            double d = Math.abs(Math.log(s / u.toMillis()));
            if (d < bestDistance) {
                bestDistance = d;
                best = u;
            }
        }
        return best;
    }
}
