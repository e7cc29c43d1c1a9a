package io.prognos.lstm;

import io.prognos.api.InvalidReadingException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns raw readings into regular series: sorts them, averages them into buckets of the sensor's
 * interval (which also merges duplicates), interpolates short gaps linearly, and splits the
 * history at long gaps, which are never bridged.
 */
final class SeriesPreparer {

    /**
     * A run of consecutive buckets with no unbridged gap; {@code startBucket} is the first bucket's
     * index on the sensor's {@link Grid}.
     */
    record Segment(long startBucket, double[] values) {
        int length() {
            return values.length;
        }
    }

    private SeriesPreparer() {}

    /** Segments oldest first. Throws {@link InvalidReadingException} on NaN, infinite or huge values ({@link Reading#MAX_MAGNITUDE}). */
    static List<Segment> prepare(SensorId sensor, List<Reading> readings, Grid grid, int maxGapSteps) {
        rejectUnusable(sensor, readings);
        List<Segment> segments = new ArrayList<>();
        if (readings.isEmpty()) {
            return segments;
        }
        long[] buckets = new long[readings.size()];
        double[] values = new double[readings.size()];
        Integer[] order = new Integer[readings.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            buckets[i] = grid.bucket(readings.get(i).timestamp().toEpochMilli());
            values[i] = readings.get(i).value();
        }
        Arrays.sort(order, (a, b) -> Long.compare(buckets[a], buckets[b]));

        // Mean per bucket, in time order; duplicates and out-of-order readings land in the same bucket.
        long[] ids = new long[order.length];
        double[] means = new double[order.length];
        int count = 0;
        int i = 0;
        while (i < order.length) {
            long b = buckets[order[i]];
            double sum = 0;
            int n = 0;
            while (i < order.length && buckets[order[i]] == b) {
                sum += values[order[i]];
                n++;
                i++;
            }
            ids[count] = b;
            means[count++] = sum / n;
        }

        List<Double> current = new ArrayList<>();
        long segStart = ids[0];
        current.add(means[0]);
        for (int k = 1; k < count; k++) {
            long missing = ids[k] - ids[k - 1] - 1;
            if (missing > maxGapSteps) {
                segments.add(segment(segStart, current));
                current = new ArrayList<>();
                segStart = ids[k];
            } else {
                double from = current.get(current.size() - 1);
                for (long m = 1; m <= missing; m++) {
                    current.add(from + (means[k] - from) * m / (missing + 1));
                }
            }
            current.add(means[k]);
        }
        segments.add(segment(segStart, current));
        return segments;
    }

    private static Segment segment(long startBucket, List<Double> values) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new Segment(startBucket, v);
    }

    /**
     * Refuses readings that are not usable measurements ({@link Reading#isUsable}), naming the
     * first and how many: for training here and for scoring in {@link Observer}.
     */
    static void rejectUnusable(SensorId sensor, List<Reading> readings) {
        int bad = 0;
        Reading first = null;
        for (Reading r : readings) {
            if (!r.isUsable()) {
                bad++;
                if (first == null) {
                    first = r;
                }
            }
        }
        if (bad > 0) {
            throw new InvalidReadingException(sensor, first.timestamp(), first.value(), bad);
        }
    }
}
