package io.prognos.host.core;

import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The options a sensor is trained again with when no one asked (a scheduled retraining, a changed
 * cadence, the database poller's): those its model was trained with ({@link ModelInfo#trainOptions};
 * the dashboard's Retrain sends them itself). A model trained over REST at {@code interval=1h} or
 * with {@code forecast_horizon=24} was replaced at its next scheduled retraining by one of the
 * plugin's defaults (the detected interval, 12 steps). An option the plugin now refuses (its bounds changed
 * with an upgrade) is left out, said at WARN: the sensor is trained with the others rather than
 * never again.
 */
public final class RetrainOptions {

    private static final Logger LOG = LoggerFactory.getLogger(RetrainOptions.class);

    private RetrainOptions() {}

    /** {@code model}'s training options that {@code plugin} takes. */
    public static Map<String, String> of(ForecastingPlugin plugin, ModelInfo model) {
        Map<String, String> options = model.trainOptions();
        if (options.isEmpty()) {
            return options;
        }
        List<ConfigProblem> problems = plugin.describe().trainOptions().validate(options);
        if (problems.isEmpty()) {
            return options;
        }
        Map<String, String> kept = new LinkedHashMap<>(options);
        problems.forEach(p -> kept.remove(p.key()));
        LOG.warn(
                "{}: its model was trained with options the plugin now refuses ({}); trained again without them",
                model.sensor(),
                problems);
        return kept;
    }
}
