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
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = grid.bucket(readings.get(i).timestamp().toEpochMilli());
            values[i] = readings.get(i).value();
        }
        int[] order = timeOrder(buckets);

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

        double[] run = new double[Math.min(count, 1024)];
        int length = 0;
        long segStart = ids[0];
        run[length++] = means[0];
        for (int k = 1; k < count; k++) {
            long missing = ids[k] - ids[k - 1] - 1;
            if (missing > maxGapSteps) {
                segments.add(new Segment(segStart, Arrays.copyOf(run, length)));
                length = 0;
                segStart = ids[k];
            } else {
                run = room(run, length + (int) missing + 1);
                double from = run[length - 1];
                for (long m = 1; m <= missing; m++) {
                    run[length++] = from + (means[k] - from) * m / (missing + 1);
                }
            }
            run = room(run, length + 1);
            run[length++] = means[k];
        }
        segments.add(new Segment(segStart, Arrays.copyOf(run, length)));
        return segments;
    }

    private static double[] room(double[] run, int needed) {
        return needed <= run.length ? run : Arrays.copyOf(run, Math.max(needed, 2 * run.length));
    }

    /**
     * The readings' indices in bucket order, readings of one bucket in their given order (so that
     * a bucket's mean is summed in the same order whatever the sort). Without boxing: a 30-day history
     * of a one-second sensor (2.6 million readings) as {@code Integer}s and its series as a list of
     * {@code Double}s needed about 100 MB more, and its training ran out of a 256 MB heap here.
     */
    static int[] timeOrder(long[] buckets) {
        int[] order = new int[buckets.length];
        boolean sorted = true;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            sorted &= i == 0 || buckets[i] >= buckets[i - 1];
            min = Math.min(min, buckets[i]);
            max = Math.max(max, buckets[i]);
        }
        if (sorted) {
            return order; // as read from a database, ordered by time
        }
        // Bucket (counted from the least) above index in one long: sorting them sorts by bucket, then index.
        int indexBits = 64 - Long.numberOfLeadingZeros(order.length);
        long span = max - min;
        if (span >= 0 && (span >>> (63 - indexBits)) == 0) {
            long[] keys = new long[order.length];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = ((buckets[i] - min) << indexBits) | i;
            }
            Arrays.sort(keys);
            long mask = (1L << indexBits) - 1;
            for (int i = 0; i < keys.length; i++) {
                order[i] = (int) (keys[i] & mask);
            }
            return order;
        }
        // Buckets too far apart to share a long with an index (centuries of milliseconds): boxed.
        Integer[] boxed = new Integer[order.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> Long.compare(buckets[a], buckets[b]));
        for (int i = 0; i < boxed.length; i++) {
            order[i] = boxed[i];
        }
        return order;
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
