package io.prognos.host.core.wire;

import io.prognos.api.RiskAssessment;
import java.time.Instant;
import java.util.List;

/**
 * A risk assessment on the wire (MQTT {@code risk} topic, REST {@code failure_risk}, Kafka). The
 * original fields first; {@code based_on} is the time of the last reading the forecast started
 * from, {@code act_by} counts from it, and the time to failure comes with its range.
 */
public record RiskMessage(
        String deviceId,
        String sensorKey,
        Instant assessedAt,
        String riskLevel,
        int riskScore,
        Double timeToFailureHours,
        Double timeToFailureLowHours,
        Double timeToFailureHighHours,
        double crossingProbability,
        double anomalyScore,
        double deviationRate,
        boolean limitsConfigured,
        Instant basedOn,
        Instant actBy,
        String recommendedAction,
        List<String> reasons) {

    public static RiskMessage of(RiskAssessment a) {
        return new RiskMessage(
                a.sensor().deviceId(),
                a.sensor().sensorKey(),
                a.assessedAt(),
                a.level().wireName(),
                a.score(),
                a.timeToFailureHours(),
                a.timeToFailureLowHours(),
                a.timeToFailureHighHours(),
                a.crossingProbability(),
                a.anomalyScore(),
                a.deviationRate(),
                a.limitsConfigured(),
                a.basedOn(),
                a.actBy(),
                a.recommendedAction(),
                a.reasons());
    }
}
