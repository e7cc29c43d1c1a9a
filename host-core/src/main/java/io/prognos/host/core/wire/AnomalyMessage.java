package io.prognos.host.core.wire;

import io.prognos.api.AnomalyScore;
import java.time.Instant;

/**
 * One interval's anomaly score on the wire (MQTT {@code anomaly} topic, Kafka, REST predict): the
 * score in [0, 1], its components, and whether it reaches the plugin's threshold.
 */
public record AnomalyMessage(
        String deviceId,
        String sensorKey,
        Instant intervalStart,
        Instant at,
        double value,
        double anomalyScore,
        double surprise,
        double shift,
        double novelty,
        boolean anomalous,
        String reason) {

    public static AnomalyMessage of(AnomalyScore a, double threshold) {
        return new AnomalyMessage(
                a.sensor().deviceId(),
                a.sensor().sensorKey(),
                a.intervalStart(),
                a.at(),
                a.value(),
                a.score(),
                a.surprise(),
                a.shift(),
                a.novelty(),
                a.score() >= threshold,
                a.reason());
    }
}
