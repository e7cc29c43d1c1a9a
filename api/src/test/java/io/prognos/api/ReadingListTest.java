package io.prognos.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadingListTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456789Z");

    private static List<Reading> readings(int n) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Reading(T0.plusNanos(1_000_000_001L * i), i == 5 ? Double.NaN : 50 + 0.25 * i));
        }
        return out;
    }

    /** The readings given, to the nanosecond and the bit of each value (a NaN among them, which the plugin refuses by name). */
    @Test
    void holdsTheReadingsAddedInTheirOrder() {
        List<Reading> given = readings(100); // grows past its first capacity
        ReadingList list = ReadingList.copyOf(given);
        assertEquals(given, list);
        assertEquals(given.get(99), list.get(99));
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(100));
        ReadingList.Builder b = ReadingList.builder(1);
        given.forEach(r -> b.add(r.timestamp(), r.value()));
        assertEquals(given, b.build());
        assertEquals(List.of(), ReadingList.copyOf(List.of()));
    }

    @Test
    void isImmutableAndItsBuilderBuildsOnce() {
        ReadingList.Builder b = ReadingList.builder().addAll(readings(3));
        ReadingList list = b.build();
        assertThrows(UnsupportedOperationException.class, () -> list.add(new Reading(T0, 1)));
        assertThrows(UnsupportedOperationException.class, () -> list.set(0, new Reading(T0, 1)));
        assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
        assertThrows(IllegalStateException.class, () -> b.add(T0, 1));
        assertThrows(IllegalStateException.class, b::build);
        assertEquals(readings(3), list);
    }

    /** The newest {@code max} of the readings added, oldest first, however far it went round. */
    @Test
    void aBuilderOfTheNewestKeepsTheNewestInTheirOrder() {
        for (int n : new int[] {0, 3, 7, 8, 9, 20, 100}) {
            List<Reading> given = readings(n);
            ReadingList.Builder b = ReadingList.newest(7).addAll(given);
            assertEquals(Math.max(0, n - 7), b.dropped(), "n " + n);
            assertEquals(given.subList(Math.max(0, n - 7), n), b.build(), "n " + n);
        }
        assertThrows(IllegalArgumentException.class, () -> ReadingList.newest(0));
    }

    /** A training request keeps a reading list as it is (no copy of a long history) and copies any other list. */
    @Test
    void aTrainRequestKeepsAReadingListAndCopiesOtherLists() {
        SensorId s = SensorId.of("pump-1", "vibration");
        ReadingList list = ReadingList.copyOf(readings(10));
        assertSame(list, new TrainRequest(s, list).history());
        List<Reading> mutable = readings(10);
        TrainRequest copied = new TrainRequest(s, mutable);
        mutable.clear();
        assertEquals(readings(10), copied.history());
        assertThrows(
                NullPointerException.class,
                () -> new TrainRequest(s, java.util.Arrays.asList(new Reading(T0, 1), null)));
    }
}
