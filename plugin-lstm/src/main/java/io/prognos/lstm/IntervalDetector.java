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

    /** How many of the newest spacings tell a cadence that has changed ({@link #detect}). */
    static final int RECENT_SPACINGS = 30;

    /**
     * How much coarser each of the newest spacings must be than the history's median for their own
     * median to be taken: two intervals or more were interpolated between each two readings. Each,
     * not their median, so that a sensor reporting on change does not move to a coarse interval for
     * a quiet spell; the host's sensor cycle asks for a training on the same terms.
     */
    static final int COARSER = 3;

    private IntervalDetector() {}

    /**
     * The detected interval, or null with fewer than two distinct timestamps: the median spacing,
     * or that of the newest {@link #RECENT_SPACINGS} when each of them is at least {@link #COARSER}
     * times the history's median. A device set to report hourly instead of every minute was modelled at a minute until
     * more than half of its history came hourly (2,048 readings: 43 days), each hourly reading
     * interpolated over 59 intervals; its finer past averages into the coarser intervals. The
     * reverse is not taken: a coarse past cannot be cut into finer intervals.
     */
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
        long[] newest = n >= 2 * RECENT_SPACINGS ? Arrays.copyOfRange(gaps, n - RECENT_SPACINGS, n) : null;
        Arrays.sort(gaps, 0, n);
        long median = gaps[n / 2];
        if (newest != null) {
            Arrays.sort(newest);
            if (newest[0] >= COARSER * median) {
                return round(Duration.ofMillis(newest[RECENT_SPACINGS / 2]));
            }
        }
        return round(Duration.ofMillis(median));
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
