package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.prognos.api.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which interval a reading falls into. */
class GridTest {

    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    /** Readings every interval at {@code phase} into it, each moved by up to {@code jitter} either way. */
    private static List<Reading> steady(Duration interval, Duration phase, long jitterMs, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long d = jitterMs == 0 ? 0 : r.nextLong(2 * jitterMs + 1) - jitterMs;
            out.add(new Reading(
                    Series.T0.plus(interval.multipliedBy(i)).plus(phase).plusMillis(d), i));
        }
        return out;
    }

    @Test
    void readingsJitteringAcrossABoundaryFallIntoTheIntervalsTheyWereMeantFor() {
        // A device reporting every five minutes on the boundary, its clock on time, a second ahead
        // or a second behind, each reading up to 20 s either way: reading i is the one of interval i.
        for (Duration clock : List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(-1))) {
            List<Reading> readings = steady(FIVE_MINUTES, clock, 20_000, 3);
            Grid grid = Grid.of(FIVE_MINUTES, readings);
            Grid plain = Grid.plain(FIVE_MINUTES);
            long first = plain.bucket(Series.T0.toEpochMilli());
            int plainMisplaced = 0;
            for (int i = 0; i < readings.size(); i++) {
                long t = readings.get(i).timestamp().toEpochMilli();
                assertEquals(first + i, grid.bucket(t), "reading " + i + ", clock " + clock + ", " + grid);
                plainMisplaced += plain.bucket(t) == first + i ? 0 : 1;
            }
            assertNotEquals(0, plainMisplaced, "the plain grid puts some into a neighbour (clock " + clock + ")");
        }
    }

    @Test
    void aRegularSensorsIntervalsAreThePlainGridsWhateverItsPhase() {
        for (Duration phase :
                List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMinutes(2), Duration.ofSeconds(290))) {
            List<Reading> readings = steady(FIVE_MINUTES, phase, 0, 0);
            Grid grid = Grid.of(FIVE_MINUTES, readings);
            for (Reading r : readings) {
                long t = r.timestamp().toEpochMilli();
                assertEquals(Grid.plain(FIVE_MINUTES).bucket(t), grid.bucket(t), "phase " + phase + ", " + grid);
            }
        }
        // But a reading a second before the boundary, every time, is the boundary's.
        List<Reading> behind = steady(FIVE_MINUTES, Duration.ofSeconds(299), 0, 0);
        Grid grid = Grid.of(FIVE_MINUTES, behind);
        for (Reading r : behind) {
            long t = r.timestamp().toEpochMilli();
            assertEquals(Grid.plain(FIVE_MINUTES).bucket(t) + 1, grid.bucket(t), grid.toString());
        }
    }

    @Test
    void aSensorReportingManyTimesPerIntervalKeepsThePlainGrid() {
        // Every 7 s into 5-minute intervals: the readings' phases spread over the interval.
        List<Reading> readings = steady(Duration.ofSeconds(7), Duration.ZERO, 0, 0);
        assertEquals(Grid.plain(FIVE_MINUTES), Grid.of(FIVE_MINUTES, readings));
        // Twice per interval at opposite phases: no usual time either.
        List<Reading> twice = steady(Duration.ofSeconds(150), Duration.ZERO, 0, 0);
        assertEquals(Grid.plain(FIVE_MINUTES), Grid.of(FIVE_MINUTES, twice));
        // Every second into hourly intervals: the latest 1,000 readings are 17 minutes of one hour,
        // a phase as steady as a usual time's, and the boundaries were moved to half past.
        List<Reading> seconds = steady(Duration.ofSeconds(1), Duration.ZERO, 0, 0);
        assertEquals(Grid.plain(Duration.ofHours(1)), Grid.of(Duration.ofHours(1), seconds));
    }

    @Test
    void anIntervalIsLabelledByItsStartOnTheEpochAlignedGrid() {
        Grid grid = new Grid(FIVE_MINUTES, FIVE_MINUTES.toMillis() / 2);
        long t = Series.T0.plus(Duration.ofMinutes(10)).minusSeconds(2).toEpochMilli(); // 00:09:58
        assertEquals(Series.T0.plus(Duration.ofMinutes(10)), grid.start(grid.bucket(t)));
    }
}
