package io.prognos.host.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.host.core.SensorCycle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetWatchTest {

    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");
    private static final SensorId A = SensorId.of("a", "t");

    @Test
    void keepsAtMostItsCapacityDroppingTheLeastRecentlyUpdated() {
        FleetWatch w = new FleetWatch(2);
        w.readings(A, List.of(new Reading(T, 1)));
        w.readings(SensorId.of("b", "t"), List.of(new Reading(T, 2)));
        w.readings(A, List.of(new Reading(T.plusSeconds(60), 3))); // a is recent again
        w.readings(SensorId.of("c", "t"), List.of(new Reading(T, 4)));
        assertEquals(
                List.of("a/t", "c/t"),
                w.tracks().stream().map(t -> t.sensor().toString()).sorted().toList());
    }

    /**
     * A sensor at high risk that reports hourly, among more sensors than the capacity that report
     * every minute, stays followed: least recently updated alone dropped it, and the fleet view
     * showed it at no level. Only when every other sensor is at medium or above is it dropped.
     */
    @Test
    void aSensorAtRiskIsDroppedOnlyWhenEveryOtherIsAtRiskToo() {
        FleetWatch w = new FleetWatch(3);
        w.result(result(null)); // a/t at high
        for (int i = 0; i < 10; i++) {
            w.readings(SensorId.of("quiet-" + i, "t"), List.of(new Reading(T.plusSeconds(i), i)));
        }
        assertEquals(
                List.of("a/t", "quiet-8/t", "quiet-9/t"),
                w.tracks().stream().map(t -> t.sensor().toString()).sorted().toList());
        assertEquals(RiskLevel.HIGH, w.track(A).result().risk().level());

        FleetWatch atRisk = new FleetWatch(1);
        atRisk.result(result(null));
        atRisk.readings(SensorId.of("b", "t"), List.of(new Reading(T, 2)));
        assertEquals(
                List.of("b/t"),
                atRisk.tracks().stream().map(t -> t.sensor().toString()).toList(),
                "none other below medium: the least recently updated goes");
    }

    /**
     * What a restart reads back fills in only a sensor not heard of since the start, and only while
     * there is room: a sensor that reported first keeps its newer facts, and one that reports later
     * replaces what was restored.
     */
    @Test
    void aRestoredResultNeverReplacesWhatASensorReportedAndNeverPushesOneOut() {
        FleetWatch w = new FleetWatch(2);
        w.readings(A, List.of(new Reading(T, 1)));
        assertFalse(w.restore(result(null), List.of(score(T, 10)), List.of()), "a sensor heard of since the start");
        assertNull(w.track(A).result());
        assertTrue(w.track(A).scores().isEmpty());

        FleetWatch fresh = new FleetWatch(1);
        assertTrue(fresh.restore(result(null), List.of(score(T, 10), score(T.plusSeconds(3600), 11)), List.of()));
        assertEquals(2, fresh.track(A).scores().size());
        assertNull(fresh.track(A).lastReadingAt(), "not claimed until a reading comes");
        fresh.readings(A, List.of(new Reading(T.plusSeconds(7200), 12)));
        assertEquals(12.0, fresh.track(A).lastValue());
        SensorId other = SensorId.of("b", "t");
        FleetWatch full = new FleetWatch(1);
        full.readings(other, List.of(new Reading(T, 2)));
        assertFalse(full.restore(result(null), List.of(), List.of()), "no room: the reporting sensor stays");
        assertEquals(
                List.of(other),
                full.tracks().stream().map(FleetWatch.Track::sensor).toList());
    }

    @Test
    void theNewestReadingWinsWhateverTheOrderOfArrival() {
        FleetWatch w = new FleetWatch(10);
        w.readings(A, List.of(new Reading(T.plusSeconds(120), 7), new Reading(T, 5)));
        w.readings(A, List.of(new Reading(T.plusSeconds(60), 6))); // late
        FleetWatch.Track t = w.track(A);
        assertEquals(T.plusSeconds(120), t.lastReadingAt());
        assertEquals(7.0, t.lastValue());
        assertNull(w.track(SensorId.of("nobody", "x")));
    }

    @Test
    void coverageCountsCompletedIntervalsAgainstTheForecastPointForThem() {
        FleetWatch w = new FleetWatch(10);
        w.result(result(null));
        w.anomalies(
                A,
                List.of(
                        score(T.plus(Duration.ofHours(1)), 10.5), // inside [9, 11]
                        score(T.plus(Duration.ofHours(2)).plusSeconds(600), 12), // outside, ten minutes late
                        score(T.plus(Duration.ofHours(9)), 10))); // no point that far: not counted
        FleetWatch.Track t = w.track(A);
        assertEquals(2, t.intervalsChecked());
        assertEquals(1, t.intervalsInside());
        assertEquals(3, t.scores().size());
    }

    @Test
    void alertsAreStampedWithTheReadingTheyCameFromNewestFirst() {
        FleetWatch w = new FleetWatch(10);
        w.result(result(new SensorCycle.Alert("1", "raised", RiskLevel.LOW)));
        w.result(result(null));
        for (int i = 0; i < FleetWatch.RECENT_ALERTS + 5; i++) {
            w.result(result(new SensorCycle.Alert("x" + i, i % 2 == 0 ? "cleared" : "raised", RiskLevel.HIGH)));
        }
        assertEquals(FleetWatch.RECENT_ALERTS, w.recentAlerts().size());
        assertEquals(FleetWatch.ALERTS, w.track(A).alerts().size());
        FleetWatch.AlertEvent newest = w.recentAlerts().get(0);
        assertEquals(T, newest.at(), "the reading's time, not the time it was processed");
        assertEquals("cleared", newest.state()); // the last of RECENT_ALERTS + 5 (even index)
    }

    /** A raise says what to do and why; a long list of reasons is cut, so the memory stays bounded. */
    @Test
    void aRaiseCarriesItsActionAndItsReasons() {
        FleetWatch w = new FleetWatch(10);
        String longReason = "x".repeat(FleetWatch.WHY_CHARS);
        w.result(result(new SensorCycle.Alert("1", "raised", RiskLevel.LOW), List.of("first reason", longReason)));
        FleetWatch.AlertEvent raised = w.recentAlerts().get(0);
        assertEquals("check", raised.recommendedAction());
        assertTrue(raised.why().startsWith("first reason; xxx"), raised.why());
        assertEquals(FleetWatch.WHY_CHARS, raised.why().length());
        w.result(result(new SensorCycle.Alert("2", "cleared", RiskLevel.HIGH), List.of("calm again")));
        assertNull(w.recentAlerts().get(0).why(), "a clearing needs no reasons kept");
    }

    /** Why a sensor's forecasts stopped is its track's until the next forecast is made. */
    @Test
    void aMissedForecastSaysWhyUntilTheNextIsMade() {
        FleetWatch w = new FleetWatch(10);
        w.result(result(null));
        assertNull(w.track(A).noForecast());
        w.forecastMissed(A, "a/t has 3 of the 30 consecutive intervals");
        w.forecastMissed(A, "a/t has 4 of the 30 consecutive intervals");
        assertEquals("a/t has 4 of the 30 consecutive intervals", w.track(A).noForecast());
        assertEquals(
                "a/t has 4 of the 30 consecutive intervals", w.tracks().get(0).noForecast());
        assertEquals(RiskLevel.HIGH, w.track(A).result().risk().level(), "the last forecast kept");
        w.result(result(null));
        assertNull(w.track(A).noForecast(), "a forecast made");
    }

    private static SensorCycle.Result result(SensorCycle.Alert alert) {
        return result(alert, List.of());
    }

    private static SensorCycle.Result result(SensorCycle.Alert alert, List<String> reasons) {
        List<ForecastPoint> points = List.of(
                new ForecastPoint(T.plus(Duration.ofHours(1)), 1, 10, 9, 11),
                new ForecastPoint(T.plus(Duration.ofHours(2)), 2, 10, 9, 11));
        Forecast f = new Forecast(A, T.plusSeconds(5), T, 10, Duration.ofHours(1), 0.9, "lstm", "", "v1", points);
        RiskAssessment r = new RiskAssessment(
                A, Instant.now(), T, 60, RiskLevel.HIGH, null, null, null, 0.5, 0, 0, true, null, "check", reasons);
        return new SensorCycle.Result(f, r, null, alert);
    }

    private static AnomalyScore score(Instant at, double value) {
        return new AnomalyScore(A, at.minus(Duration.ofHours(1)), at, value, 0.1, 0.1, 0, 0, "");
    }
}
