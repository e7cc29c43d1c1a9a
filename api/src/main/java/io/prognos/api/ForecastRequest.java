package io.prognos.api;

import java.util.List;

/**
 * Forecast one sensor from its recent readings (at least the model's sequence length worth of
 * intervals). Readings newer than the previous forecast also serve as actuals: the plugin scores
 * them against that forecast's intervals to adapt its calibration and detect deviation.
 */
public record ForecastRequest(SensorId sensor, List<Reading> recent) {

    public ForecastRequest {
        if (sensor == null) {
            throw new BadRequestException("sensor", "sensor is required");
        }
        recent = List.copyOf(recent);
    }
}
