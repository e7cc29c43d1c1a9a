package io.prognos.evaluation.data;

import io.prognos.api.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A series resampled to bucket means on an epoch-aligned grid, NaN where a bucket is empty:
 * what forecasts are scored against. Bucket {@code i} is labelled {@code time(i)} and holds the
 * readings in {@code [readingsFrom(i), readingsFrom(i + 1))}: {@code offset} earlier, as a model's
 * intervals are ({@link io.prognos.api.ModelInfo#intervalOffset()}).
 */
public record Resampled(Instant start, Duration interval, Duration offset, double[] values) {

    /** The label of bucket {@code i}, the time its forecast points carry. */
    public Instant time(int i) {
        return start.plus(interval.multipliedBy(i));
    }

    /** The time of the first reading bucket {@code i} may hold. */
    public Instant readingsFrom(int i) {
        return time(i).minus(offset);
    }

    public int size() {
        return values.length;
    }

    public static Resampled of(List<Reading> readings, Duration interval) {
        return of(readings, interval, Duration.ZERO);
    }

    public static Resampled of(List<Reading> readings, Duration interval, Duration offset) {
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("no readings to resample");
        }
        long step = interval.toMillis();
        long shift = offset.toMillis();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Reading r : readings) {
            long b = Math.floorDiv(r.timestamp().toEpochMilli() + shift, step);
            first = Math.min(first, b);
            last = Math.max(last, b);
        }
        int n = Math.toIntExact(last - first + 1);
        double[] sum = new double[n];
        int[] count = new int[n];
        for (Reading r : readings) {
            int i = (int) (Math.floorDiv(r.timestamp().toEpochMilli() + shift, step) - first);
            sum[i] += r.value();
            count[i]++;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
        }
        return new Resampled(Instant.ofEpochMilli(first * step), interval, offset, v);
    }
}
