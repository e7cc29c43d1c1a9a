package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.AnomalyScore;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code lstm.new-extremes}: a value beyond any the sensor showed, read with the normal law (the
 * default) or with Student's t, which allows for each step's scale being estimated from few
 * calibration windows. The same model, trained twice from the same readings and seed, scores the
 * same readings either way but for such values.
 */
class NewExtremesTest {

    private static final SensorId SENSOR = SensorId.of("fan-4", "current");

    @Test
    void cautiousScoresAMarginalNewExtremeLowerAndAGrossOneTheSame() {
        Random r = new Random(3);
        List<Reading> history = Series.generate(300, Duration.ofHours(1), i -> 20 + 0.1 * r.nextGaussian());
        double highest = history.stream().mapToDouble(Reading::value).max().orElseThrow();
        Instant next = history.get(history.size() - 1).timestamp().plus(Duration.ofHours(1));
        // Just beyond the range (5 % of it is about 0.03 here), about 4.7 standard deviations out.
        double marginal = Math.max(highest + 0.1, 20.47);
        double[] normal = scores("normal", history, next, marginal);
        double[] cautious = scores("cautious", history, next, marginal);
        // Read with the normal law it raises HIGH on its own; with t it stays below.
        assertTrue(
                normal[0] >= RiskAssessor.HIGH_ANOMALY && cautious[0] < RiskAssessor.HIGH_ANOMALY,
                "marginal: cautious " + cautious[0] + ", normal " + normal[0]);
        assertEquals(1.0, normal[1], 1e-9, "a value 50 standard deviations out");
        assertEquals(1.0, cautious[1], 1e-9, "still certain 50 standard deviations out");
    }

    /** The scores of a marginal and, on a second state, a gross new extreme, under that setting. */
    private static double[] scores(String setting, List<Reading> history, Instant at, double marginal) {
        LstmForecastingPlugin plugin = new LstmForecastingPlugin();
        plugin.start(new PluginContext(
                Map.of("lstm.new-extremes", setting),
                new ThreadLimits(1, 1),
                new InMemoryModelStore(),
                java.time.Clock.systemUTC()));
        try {
            plugin.train(new TrainRequest(SENSOR, history));
            return new double[] {
                score(plugin, history, new Reading(at, marginal)), score(plugin, history, new Reading(at, 25))
            };
        } finally {
            plugin.stop();
        }
    }

    private static double score(LstmForecastingPlugin plugin, List<Reading> history, Reading extreme) {
        SensorState s = plugin.openState(SENSOR, null);
        plugin.observe(s, history);
        List<AnomalyScore> scored = plugin.observe(s, List.of(extreme)).scores();
        assertEquals(1, scored.size());
        assertTrue(
                scored.get(0).reason().contains("beyond the range seen"),
                scored.get(0).reason());
        return scored.get(0).score();
    }
}
