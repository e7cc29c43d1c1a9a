package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.AnomalyScore;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code lstm.error-scale}: a sensor whose live noise is 30 % larger than its calibration windows
 * showed. On the scale its live errors taught, a value four live standard deviations beyond any seen
 * is read as less surprising than on the calibrated scale, and a gross one is still certain. The
 * live scale is part of the sensor's state: a state restored from its bytes scores as the one kept.
 */
class ErrorScaleSettingTest {

    private static final SensorId SENSOR = SensorId.of("fan-4", "current");

    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void aScaleLearntFromLiveErrorsReadsAMarginalNewExtremeAsItIs() {
        Random r = new Random(11);
        List<Reading> history = Series.generate(300, HOUR, i -> 20 + 0.1 * r.nextGaussian());
        Instant liveFrom = history.get(history.size() - 1).timestamp().plus(HOUR);
        List<Reading> live = Series.generate(600, HOUR, i -> 20 + 0.13 * r.nextGaussian()).stream()
                .map(x -> new Reading(liveFrom.plus(Duration.between(Series.T0, x.timestamp())), x.value()))
                .toList();
        double highest = live.stream().mapToDouble(Reading::value).max().orElseThrow();
        Instant next = live.get(live.size() - 1).timestamp().plus(HOUR);
        double marginal = Math.max(highest + 0.1, 20 + 4 * 0.13);

        AnomalyScore[] calibration = scores("calibration", history, live, next, marginal);
        AnomalyScore[] learnt = scores("live", history, live, next, marginal);
        // The errors against the forecasts (the one-step surprise and the shift against older
        // forecasts) are what the setting reads on another scale: a value four live standard
        // deviations out is 5.8-10.3 decimal digits surprising on the calibrated scale and 1.1-5.2
        // digits less on the live one (seeds 11-17). Novelty against the training history is not
        // rescaled.
        // (Digits as the reason gives them: the components stop at 1, six digits.)
        assertTrue(
                digits(learnt[0], "surprise") <= digits(calibration[0], "surprise") - 0.5
                        && digits(learnt[0], "shift") <= digits(calibration[0], "shift") - 0.5,
                "value " + marginal + ": calibration " + calibration[0] + ", live " + learnt[0]);
        assertEquals(calibration[0].novelty(), learnt[0].novelty(), 1e-12, "novelty");
        assertEquals(1.0, learnt[1].score(), 1e-9, "a value 40 standard deviations out");
        assertEquals(learnt[0], learnt[2], "the same marginal scored by a state restored from its bytes");
    }

    @Test
    void aRetrainedModelStartsItsOwnLiveScale() {
        // How far one calibration was off says nothing of the next one's: after a retraining the
        // state learns afresh from the new model's calibration.
        Random r = new Random(5);
        List<Reading> history = Series.generate(900, HOUR, i -> 20 + (i < 300 ? 0.1 : 0.13) * r.nextGaussian());
        LstmForecastingPlugin plugin = started("live");
        try {
            plugin.train(new TrainRequest(SENSOR, history.subList(0, 300)));
            LstmSensorState s = (LstmSensorState) plugin.openState(SENSOR, null);
            plugin.observe(s, history.subList(0, 300));
            plugin.observe(s, history.subList(300, 900));
            assertTrue(s.liveScale.ratio(0) > 1.1, "learnt on the first model: " + s.liveScale.ratio(0));
            plugin.train(new TrainRequest(SENSOR, history));
            plugin.observe(s, List.of(new Reading(history.get(899).timestamp().plus(HOUR), 20)));
            assertEquals(1.0, s.liveScale.ratio(0), 0.05, "one interval learnt since the retraining");
        } finally {
            plugin.stop();
        }
    }

    @Test
    void theSettingsAreReadInAnyCase() {
        // Validation accepts "Live"; it was then read as the default by an exact comparison.
        assertTrue(LstmSettings.from(Map.of("lstm.error-scale", "Live")).liveErrorScale());
        assertTrue(LstmSettings.from(Map.of("lstm.new-extremes", "CAUTIOUS")).cautiousExtremes());
        assertFalse(LstmSettings.defaults().liveErrorScale()
                || LstmSettings.defaults().cautiousExtremes());
    }

    /**
     * The marginal extreme's score, a gross one's on a second state, and the marginal's again on a
     * state restored from the first one's bytes before it.
     */
    private static AnomalyScore[] scores(
            String setting, List<Reading> history, List<Reading> live, Instant at, double marginal) {
        LstmForecastingPlugin plugin = started(setting);
        try {
            plugin.train(new TrainRequest(SENSOR, history));
            SensorState kept = plugin.openState(SENSOR, null);
            plugin.observe(kept, history);
            plugin.observe(kept, live);
            SensorState restored = plugin.openState(SENSOR, kept.toBytes());
            SensorState gross = plugin.openState(SENSOR, kept.toBytes());
            return new AnomalyScore[] {
                score(plugin, kept, new Reading(at, marginal)),
                score(plugin, gross, new Reading(at, 25)),
                score(plugin, restored, new Reading(at, marginal))
            };
        } finally {
            plugin.stop();
        }
    }

    /** The decimal digits of one signal, as the score's reason says them ("surprise 4.5, shift ..."). */
    private static double digits(AnomalyScore s, String signal) {
        Matcher m = Pattern.compile(signal + " ([0-9.]+)").matcher(s.reason());
        assertTrue(m.find(), s.reason());
        return Double.parseDouble(m.group(1));
    }

    /** A plugin started with that {@code lstm.error-scale}, its models in memory. */
    private static LstmForecastingPlugin started(String errorScale) {
        LstmForecastingPlugin plugin = new LstmForecastingPlugin();
        plugin.start(new PluginContext(
                Map.of("lstm.error-scale", errorScale),
                new ThreadLimits(1, 1),
                new InMemoryModelStore(),
                Clock.systemUTC()));
        return plugin;
    }

    private static AnomalyScore score(LstmForecastingPlugin plugin, SensorState s, Reading extreme) {
        List<AnomalyScore> scored = plugin.observe(s, List.of(extreme)).scores();
        assertEquals(1, scored.size());
        assertTrue(
                scored.get(0).reason().contains("beyond the range seen"),
                scored.get(0).reason());
        return scored.get(0);
    }
}
