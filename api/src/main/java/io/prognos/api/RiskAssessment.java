package io.prognos.api;

import java.time.Instant;
import java.util.List;

/**
 * Failure risk of one sensor, derived from a forecast and the sensor's operating limits.
 *
 * @param score                 0 (nothing to see) to 100 (failure now)
 * @param timeToFailureHours    hours until the forecast first crosses a failure limit; null when
 *                              no crossing is forecast within the horizon
 * @param crossingProbability   probability that the value crosses a failure limit within the horizon
 * @param deviationRate         recent share of actual readings that fell outside their own forecast
 *                              interval (nominal: 1 - coverage)
 * @param limitsConfigured      false when the assessment relies on deviation alone
 * @param reasons               human-readable reasons, most important first
 */
public record RiskAssessment(
        SensorId sensor,
        Instant assessedAt,
        int score,
        RiskLevel level,
        Double timeToFailureHours,
        double crossingProbability,
        double deviationRate,
        boolean limitsConfigured,
        String recommendedAction,
        List<String> reasons) {

    public RiskAssessment {
        if (score < 0 || score > 100) {
            throw new IllegalArgumentException("score must be within 0..100, got " + score);
        }
        reasons = List.copyOf(reasons);
    }
}
