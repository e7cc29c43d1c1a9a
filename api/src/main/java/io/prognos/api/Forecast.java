package io.prognos.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The forecast for one sensor.
 *
 * @param issuedAt       when the forecast was made (host clock)
 * @param lastObserved   timestamp of the last observed bucket the forecast starts from
 * @param lastValue      value of that bucket, i.e. "the present"
 * @param interval       spacing of the steps (the sensor's data interval)
 * @param coverage       nominal coverage of every point's interval, e.g. 0.9
 * @param method         what produced the values: {@code lstm}, {@code last_value}, {@code seasonal},
 *                       {@code damped_trend} or {@code blend}
 * @param methodReason   why that method was served, from validation errors
 * @param modelVersion   version of the stored model used
 */
public record Forecast(
        SensorId sensor,
        Instant issuedAt,
        Instant lastObserved,
        double lastValue,
        Duration interval,
        double coverage,
        String method,
        String methodReason,
        String modelVersion,
        List<ForecastPoint> points) {

    public Forecast {
        points = List.copyOf(points);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a forecast has at least one point");
        }
    }

    public int horizon() {
        return points.size();
    }
}
