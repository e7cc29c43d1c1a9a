package io.prognos.evaluation.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.RiskLevel;
import io.prognos.evaluation.Stats;
import io.prognos.evaluation.data.LabelledWindows.Window;
import io.prognos.evaluation.data.Resampled;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scorecard's arithmetic, checked against values worked out by hand. */
class EvaluationMetricsTest {

    @Test
    void maeRmseAndIntervalScoresMatchHandComputedValues() {
        PairScores s = new PairScores(2, 0.1);
        // step 1: actuals 10, 12; forecasts 11, 12 -> errors 1, 0
        s.add(1, 10, 11);
        s.add(1, 12, 12);
        // step 2: actual 14; forecast 10 -> error 4
        s.add(2, 14, 10);
        assertEquals(0.5, s.mae(1), 1e-12);
        assertEquals(Math.sqrt(0.5), s.rmse(1), 1e-12);
        assertEquals(4.0, s.mae(2), 1e-12);
        assertEquals(5.0 / 3, s.mae(), 1e-12);
        assertEquals(Math.sqrt(17.0 / 3), s.rmse(), 1e-12);
        // Intervals at alpha 0.1: [9, 11] holds 10 (score = width 2); [13, 13.5] misses 14 by 0.5:
        // 0.5 + (2 / 0.1) * 0.5 = 10.5.
        s.addInterval(1, 10, 9, 11);
        s.addInterval(2, 14, 13, 13.5);
        assertEquals(0.5, s.coverage(), 1e-12);
        assertEquals(1.25, s.meanWidth(), 1e-12);
        assertEquals((2 + 10.5) / 2, s.intervalScore(), 1e-12);
        assertEquals(10.5, s.intervalScore(2), 1e-12);
        assertEquals(2 + 20 * 3, PairScores.intervalScore(5, 7, 2, 0.1), 1e-12, "below the interval by 3");
        assertTrue(Double.isNaN(new PairScores(1, 0.1).mae()));
    }

    /**
     * The crossing as it came is timed as the risk times its paths' (from the last value, along
     * straight lines between intervals' values, across an interval without readings), and each
     * assessment is judged against it: its range holds it or not, a crossing nobody forecast is
     * unforeseen, a time to failure given is off by its distance from it.
     */
    @Test
    void timesToFailureAreJudgedAgainstTheCrossingAsItCame() {
        OperatingLimits high = OperatingLimits.above(12.5);
        double[] v = {10, 11, 12, 13, 14};
        // Origin 0 (last value 10.5): 10.5 -> 11 -> 12 -> 13 reaches 12.5 half way into the third interval.
        assertEquals(2.5 * 2, Backtester.firstCrossingHours(10.5, v, 0, 4, high, 2), 1e-12);
        assertNull(Backtester.firstCrossingHours(10.5, v, 0, 2, high, 2), "not within the horizon");
        double[] gap = {10, Double.NaN, 12, 13};
        // 10 -> (none) -> 12 -> 13: the line from 10 at 0 to 12 at 2 h, then 12.5 half way to 3 h.
        assertEquals(2.5, Backtester.firstCrossingHours(10, gap, 0, 3, high, 1), 1e-12);
        assertEquals(
                1.75,
                Backtester.firstCrossingHours(10, new double[] {10, 12, 8}, 0, 2, OperatingLimits.between(9, 20), 1),
                1e-12,
                "a low limit: 12 -> 8 reaches 9 three quarters into the second hour");
        TimeToFailureReport r = TimeToFailureReport.of(List.of(
                new Backtester.TimeToFailureCase(5.0, 3.0, 7.0, 6.0, 0.8, true), // held, off by 1
                new Backtester.TimeToFailureCase(5.0, 4.0, 6.0, 9.0, 0.6, true), // not held, off by 4
                new Backtester.TimeToFailureCase(null, 8.0, null, null, 0.3, true), // 90 % end beyond: held
                // forecast, none came: not held; the series ends within its horizon: its probability not judged
                new Backtester.TimeToFailureCase(null, 8.0, 11.0, null, 0.95, false),
                new Backtester.TimeToFailureCase(null, null, null, 2.0, 0.0, true), // came unforeseen
                new Backtester.TimeToFailureCase(null, null, null, null, 0.0, true))); // neither: range not judged
        assertEquals(5, r.forecastOrCame());
        assertEquals(2, r.rangeHeld());
        assertEquals(0.4, r.rangeCoverage(), 1e-12);
        assertEquals(1, r.cameEarlier(), "the unforeseen one");
        assertEquals(2, r.cameLater(), "after the range's end, and none for a range ending within the horizon");
        assertEquals(1, r.unforeseen());
        assertEquals(2, r.given());
        assertEquals(2, r.came());
        assertEquals(2.5, r.meanAbsErrorHours(), 1e-12);
        // Brier's score over the five whose horizon the series covers: (p - came)^2.
        assertEquals(5, r.probabilityJudged());
        assertEquals((0.04 + 0.16 + 0.09 + 1 + 0) / 5, r.brierScore(), 1e-12);
        assertEquals(0.6, r.baseRate(), 1e-12, "three of the five came");
        assertEquals(1 - 0.258 / (0.6 * 0.4), r.brierSkillScore(), 1e-4, "worse than the base rate: below 0");
        assertEquals(
                List.of(
                        new TimeToFailureReport.ReliabilityBin(0.0, 0.1, 2, 0.0, 1),
                        new TimeToFailureReport.ReliabilityBin(0.3, 0.4, 1, 0.3, 0),
                        new TimeToFailureReport.ReliabilityBin(0.6, 0.7, 1, 0.6, 1),
                        new TimeToFailureReport.ReliabilityBin(0.8, 0.9, 1, 0.8, 1)),
                r.reliability());
        TimeToFailureReport both = TimeToFailureReport.pooled(List.of(
                r, TimeToFailureReport.of(List.of(new Backtester.TimeToFailureCase(1.0, 0.5, 2.0, 1.5, 1.0, true)))));
        assertEquals(6, both.forecastOrCame());
        assertEquals(3, both.rangeHeld());
        assertEquals(2, both.cameLater());
        assertEquals((1 + 4 + 0.5) / 3, both.meanAbsErrorHours(), 1e-3);
        assertEquals(6, both.probabilityJudged());
        assertEquals(1.29 / 6, both.brierScore(), 1e-4);
        assertEquals(4.0 / 6, both.baseRate(), 1e-4);
        assertEquals(
                new TimeToFailureReport.ReliabilityBin(0.9, 1.0, 1, 1.0, 1),
                both.reliability().get(4),
                "a probability of 1 is in the last tenth");
        assertEquals(2, both.reliability().get(0).assessments(), "the bins add up");
    }

    @Test
    void maseIsScaledByTheInSampleNaiveErrorOfTheTrainingPartOnly() {
        // One-step changes 2, 2, NaN-skipped, 4: in-sample naive MAE (2 + 2 + 4) / 3.
        double[] train = {1, 3, 5, Double.NaN, 5, 9};
        TrainingFacts t = TrainingFacts.of(train, 2, 1, 0.1);
        assertEquals(8.0 / 3, t.naiveMae(), 1e-12);
        // Lag-2 pairs: |5-1| = 4 and |5-5| = 0; the two pairs touching the NaN at index 3 are skipped.
        assertEquals(2.0, t.seasonalNaiveMae(), 1e-12);
        assertTrue(
                Double.isNaN(TrainingFacts.of(new double[] {1, 2, 3}, 2, 1, 0.1).seasonalNaiveMae()),
                "fewer than two seasons of training data: no seasonal MASE");
    }

    @Test
    void lastValueIntervalsAreSplitConformalOnTheEndOfTheTrainingPart() {
        // 100 training points; the last 30 origins (20 % is 20, at least 30) calibrate step 1.
        double[] train = new double[100];
        for (int i = 0; i < train.length; i++) {
            train[i] = i < 69 ? 1000 * (i % 2) : i; // wild early, then +1 per step
        }
        TrainingFacts t = TrainingFacts.of(train, 24, 1, 0.1);
        assertEquals(30, t.calibrationOrigins());
        assertEquals(1.0, t.lastValueHalfWidth()[0], 1e-12, "only the calm end calibrates");
        // The conformal rank: ceil(0.9 * 31) = 28th of 30 sorted scores.
        double[] scores = new double[30];
        for (int i = 0; i < 30; i++) {
            scores[i] = i + 1;
        }
        assertEquals(28.0, Stats.conformalQuantile(scores, 0.1), 0);
        assertEquals(
                Double.POSITIVE_INFINITY,
                Stats.conformalQuantile(new double[] {1, 2, 3}, 0.1),
                "three scores cannot back a 90 % bound");
    }

    @Test
    void ratiosAcrossSeriesAverageGeometrically() {
        assertEquals(1.0, Stats.geometricMean(List.of(2.0, 0.5)), 1e-12);
        assertEquals(2.0, Stats.geometricMean(List.of(1.0, 4.0)), 1e-12);
        assertTrue(Double.isNaN(Stats.geometricMean(List.of(Double.NaN))));
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
        assertTrue(
                f[2][0] > 6 && f[2][1] > f[2][0] && f[2][3] - f[2][2] < f[2][1] - f[2][0],
                List.of(f[2]).toString());
    }

    @Test
    void resamplingAveragesBucketsOnAnAlignedGridAndMarksGaps() {
        Instant t = Instant.parse("2026-01-01T00:10:00Z");
        Resampled r = Resampled.of(
                List.of(
                        new Reading(t, 1),
                        new Reading(t.plusSeconds(1200), 3),
                        new Reading(t.plusSeconds(3 * 3600), 8)),
                Duration.ofHours(1));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), r.start());
        assertEquals(4, r.values().length);
        assertEquals(2.0, r.values()[0]);
        assertTrue(Double.isNaN(r.values()[1]) && Double.isNaN(r.values()[2]));
        assertEquals(8.0, r.values()[3]);
    }

    /**
     * Sixty days of hourly assessments: an alert before any window (false), one six hours before a
     * window (false: NAB scores detections before a window as false positives), one inside the
     * window, stamped half an hour after its start and 17.5 hours before its failure point, and a
     * late stray (false).
     */
    @Test
    void alertFactsCountEpisodesOutsideWindowsAndLeadTimesFromTheAlertsStamp() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Instant end = start.plus(Duration.ofDays(60));
        Window w = new Window(
                start.plus(Duration.ofDays(30)),
                start.plus(Duration.ofDays(31)),
                start.plus(Duration.ofHours(30 * 24 + 18)));
        List<Instant> alerting = List.of(
                start.plus(Duration.ofDays(5)),
                w.start().minus(Duration.ofHours(6)),
                w.start().plus(Duration.ofMinutes(30)),
                start.plus(Duration.ofDays(50)));
        List<Backtester.Assessment> as = new ArrayList<>();
        List<Reading> raw = new ArrayList<>();
        for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofHours(1))) {
            // The stamp is the last reading's time, half an hour into the bucket.
            Instant stamp = t.plus(Duration.ofMinutes(30));
            raw.add(new Reading(stamp, 1));
            boolean on = alerting.contains(stamp) || alerting.contains(t);
            // Each alerting hour raised as an episode of its own (the backtest applies the hold).
            as.add(new Backtester.Assessment(t, stamp, on ? RiskLevel.MEDIUM : RiskLevel.LOW, on ? 50 : 0, on, on, on));
        }
        Map<String, PairScores> scores = new LinkedHashMap<>();
        var result = new Backtester.Result(
                as.size(), 1, start, end, 0.9, scores, null, Map.of(), "", as, List.of(), List.of(), 1, 1, 0.2, null,
                null);
        AlertReport a = AlertFacts.of(result, raw, List.of(w), OperatingLimits.none(), "s.csv");
        assertEquals(3, a.falseEpisodes());
        assertEquals(4, a.episodes());
        assertEquals(3 * 30 / 59.0, a.falseEpisodesPer30Days(), 1e-3, "59 days outside the window");
        AlertReport.WindowReport wr = a.windows().get(0);
        assertTrue(wr.caught(), "the alert still on inside the window catches it");
        assertEquals(w.start().plus(Duration.ofMinutes(30)), wr.firstAlert());
        assertEquals(-0.5, wr.hoursBeforeStart(), 1e-9);
        assertEquals(17.5, wr.hoursBeforeFailure(), 1e-9);
        assertEquals(1, a.caughtBeforeFailure());
        assertEquals(4.0 / as.size(), a.dutyCycle(), 1e-4, "4 alerting hours of 1440");

        // Across series (the scorecard's line): windows, catches and false episodes add up, and the
        // rate is over all the time outside windows, not a mean of the series' rates; both series had one.
        List<Backtester.Assessment> quiet = new ArrayList<>();
        for (Backtester.Assessment x : as) {
            boolean stray = x.origin().equals(start.plus(Duration.ofDays(5)));
            quiet.add(new Backtester.Assessment(
                    x.origin(),
                    x.stampedAt(),
                    stray ? RiskLevel.MEDIUM : RiskLevel.LOW,
                    stray ? 50 : 0,
                    stray,
                    stray,
                    stray));
        }
        AlertReport missed = AlertFacts.of(
                new Backtester.Result(
                        quiet.size(),
                        1,
                        start,
                        end,
                        0.9,
                        scores,
                        null,
                        Map.of(),
                        "",
                        quiet,
                        List.of(),
                        List.of(),
                        1,
                        1,
                        0.2,
                        null,
                        null),
                raw,
                List.of(w),
                OperatingLimits.none(),
                "t.csv");
        assertEquals(
                List.of(false),
                missed.windows().stream().map(AlertReport.WindowReport::caught).toList());
        Scorecard.Alerts both = Scorecard.Alerts.of(List.of(a, missed));
        // The one caught window's first alert came 17.5 h before its failure point: the median over one.
        assertEquals(new Scorecard.Alerts(2, 1, 1, 17.5, 4, Stats.round(4 * 30 / 118.0), 2), both);
        assertEquals(
                ", the first alert a median of 17.5 h before it", ReportTable.lead(both.medianHoursBeforeFailure()));
        assertEquals(", the first alert a median of 7.0 h after it", ReportTable.lead(-7.0));
        assertEquals("", ReportTable.lead(null), "no window caught, no median");
    }
}
