package io.prognos.evaluation.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
