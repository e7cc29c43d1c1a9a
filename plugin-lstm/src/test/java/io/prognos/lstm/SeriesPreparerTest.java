package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prognos.api.InvalidReadingException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesPreparerTest {

    private static final SensorId S = SensorId.of("pump-1", "temperature");
    private static final Duration HOUR = Duration.ofHours(1);

    private static Reading at(String time, double v) {
        return new Reading(Instant.parse(time), v);
    }

    @Test
    void averagesIrregularDuplicateAndOutOfOrderReadingsPerBucket() {
        List<Reading> readings = List.of(
                at("2025-01-01T01:40:00Z", 30),
                at("2025-01-01T00:10:00Z", 10),
                at("2025-01-01T00:50:00Z", 20),
                at("2025-01-01T00:50:00Z", 30), // duplicate timestamp: both count
                at("2025-01-01T01:05:00Z", 10));
        var segs = SeriesPreparer.prepare(S, readings, Grid.plain(HOUR), 3);
        assertEquals(1, segs.size());
        assertEquals(
                Instant.parse("2025-01-01T00:00:00Z").toEpochMilli() / 3_600_000,
                segs.get(0).startBucket());
        assertArrayEquals(new double[] {20, 20}, segs.get(0).values(), 1e-12);
    }

    /**
     * Readings in bucket order, one bucket's in their given order (its mean is summed in that
     * order), whether the buckets fit beside an index in one long or lie too far apart for it.
     */
    @Test
    void timeOrderIsAStableSortByBucket() {
        Random r = new Random(5);
        for (long scale : new long[] {1, Long.MAX_VALUE / 40}) {
            long[] buckets = new long[500];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = (r.nextInt(41) - 20) * scale; // many ties; the second scale spans most of a long
            }
            Integer[] expected = new Integer[buckets.length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = i;
            }
            Arrays.sort(expected, Comparator.comparingLong(i -> buckets[i])); // stable
            assertArrayEquals(
                    Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), SeriesPreparer.timeOrder(buckets));
        }
        assertArrayEquals(new int[] {0, 1, 2}, SeriesPreparer.timeOrder(new long[] {4, 4, 9}));
    }

    @Test
    void interpolatesShortGapsAndSplitsAtLongOnes() {
        List<Reading> readings = List.of(
                at("2025-01-01T00:00:00Z", 0),
                at("2025-01-01T03:00:00Z", 3), // 2 missing buckets: bridged linearly
                at("2025-01-01T04:00:00Z", 4),
                at("2025-01-01T09:00:00Z", 9), // 4 missing buckets > max gap 3: never bridged
                at("2025-01-01T10:00:00Z", 10));
        var segs = SeriesPreparer.prepare(S, readings, Grid.plain(HOUR), 3);
        assertEquals(2, segs.size());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4}, segs.get(0).values(), 1e-12);
        assertEquals(
                Instant.parse("2025-01-01T09:00:00Z").toEpochMilli() / 3_600_000,
                segs.get(1).startBucket());
        assertArrayEquals(new double[] {9, 10}, segs.get(1).values(), 1e-12);
    }

    @Test
    void rejectsNonFiniteValuesNamingTheFirstAndTheCount() {
        List<Reading> readings = List.of(
                at("2025-01-01T00:00:00Z", 1),
                at("2025-01-01T01:00:00Z", Double.NaN),
                at("2025-01-01T02:00:00Z", Double.POSITIVE_INFINITY),
                at("2025-01-01T03:00:00Z", -Double.MAX_VALUE)); // finite, but its differences overflow
        var e = assertThrows(
                InvalidReadingException.class, () -> SeriesPreparer.prepare(S, readings, Grid.plain(HOUR), 3));
        assertEquals(3, e.count());
        assertEquals(Instant.parse("2025-01-01T01:00:00Z"), e.firstTimestamp());
        assertEquals("value", e.field());
    }
}
