package io.prognos.evaluation.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.Reading;
import io.prognos.api.ThreadLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** NAB scores Prognos's alerts: one at the start of an anomalous stretch, not one per anomalous reading. */
class PluginDetectorTest {

    @Test
    void aSustainedShiftIsScoredAsOneAlertAtItsFirstAnomalousReadingWithTheRawScoresKept() {
        ForecastingPlugin plugin =
                PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        plugin.start(new PluginContext(
                Map.of("lstm.epochs", "5"), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
        try {
            PluginDetector detector = new PluginDetector(plugin, null);
            Random rnd = new Random(7);
            Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
            List<StreamingDetector.Score> out = new ArrayList<>();
            int shiftAt = 700;
            try (StreamingDetector d = detector.open("test/shift.csv", 500)) {
                for (int i = 0; i < 800; i++) {
                    double v = 50 + 5 * Math.sin(2 * Math.PI * i / 288) + rnd.nextGaussian() + (i >= shiftAt ? 40 : 0);
                    out.add(d.score(new Reading(t0.plus(Duration.ofMinutes(5L * i)), v)));
                }
            }
            double threshold = detector.declaredThreshold();
            List<Integer> rawAbove = new ArrayList<>();
            List<Integer> alerts = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).raw() >= threshold) {
                    rawAbove.add(i);
                }
                if (out.get(i).scored() >= threshold) {
                    alerts.add(i);
                    assertEquals(out.get(i).raw(), out.get(i).scored(), "an alert carries the raw score");
                }
            }
            assertTrue(rawAbove.size() >= 3, "the shift is anomalous for several readings: " + rawAbove);
            assertTrue(rawAbove.get(0) >= shiftAt && rawAbove.get(0) < shiftAt + 3, "seen at once: " + rawAbove);
            assertEquals(rawAbove.get(0), alerts.get(0), "the alert comes with the first anomalous reading");
            assertTrue(alerts.size() < rawAbove.size(), "one alert per episode, not per reading: " + alerts);
        } finally {
            plugin.stop();
        }
    }

    /**
     * With {@code --alerts risk} an alert is raised where the host's alerts topic raises one: from
     * the risk level, which (for the LSTM plugin) waits for a second interval at the threshold
     * unless the score reaches 0.9. A lone spike scored between the two raises a score alert and no
     * risk alert; a level shift raises both within three readings.
     */
    @Test
    void riskAlertsWaitForASecondIntervalUnlessTheScoreIsHigh() {
        int shiftAt = 850;
        List<Reading> series = new ArrayList<>();
        Random rnd = new Random(11);
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        double[] spikes = {3.5, 4.5, 5.5, 6.5, 8};
        for (int i = 0; i < 900; i++) {
            double v = 50 + 5 * Math.sin(2 * Math.PI * i / 288) + rnd.nextGaussian() + (i >= shiftAt ? 40 : 0);
            if (i >= 600 && i < 850 && i % 50 == 0) {
                v += spikes[(i - 600) / 50];
            }
            series.add(new Reading(t0.plus(Duration.ofMinutes(5L * i)), v));
        }
        List<StreamingDetector.Score> score = run(series, PluginDetector.Alerts.SCORE);
        List<StreamingDetector.Score> risk = run(series, PluginDetector.Alerts.RISK);
        double threshold = 0.57;
        List<Integer> lone = new ArrayList<>();
        for (int i = 501; i < shiftAt - 1; i++) {
            double raw = score.get(i).raw();
            if (raw >= threshold
                    && raw < 0.9
                    && score.get(i - 1).raw() < threshold
                    && score.get(i + 1).raw() < threshold) {
                lone.add(i);
            }
        }
        assertFalse(lone.isEmpty(), "a spike scored between the threshold and 0.9 for one interval");
        for (int i : lone) {
            assertTrue(score.get(i).scored() >= threshold, "a score alert at " + i);
            assertTrue(
                    risk.get(i).scored() < threshold && risk.get(i + 1).scored() < threshold,
                    "no risk alert at the lone interval " + i);
        }
        int firstRisk = -1;
        for (int i = shiftAt; i < series.size() && firstRisk < 0; i++) {
            firstRisk = risk.get(i).scored() >= threshold ? i : -1;
        }
        assertTrue(
                firstRisk >= shiftAt && firstRisk < shiftAt + 3, "the shift raises a risk alert at once: " + firstRisk);
    }

    private List<StreamingDetector.Score> run(List<Reading> series, PluginDetector.Alerts alerts) {
        ForecastingPlugin plugin =
                PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        plugin.start(new PluginContext(
                Map.of("lstm.epochs", "5"), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
        List<StreamingDetector.Score> out = new ArrayList<>();
        try (StreamingDetector d = new PluginDetector(plugin, null, alerts).open("test/spikes.csv", 500)) {
            for (Reading r : series) {
                out.add(d.score(r));
            }
        } finally {
            plugin.stop();
        }
        return out;
    }
}
