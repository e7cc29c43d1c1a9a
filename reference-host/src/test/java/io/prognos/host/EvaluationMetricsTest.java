package io.prognos.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.Reading;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metric arithmetic of {@code evaluate}, checked against values worked out by hand. */
class EvaluationMetricsTest {

    @Test
    void maeRmseAndMaseMatchHandComputedValues() {
        ForecastScores prognos = new ForecastScores(2);
        ForecastScores last = new ForecastScores(2);
        // step 1: actuals 10, 12; forecasts 11, 12 -> errors 1, 0; last value 9, 9 -> errors 1, 3
        prognos.add(1, 10, 11);
        prognos.add(1, 12, 12);
        last.add(1, 10, 9);
        last.add(1, 12, 9);
        // step 2: actual 14; forecast 10 -> error 4; last value 9 -> error 5
        prognos.add(2, 14, 10);
        last.add(2, 14, 9);
        assertEquals(0.5, prognos.mae(1), 1e-12);
        assertEquals(Math.sqrt(0.5), prognos.rmse(1), 1e-12);
        assertEquals(4.0, prognos.mae(2), 1e-12);
        assertEquals(5.0 / 3, prognos.mae(), 1e-12);              // (1 + 0 + 4) / 3
        assertEquals(Math.sqrt(17.0 / 3), prognos.rmse(), 1e-12); // sqrt((1 + 0 + 16) / 3)
        assertEquals(3.0, last.mae(), 1e-12);                     // (1 + 3 + 5) / 3
        assertEquals(5.0 / 9, prognos.mase(last), 1e-12);
        assertEquals(3, prognos.count());
        assertTrue(Double.isNaN(new ForecastScores(1).mae()));
    }

    @Test
    void baselinesForecastAsDefined() {
        double[] v = {1, 2, 3, 4, Double.NaN, 6, 7};
        ReferenceForecasts ref = ReferenceForecasts.fit(new double[] {1, 2, 3, 4}, 3);
        ReferenceForecasts.Holt trend = ref.newTrend();
        for (int i = 0; i <= 5; i++) {
            trend.observe(v[i]);
        }
        double[][] f = ref.forecast(v, 5, 4, trend);
        assertEquals(List.of(6.0, 6.0, 6.0, 6.0), List.of(f[0][0], f[0][1], f[0][2], f[0][3]));
        // Period 3 from origin 5: steps 1..3 repeat indices 3, 4 (empty: last value), 5; step 4 index 3 again.
        assertEquals(4.0, f[1][0]);
        assertEquals(6.0, f[1][1]);
        assertEquals(6.0, f[1][2]);
        assertEquals(4.0, f[1][3]);
        // A straight line up: the damped trend keeps rising, by less each step.
        assertTrue(f[2][0] > 6 && f[2][1] > f[2][0] && f[2][3] - f[2][2] < f[2][1] - f[2][0], List.of(f[2]).toString());
    }

    @Test
    void resamplingAveragesBucketsOnAnAlignedGridAndMarksGaps() {
        Instant t = Instant.parse("2026-01-01T00:10:00Z");
        Backtester.Resampled r = Backtester.Resampled.of(List.of(new Reading(t, 1), new Reading(t.plusSeconds(1200), 3),
                new Reading(t.plusSeconds(3 * 3600), 8)), Duration.ofHours(1));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), r.start());
        assertEquals(4, r.values().length);
        assertEquals(2.0, r.values()[0]);
        assertTrue(Double.isNaN(r.values()[1]) && Double.isNaN(r.values()[2]));
        assertEquals(8.0, r.values()[3]);
    }

    @Test
    void windowsCountAlertsFromOneWindowLengthBeforeTheirStart() throws Exception {
        Instant s = Instant.parse("2026-03-10T00:00:00Z");
        LabelledWindows.Window w = new LabelledWindows.Window(s, s.plus(Duration.ofDays(2)), s.plus(Duration.ofDays(1)));
        assertTrue(w.covers(s.minus(Duration.ofDays(2))));
        assertFalse(w.covers(s.minus(Duration.ofDays(2)).minusSeconds(1)));
        assertTrue(w.covers(s.plus(Duration.ofDays(2))));
        assertFalse(w.covers(s.plus(Duration.ofDays(2)).plusSeconds(1)));

        var nab = new ObjectMapper().readTree("""
                {"realKnownCause/ambient_temperature_system_failure.csv": [
                  ["2013-12-15 07:00:00.000000", "2013-12-30 09:00:00.000000"]]}""");
        List<LabelledWindows.Window> found = LabelledWindows.fromJson(nab, "ambient_temperature_system_failure.csv",
                Path.of("combined_windows.json"));
        assertEquals(Instant.parse("2013-12-15T07:00:00Z"), found.get(0).start());
        assertEquals(Instant.parse("2013-12-22T20:00:00Z"), found.get(0).failure(), "the middle of the window");
    }

    @Test
    void falseAlertsPer30DaysAndLeadTimesInTheReport() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Instant end = start.plus(Duration.ofDays(60));
        var w = new LabelledWindows.Window(start.plus(Duration.ofDays(30)), start.plus(Duration.ofDays(31)),
                start.plus(Duration.ofHours(30 * 24 + 12)));
        Instant early = w.start().minus(Duration.ofHours(6));
        Instant stray = start.plus(Duration.ofDays(5));
        Instant stray2 = start.plus(Duration.ofDays(50));
        var scores = new java.util.LinkedHashMap<String, ForecastScores>();
        for (String m : List.of(Backtester.PROGNOS, ReferenceForecasts.LAST_VALUE)) {
            ForecastScores s = new ForecastScores(1);
            s.add(1, 1, 1.5);
            scores.put(m, s);
        }
        var result = new Backtester.Result(10, 1, start, end, scores, 9, 10, 20, 0.9, java.util.Map.of("lstm", 10), "",
                List.of(stray, early, stray2), List.of(stray, early, early.plusSeconds(3600), stray2), List.of(), 1, 1,
                0.2, null);
        var alerts = Evaluate.alerts(new ObjectMapper(), result, List.of(w), io.prognos.api.OperatingLimits.none());
        assertEquals(2, alerts.get("false_alerts").asInt());
        assertEquals(1.0, alerts.get("false_alerts_per_30_days").asDouble(), 1e-9); // 2 in 60 days
        var first = alerts.get("windows").get(0);
        assertTrue(first.get("caught").asBoolean());
        assertEquals(6.0, first.get("hours_before_start").asDouble(), 1e-9);
        assertEquals(18.0, first.get("hours_before_failure").asDouble(), 1e-9);
        assertEquals(1, alerts.get("caught_before_failure").asInt());
    }
}
