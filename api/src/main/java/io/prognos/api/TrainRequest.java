package io.prognos.api;

import java.util.List;
import java.util.Map;

/**
 * Train (or retrain) one sensor's model from its history. Readings may be unsorted and irregular.
 * {@code options} override the plugin's configuration for this training; the plugin declares
 * which ones it takes ({@link PluginDescription#trainOptions()}) and refuses any other, naming it.
 */
public record TrainRequest(SensorId sensor, List<Reading> history, Map<String, String> options) {

    public TrainRequest {
        if (sensor == null) {
            throw new BadRequestException("sensor", "sensor is required");
        }
        history = ReadingList.copyOf(history);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public TrainRequest(SensorId sensor, List<Reading> history) {
        this(sensor, history, Map.of());
    }
}
