package io.prognos.host.core.wire;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A forecast on the wire (MQTT {@code forecast} topic, REST predict, Kafka). Field names follow the
 * original REST API where it had them ({@code forecasts}, {@code predicted_value},
 * {@code confidence_lower}, {@code confidence_upper}, {@code hours_ahead}).
 */
public record ForecastMessage(
        String deviceId,
        String sensorKey,
        Instant issuedAt,
        Instant basedOn,
        double lastValue,
        double coverage,
        String method,
        String modelVersion,
        int forecastHorizon,
        List<Point> forecasts) {

    /** One step; {@code hours_ahead} is whole for hourly sensors and fractional for faster ones. */
    public record Point(
            Instant timestamp,
            int stepsAhead,
            Number hoursAhead,
            double predictedValue,
            double confidenceLower,
            double confidenceUpper) {}

    public static ForecastMessage of(Forecast f) {
        List<Point> points = f.points().stream().map(p -> point(f, p)).toList();
        return new ForecastMessage(
                f.sensor().deviceId(),
                f.sensor().sensorKey(),
                f.issuedAt(),
                f.lastObserved(),
                f.lastValue(),
                f.coverage(),
                f.method(),
                f.modelVersion(),
                f.horizon(),
                points);
    }

    private static Point point(Forecast f, ForecastPoint p) {
        double hours = Duration.between(f.lastObserved(), p.timestamp()).toMillis() / 3_600_000.0;
        Number h = hours == Math.rint(hours) ? (Number) (long) hours : (Number) hours;
        return new Point(p.timestamp(), p.stepsAhead(), h, p.value(), p.lower(), p.upper());
    }
}
