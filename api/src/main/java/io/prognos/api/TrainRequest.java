package io.prognos.api;

import java.util.List;

/** Train (or retrain) one sensor's model from its history. Readings may be unsorted and irregular. */
public record TrainRequest(SensorId sensor, List<Reading> history, TrainingOptions options) {

    public TrainRequest {
        if (sensor == null) {
            throw new BadRequestException("sensor", "sensor is required");
        }
        history = List.copyOf(history);
        options = options == null ? TrainingOptions.defaults() : options;
    }

    public TrainRequest(SensorId sensor, List<Reading> history) {
        this(sensor, history, TrainingOptions.defaults());
    }
}
