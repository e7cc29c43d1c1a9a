package io.prognos.api;

import java.time.Duration;
import java.util.Map;

/**
 * What a started plugin serves, so that hosts need not guess its configuration keys.
 *
 * @param interval            the sensors' data interval, or null when it is detected per sensor
 *                            from the readings' spacing
 * @param horizon             forecast steps (intervals ahead)
 * @param coverage            nominal coverage of forecast intervals, e.g. 0.9
 * @param anomalyThreshold    the anomaly score from which a reading counts as anomalous; the
 *                            same for every sensor
 * @param minReadingsToTrain  the fewest readings a training can succeed with (at the sensor's
 *                            interval, without long gaps)
 * @param trainOptions        the options a {@link TrainRequest} may carry, with their bounds
 * @param details             further facts worth showing (for example an LSTM's input window),
 *                            by name
 */
public record PluginDescription(
        Duration interval,
        int horizon,
        double coverage,
        double anomalyThreshold,
        int minReadingsToTrain,
        ConfigDef trainOptions,
        Map<String, Object> details) {

    public PluginDescription {
        details = Map.copyOf(details);
    }
}
