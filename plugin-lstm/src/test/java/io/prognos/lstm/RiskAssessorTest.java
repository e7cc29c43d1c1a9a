package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;

class RiskAssessorTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private final RiskAssessor assessor = new RiskAssessor();

    /** A forecast rising by {@code slope} per hour from {@code start}, with +-halfWidth intervals. */
    static Forecast linear(SensorId sensor, double start, double slope, double halfWidth) {
        List<ForecastPoint> pts = new ArrayList<>();
        for (int h = 1; h <= 12; h++) {
            double v = start + slope * h;
            pts.add(new ForecastPoint(NOW.plus(Duration.ofHours(h)), h, v, v - halfWidth, v + halfWidth));
        }
        return new Forecast(sensor, NOW, NOW, start, Duration.ofHours(1), 0.9, "lstm", "", "v1", pts);
    }

    private RiskAssessment assess(Forecast f, OperatingLimits limits) {
        return assessor.assess(f, limits, 0.1, 0.1, 100, NOW);
    }

    @Test
    void timeToFailureIsTheInterpolatedFirstCrossing() {
        RiskAssessment r = assess(linear(SensorId.of("d", "t"), 50, 2, 0.5), OperatingLimits.above(61));
        assertEquals(5.5, r.timeToFailureHours(), 1e-9);
        assertEquals(RiskLevel.HIGH, r.level());
        assertTrue(r.score() >= 70 && r.score() < 90, "score " + r.score());
        assertTrue(r.crossingProbability() > 0.99);
        assertEquals("Plan maintenance within 5 hours", r.recommendedAction());
    }

    @Test
    void aFallingSeriesCrossesItsLowLimit() {
        RiskAssessment r = assess(linear(SensorId.of("d", "p"), 10, -1, 0.2), OperatingLimits.between(4, 100));
        assertEquals(6.0, r.timeToFailureHours(), 1e-9);
    }

    @Test
    void alreadyBeyondTheLimitIsCritical() {
        RiskAssessment r = assess(linear(SensorId.of("d", "t"), 70, 0, 0.5), OperatingLimits.above(61));
        assertEquals(RiskLevel.CRITICAL, r.level());
        assertEquals(100, r.score());
        assertEquals(0.0, r.timeToFailureHours());
    }

    @Test
    void aWideIntervalNearTheLimitIsMediumWithoutACrossing() {
        RiskAssessment r = assess(linear(SensorId.of("d", "t"), 50, 0, 10), OperatingLimits.above(54));
        assertNull(r.timeToFailureHours());
        assertEquals(RiskLevel.MEDIUM, r.level());
        assertTrue(r.crossingProbability() > 0.2 && r.crossingProbability() < 0.5, "p " + r.crossingProbability());
    }

    @Test
    void withoutLimitsItSaysSoAndReliesOnDeviation() {
        Forecast f = linear(SensorId.of("d", "t"), 50, 0, 1);
        RiskAssessment calm = assess(f, OperatingLimits.none());
        assertFalse(calm.limitsConfigured());
        assertEquals(RiskLevel.LOW, calm.level());
        assertTrue(calm.reasons().get(0).contains("no operating limits"), calm.reasons().toString());
        RiskAssessment drifting = assessor.assess(f, OperatingLimits.none(), 0.4, 0.1, 100, NOW);
        assertEquals(RiskLevel.MEDIUM, drifting.level());
        assertTrue(drifting.reasons().stream().anyMatch(s -> s.contains("no longer matches")));
        RiskAssessment broken = assessor.assess(f, OperatingLimits.none(), 0.6, 0.1, 100, NOW);
        assertEquals(RiskLevel.HIGH, broken.level());
        RiskAssessment tooEarly = assessor.assess(f, OperatingLimits.none(), 0.6, 0.1, 3, NOW);
        assertEquals(RiskLevel.LOW, tooEarly.level(), "a handful of misses is not yet a pattern");
    }

    @Test
    void scheduleRanksDevicesByTheirWorstSensorAndHonoursTheWindow() {
        MaintenanceScheduler scheduler = new MaintenanceScheduler();
        RiskAssessment pumpSoon = assess(linear(SensorId.of("pump", "temp"), 50, 2, 0.5), OperatingLimits.above(55));
        RiskAssessment pumpLater = assess(linear(SensorId.of("pump", "vib"), 50, 1, 0.5), OperatingLimits.above(60));
        RiskAssessment fanMedium = assess(linear(SensorId.of("fan", "temp"), 50, 0, 10), OperatingLimits.above(55));
        RiskAssessment motorOk = assess(linear(SensorId.of("motor", "temp"), 50, 0, 0.1), OperatingLimits.above(90));
        List<ScheduleEntry> week = scheduler.schedule(List.of(fanMedium, pumpLater, motorOk, pumpSoon),
                Duration.ofDays(7));
        assertEquals(2, week.size(), "one entry per device; low risk is not scheduled");
        assertEquals(1, week.get(0).priority());
        assertEquals("pump", week.get(0).deviceId());
        assertEquals(SensorId.of("pump", "temp"), week.get(0).worstSensor());
        assertEquals(2, week.get(1).priority());
        assertEquals("fan", week.get(1).deviceId());
        List<ScheduleEntry> today = scheduler.schedule(List.of(fanMedium, pumpSoon), Duration.ofDays(1));
        assertEquals(List.of("pump"), today.stream().map(ScheduleEntry::deviceId).toList(),
                "the medium-risk fan is due within the week, not today");
    }
}
