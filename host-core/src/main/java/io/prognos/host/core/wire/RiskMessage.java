package io.prognos.host.core.wire;

import io.prognos.api.RiskAssessment;
import java.time.Instant;
import java.util.List;

/** A risk assessment on the wire (MQTT {@code risk} topic, REST {@code failure_risk}, Kafka). */
public record RiskMessage(String deviceId, String sensorKey, Instant assessedAt, String riskLevel, int riskScore,
                          Double timeToFailureHours, double crossingProbability, double deviationRate,
                          boolean limitsConfigured, String recommendedAction, List<String> reasons) {

    public static RiskMessage of(RiskAssessment a) {
        return new RiskMessage(a.sensor().deviceId(), a.sensor().sensorKey(), a.assessedAt(), a.level().wireName(),
                a.score(), a.timeToFailureHours(), a.crossingProbability(), a.deviationRate(), a.limitsConfigured(),
                a.recommendedAction(), a.reasons());
    }
}
