package io.prognos.host.core;

import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.TrainRequestMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The options a sensor is trained again with when no one asked (a scheduled retraining, a changed
 * cadence, the database poller's) or when a train request asks to keep them (the dashboard's Retrain):
 * those its model was trained with ({@link ModelInfo#trainOptions}). A model trained over REST at {@code interval=1h} or
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

    /**
     * The options {@code request} trains with: its own, over those its sensor's model was trained
     * with ({@link #of}) when it asks to keep them. The dashboard's Retrain sent the model's options
     * as listed, and after an upgrade that narrowed an option's bounds REST refused them: the sensor
     * could not be retrained from the dashboard at all.
     */
    public static Map<String, String> of(ForecastingPlugin plugin, TrainRequestMessage request) {
        return requested(plugin, request.sensor(), request.keepOptions(), request.options());
    }

    /** The options a training of {@code sensor} asked for with {@code given} takes ({@link #of(ForecastingPlugin, TrainRequestMessage)}). */
    public static Map<String, String> requested(
            ForecastingPlugin plugin, SensorId sensor, boolean keep, Map<String, String> given) {
        return keep ? keeping(plugin, plugin.model(sensor), given) : given;
    }

    static Map<String, String> keeping(ForecastingPlugin plugin, Optional<ModelInfo> model, Map<String, String> given) {
        Map<String, String> options =
                new LinkedHashMap<>(model.map(m -> of(plugin, m)).orElse(Map.of()));
        options.putAll(given);
        return options;
    }
}
