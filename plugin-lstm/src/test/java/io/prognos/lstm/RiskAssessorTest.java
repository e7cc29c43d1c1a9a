package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.OperatingLimits;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class RiskAssessorTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    /** The last reading arrived half an hour before the assessment. */
    private static final Instant READING = NOW.minus(Duration.ofMinutes(30));

    private final RiskAssessor assessor = new RiskAssessor(0.6);

    /** A forecast rising by {@code slope} per hour from {@code start}, with half-widths by step. */
    static Forecast forecast(SensorId sensor, double start, double slope, IntToDoubleFunction halfWidth) {
        List<ForecastPoint> pts = new ArrayList<>();
        for (int h = 1; h <= 12; h++) {
            double v = start + slope * h;
            double w = halfWidth.applyAsDouble(h);
            pts.add(new ForecastPoint(NOW.plus(Duration.ofHours(h)), h, v, v - w, v + w));
        }
        return new Forecast(sensor, NOW, NOW, start, Duration.ofHours(1), 0.9, "lstm", "", "v1", pts);
    }

    static Forecast linear(SensorId sensor, double start, double slope, double halfWidth) {
        return forecast(sensor, start, slope, h -> halfWidth);
    }

    private RiskAssessment assess(Forecast f, OperatingLimits limits) {
        return assessor.assess(f, limits, 0.1, 0.1, 0, 0.1, 0, ErrorShape.NORMAL, READING, NOW);
    }

    @Test
    void timeToFailureIsTheFirstCrossingWithItsRange() {
        RiskAssessment r = assess(linear(SensorId.of("d", "t"), 50, 2, 0.5), OperatingLimits.above(61));
        assertEquals(5.5, r.timeToFailureHours(), 0.3, "the line crosses at 5.5 h");
        assertTrue(
                r.timeToFailureLowHours() <= r.timeToFailureHours()
                        && r.timeToFailureHours() <= r.timeToFailureHighHours(),
                r.toString());
        assertEquals(RiskLevel.HIGH, r.level());
        assertTrue(r.score() >= 70 && r.score() < 90, "score " + r.score());
        assertTrue(r.crossingProbability() > 0.99);
        String range =
                String.format(Locale.ROOT, "(%.1f-%.1f h)", r.timeToFailureLowHours(), r.timeToFailureHighHours());
        assertTrue(
                r.reasons()
                        .get(0)
                        .endsWith("most likely in " + String.format(Locale.ROOT, "%.1f h ", r.timeToFailureHours())
                                + range),
                r.reasons().get(0));
        assertEquals(
                "Plan maintenance within " + (int) Math.floor(r.timeToFailureLowHours()) + " hours",
                r.recommendedAction());
        assertEquals(
                READING.plusSeconds(Math.round(r.timeToFailureLowHours() * 3600)),
                r.actBy(),
                "act-by counts from the last reading, not from when the assessment ran");
    }

    /**
     * A sensor whose readings have run above its forecast (CentreBias) is judged on paths shifted by
     * that much: a line rising 0.1 an hour from 50 crosses 51.5 at 15 h, after the horizon; read 0.6
     * higher, it crosses at 9 h.
     */
    @Test
    void theCentresRecentBiasShiftsThePaths() {
        Forecast f = linear(SensorId.of("d", "t"), 50, 0.1, 0.3);
        OperatingLimits limits = OperatingLimits.above(51.5);
        RiskAssessment plain = assessor.assess(f, limits, 0.1, 0.1, 0, 0.1, 0, ErrorShape.NORMAL, READING, NOW);
        RiskAssessment above = assessor.assess(f, limits, 0.1, 0.1, 0, 0.1, 0.6, ErrorShape.NORMAL, READING, NOW);
        RiskAssessment below = assessor.assess(f, limits, 0.1, 0.1, 0, 0.1, -0.6, ErrorShape.NORMAL, READING, NOW);
        assertTrue(plain.crossingProbability() < 0.2, plain.toString());
        assertNull(plain.timeToFailureHours(), plain.toString());
        assertTrue(above.crossingProbability() > 0.8, above.toString());
        assertEquals(9, above.timeToFailureHours(), 1.5, above.toString());
        assertTrue(below.crossingProbability() < plain.crossingProbability(), below.toString());
        assertEquals(f.points(), linear(SensorId.of("d", "t"), 50, 0.1, 0.3).points(), "the forecast untouched");
    }

    /**
     * Paths in the shape of errors that are peaked inside the interval and heavy beyond it: a level
     * flat at 50 with a half-width of 2 crosses 51 less often than a normal law says (about 14 % of
     * paths against 21 %: inside, the scores' law has less mass) and 54 more often (about 4 % against
     * none: beyond the interval, more).
     */
    @Test
    void thePathsTakeTheShapeOfTheCalibrationErrors() {
        double[] peaked = ErrorShapeTest.scores(l -> l <= 0.9 ? Math.pow(l / 0.9, 3) : 1 + 50 * (l - 0.9));
        double[][] perStep = new double[12][];
        java.util.Arrays.fill(perStep, peaked);
        ErrorShape shape = ErrorShape.of(Calibration.fromScores(perStep), 0.9);
        Forecast f = linear(SensorId.of("d", "t"), 50, 0, 2);
        double inNormal = crossing(f, 51, ErrorShape.NORMAL);
        double inShaped = crossing(f, 51, shape);
        assertEquals(0.21, inNormal, 0.05);
        assertEquals(0.14, inShaped, 0.05);
        assertTrue(inShaped < inNormal - 0.03, inShaped + " against " + inNormal);
        assertTrue(crossing(f, 54, ErrorShape.NORMAL) < 0.01);
        assertEquals(0.04, crossing(f, 54, shape), 0.02);
    }

    /**
     * A line from 10 rising 2 an hour within a narrow, bounded error law reaches 31 half way between
     * its 10th and 11th hours (30 and 32): the steps before are out of every path's reach of the
     * limit, and the crossing is still timed from the value of the step before it (from the last
     * reading's 10 it would read 10.95 h).
     */
    @Test
    void aCrossingAfterStepsOutOfReachIsTimedFromTheStepBefore() {
        double[][] perStep = new double[12][];
        java.util.Arrays.fill(perStep, ErrorShapeTest.scores(l -> l));
        ErrorShape bounded = ErrorShape.of(Calibration.fromScores(perStep), 0.9);
        Forecast f = linear(SensorId.of("d", "t"), 10, 2, 0.2);
        RiskAssessment r = assessor.assess(f, OperatingLimits.above(31), 0.1, 0.1, 0, 0.1, 0, bounded, READING, NOW);
        assertEquals(1, r.crossingProbability());
        assertEquals(10.5, r.timeToFailureHours(), 0.1, r.toString());
        assertEquals(10.5, r.timeToFailureLowHours(), 0.2, r.toString());
        assertEquals(10.5, r.timeToFailureHighHours(), 0.2, r.toString());
    }

    private double crossing(Forecast f, double high, ErrorShape shape) {
        return assessor.assess(f, OperatingLimits.above(high), 0.1, 0.1, 0, 0.1, 0, shape, READING, NOW)
                .crossingProbability();
    }

    @Test
    void aFallingSeriesCrossesItsLowLimit() {
        RiskAssessment r = assess(linear(SensorId.of("d", "p"), 10, -1, 0.2), OperatingLimits.between(4, 100));
        assertEquals(6.0, r.timeToFailureHours(), 0.3);
    }

    @Test
    void alreadyBeyondTheLimitIsCritical() {
        RiskAssessment r = assess(linear(SensorId.of("d", "t"), 70, 0, 0.5), OperatingLimits.above(61));
        assertEquals(RiskLevel.CRITICAL, r.level());
        assertEquals(100, r.score());
        assertEquals(0.0, r.timeToFailureHours());
        assertEquals(READING, r.actBy());
    }

    /**
     * A value beyond a warning limit now is medium, as one beyond a limit now is critical, even when
     * the forecast comes back inside (it was low: only the forecast was read); below it, with the
     * same forecast path shifted down, it is low.
     */
    @Test
    void aValueInTheWarningZoneNowIsMedium() {
        OperatingLimits limits = new OperatingLimits(null, null, 85.0, 91.5);
        RiskAssessment now = assess(linear(SensorId.of("d", "t"), 88, -5, 0.5), limits);
        assertEquals(RiskLevel.MEDIUM, now.level(), now.reasons().toString());
        assertTrue(
                now.reasons().get(0).contains("current value 88"), now.reasons().toString());
        RiskAssessment below = assess(linear(SensorId.of("d", "t"), 84, -5, 0.5), limits);
        assertEquals(RiskLevel.LOW, below.level(), below.reasons().toString());
    }

    /**
     * Intervals that widen like a random walk's ({@code sqrt(h)}), the limit where the last step's
     * tail is 10 %: a path that crosses on its way and comes back still crossed, so the probability of
     * crossing within the horizon is about twice the last step's tail (the reflection principle), not
     * the largest single step's 10 %.
     */
    @Test
    void theCrossingProbabilityCountsPathsNotTheLargestSingleStepTail() {
        double z90 = 1.6449;
        double sigma12 = 1.0;
        double limit = 50 + 1.2816 * sigma12; // P(Y12 > limit) = 0.10
        Forecast f = forecast(SensorId.of("d", "t"), 50, 0, h -> z90 * sigma12 * Math.sqrt(h / 12.0));
        RiskAssessment r = assess(f, OperatingLimits.above(limit));
        assertTrue(
                r.crossingProbability() > 0.13 && r.crossingProbability() < 0.22,
                "P(cross within the horizon) " + r.crossingProbability());
        assertEquals(RiskLevel.LOW, r.level(), "below a fifth: low");
        assertNull(r.timeToFailureHours(), "no median crossing when fewer than half the paths cross");
        assertNotNull(r.timeToFailureLowHours(), "but a tenth of them do, and that is when to look");
    }

    @Test
    void aWideIntervalNearTheLimitIsMediumWithoutAMedianCrossing() {
        RiskAssessment r = assess(linear(SensorId.of("d", "t"), 50, 0, 10), OperatingLimits.above(54));
        assertNull(r.timeToFailureHours());
        assertEquals(RiskLevel.MEDIUM, r.level());
        assertTrue(r.crossingProbability() > 0.2 && r.crossingProbability() < 0.5, "p " + r.crossingProbability());
    }

    @Test
    void withoutLimitsTheAnomalyScoreSetsTheLevel() {
        Forecast f = linear(SensorId.of("d", "t"), 50, 0, 1);
        RiskAssessment calm = assess(f, OperatingLimits.none());
        assertFalse(calm.limitsConfigured());
        assertEquals(RiskLevel.LOW, calm.level());
        assertTrue(
                calm.reasons().get(0).contains("no operating limits"),
                calm.reasons().toString());
        RiskAssessment once =
                assessor.assess(f, OperatingLimits.none(), 0.7, 0.1, 0, 0.1, 0, ErrorShape.NORMAL, READING, NOW);
        assertEquals(RiskLevel.LOW, once.level(), "one odd interval is reported, not alerted");
        assertTrue(
                once.reasons().stream().anyMatch(s -> s.contains("for one interval so far")),
                once.reasons().toString());
        RiskAssessment odd =
                assessor.assess(f, OperatingLimits.none(), 0.7, 0.65, 0, 0.1, 0, ErrorShape.NORMAL, READING, NOW);
        assertEquals(RiskLevel.MEDIUM, odd.level());
        assertTrue(
                odd.reasons().stream().anyMatch(s -> s.contains("departs from the model")),
                odd.reasons().toString());
        assertEquals(0.7, odd.anomalyScore());
        RiskAssessment broken =
                assessor.assess(f, OperatingLimits.none(), 0.95, 0.1, 0, 0.1, 0, ErrorShape.NORMAL, READING, NOW);
        assertEquals(RiskLevel.HIGH, broken.level());
        assertEquals(READING.plus(Duration.ofHours(24)), broken.actBy());
        RiskAssessment justBelow =
                assessor.assess(f, OperatingLimits.none(), 0.59, 0.59, 0, 0.1, 0, ErrorShape.NORMAL, READING, NOW);
        assertEquals(RiskLevel.LOW, justBelow.level(), "below the threshold the level stays low");
    }

    @Test
    void scheduleRanksDevicesByTheirWorstSensorAndHonoursTheWindow() {
        MaintenanceScheduler scheduler = new MaintenanceScheduler();
        RiskAssessment pumpSoon = assess(linear(SensorId.of("pump", "temp"), 50, 2, 0.5), OperatingLimits.above(55));
        RiskAssessment pumpLater = assess(linear(SensorId.of("pump", "vib"), 50, 1, 0.5), OperatingLimits.above(60));
        RiskAssessment fanMedium = assess(linear(SensorId.of("fan", "temp"), 50, 0, 10), OperatingLimits.above(54));
        RiskAssessment motorOk = assess(linear(SensorId.of("motor", "temp"), 50, 0, 0.1), OperatingLimits.above(90));
        List<ScheduleEntry> week =
                scheduler.schedule(List.of(fanMedium, pumpLater, motorOk, pumpSoon), Duration.ofDays(7));
        assertEquals(2, week.size(), "one entry per device; low risk is not scheduled");
        assertEquals(1, week.get(0).priority());
        assertEquals("pump", week.get(0).deviceId());
        assertEquals(SensorId.of("pump", "temp"), week.get(0).worstSensor());
        assertEquals(2, week.get(1).priority());
        assertEquals("fan", week.get(1).deviceId());
        assertEquals(pumpSoon.actBy(), week.get(0).actBy());
    }
}
