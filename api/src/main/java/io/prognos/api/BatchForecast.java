package io.prognos.api;

import java.util.Map;

/** Result of forecasting many sensors in one call: one sensor's failure never fails the others. */
public record BatchForecast(Map<SensorId, Forecast> forecasts, Map<SensorId, PrognosException> failures) {

    public BatchForecast {
        forecasts = Map.copyOf(forecasts);
        failures = Map.copyOf(failures);
    }
}
