package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prognos.api.AnomalyScore;
import io.prognos.api.BadRequestException;
import io.prognos.api.SensorId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultPublisherTest {

    /**
     * JDBC's sensors and Kafka's keys may have a '/' in an id, which cannot be an MQTT topic level:
     * such a sensor's results are skipped (with one warning), not thrown at the cycle reading after
     * reading. Nothing is published, so the connection is never opened.
     */
    @Test
    void aSensorWhoseIdsCannotBeTopicLevelsIsSkipped() {
        Topics topics = new Topics("prognos");
        MqttConnection neverOpened = new MqttConnection(
                MqttAdapter.CONFIG.parse("the test", Map.of("mqtt.url", "tcp://127.0.0.1:1")),
                MqttConnection.Session.READINGS,
                topics,
                "test");
        ResultPublisher publisher = new ResultPublisher(neverOpened, topics, 0.57);
        SensorId slashed = SensorId.of("line-1/press-3", "temperature");
        AnomalyScore a = new AnomalyScore(slashed, Instant.EPOCH, Instant.EPOCH, 1, 0, 0, 0, 0, "surprise 0.0");
        assertThrows(BadRequestException.class, () -> topics.anomaly(slashed)); // what it would have met
        assertDoesNotThrow(() -> publisher.anomalies(slashed, List.of(a)));
        assertDoesNotThrow(() -> publisher.anomalies(slashed, List.of(a)));
    }
}
