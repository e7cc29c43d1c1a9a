package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.prognos.api.AnomalyScore;
import io.prognos.api.Forecast;
import io.prognos.api.RiskAssessment;

/**
 * The reply to a predict request (REST and MQTT): the forecast's fields (the original API's
 * {@code forecasts}), {@code forecast_horizon_hours}, {@code failure_risk}, and the sensor's newest
 * anomaly score ({@code anomaly}, null before the first scored interval).
 */
public record PredictReply(
        boolean success,
        @JsonUnwrapped ForecastMessage forecast,
        double forecastHorizonHours,
        RiskMessage failureRisk,
        AnomalyMessage anomaly) {

    public static PredictReply of(Forecast f, RiskAssessment risk, AnomalyScore anomaly, double threshold) {
        return new PredictReply(
                true,
                ForecastMessage.of(f),
                f.interval().multipliedBy(f.horizon()).toMillis() / 3_600_000.0,
                RiskMessage.of(risk),
                anomaly == null ? null : AnomalyMessage.of(anomaly, threshold));
    }
}
