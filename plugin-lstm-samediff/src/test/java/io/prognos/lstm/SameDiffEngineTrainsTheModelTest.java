package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code lstm.engine=samediff} trains the plugin's model end to end (both heads, through the pooled
 * graph), and the model forecasts like one the JVM engine trained.
 */
class SameDiffEngineTrainsTheModelTest {

    @Test
    void aModelTrainedBySameDiffForecastsADailyPatternBetterThanTheLastValue() {
        SensorId sensor = SensorId.of("press-2", "temperature");
        Random r = new Random(4);
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        List<Reading> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            all.add(new Reading(
                    t0.plus(Duration.ofHours(i)), 50 + 5 * Math.sin(2 * Math.PI * i / 24) + 0.3 * r.nextGaussian()));
        }
        LstmForecastingPlugin plugin = new LstmForecastingPlugin();
        plugin.start(new PluginContext(
                Map.of("lstm.engine", "samediff"),
                new ThreadLimits(1, 1),
                new InMemoryModelStore(),
                Clock.systemUTC()));
        try {
            ModelInfo info = plugin.train(new TrainRequest(sensor, all.subList(0, 400)));
            assertEquals(ModelStatus.READY, info.status());
            // The network itself learnt the pattern (the seasonal candidates alone would carry the forecast).
            assertTrue(
                    info.metric("lstm_val_mae") < 0.5 * info.metric(ModelInfo.BASELINE_MAE),
                    "the LSTM's validation MAE " + info.metric("lstm_val_mae") + " against the last value's "
                            + info.metric(ModelInfo.BASELINE_MAE));
            SensorState s = plugin.openState(sensor, null);
            plugin.observe(s, all.subList(0, 400));
            double err = 0;
            double lastErr = 0;
            for (int origin = 400; origin < 480; origin++) {
                plugin.observe(s, List.of(all.get(origin)));
                Forecast f = plugin.forecast(s);
                for (ForecastPoint p : f.points()) {
                    double truth = 50 + 5 * Math.sin(2 * Math.PI * (origin + p.stepsAhead()) / 24);
                    err += Math.abs(p.value() - truth);
                    lastErr += Math.abs(f.lastValue() - truth);
                }
            }
            assertTrue(err < 0.5 * lastErr, "MAE " + err + " against the last value's " + lastErr);
        } finally {
            plugin.stop();
        }
    }
}
