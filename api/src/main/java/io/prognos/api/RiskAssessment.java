package io.prognos.api;

import java.time.Instant;
import java.util.List;

/**
 * Failure risk of one sensor, from a forecast, the sensor's operating limits and its anomaly score.
 *
 * @param basedOn              the time of the last reading the forecast started from
 * @param score                0 (nothing to see) to 100 (failure now)
 * @param timeToFailureHours   hours from {@code basedOn} until the forecast first crosses a failure
 *                             limit; null when it does not within the horizon
 * @param timeToFailureLowHours   early end of the time to failure's range (10 % of the forecast
 *                             distribution's paths cross sooner); null without a crossing
 * @param timeToFailureHighHours  late end (90 %); null when fewer than 90 % cross within the horizon
 * @param crossingProbability  probability that the value crosses a failure limit within the horizon
 * @param anomalyScore         the sensor's latest anomaly score in [0, 1]
 * @param deviationRate        recent share of one-step actuals outside their forecast interval
 *                             (nominal: 1 - coverage)
 * @param limitsConfigured     false when the assessment rests on the model alone
 * @param actBy                when to act at the latest: the early end of the time to failure, or
 *                             by level when no crossing is forecast
 * @param reasons              human-readable reasons, most important first
 */
public record RiskAssessment(
        SensorId sensor,
        Instant assessedAt,
        Instant basedOn,
        int score,
        RiskLevel level,
        Double timeToFailureHours,
        Double timeToFailureLowHours,
        Double timeToFailureHighHours,
        double crossingProbability,
        double anomalyScore,
        double deviationRate,
        boolean limitsConfigured,
        Instant actBy,
        String recommendedAction,
        List<String> reasons) {

    public RiskAssessment {
        if (score < 0 || score > 100) {
            throw new IllegalArgumentException("score must be within 0..100, got " + score);
        }
        reasons = List.copyOf(reasons);
    }
}
