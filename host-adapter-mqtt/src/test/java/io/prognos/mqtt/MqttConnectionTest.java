package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prognos.api.ConfigDef;
import io.prognos.mqtt.MqttAdapterTest.Client;
import io.prognos.mqtt.MqttAdapterTest.Received;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A publish made while a session is still connecting: a kept session delivers its queued messages
 * right after the CONNACK, and the answer to one may be made before the session it goes out on is up.
 */
class MqttConnectionTest {

    private static MqttConnection connection(String url, String clientId, MqttConnection.Session session) {
        ConfigDef.Config c = MqttAdapter.CONFIG.parse(
                "the MQTT adapter", Map.of("mqtt.url", url, "mqtt.client-id", clientId, "mqtt.connect-timeout", "2s"));
        return new MqttConnection(c, session, new Topics(c.getString("mqtt.prefix")), "lstm test");
    }

    private static MqttConnection.Outbound reply(byte correlation) {
        return new MqttConnection.Outbound(
                "prognos/replies/plant",
                "{\"success\":false}".getBytes(StandardCharsets.UTF_8),
                1,
                false,
                null,
                new byte[] {correlation},
                null);
    }

    @Test
    void anAnswerMadeBeforeItsSessionIsUpGoesOutOnceItIsInTheOrderMade() throws Exception {
        try (Broker broker = new Broker();
                Client plant = new Client(broker, "plant", "prognos/replies/plant")) {
            MqttConnection requests = connection(broker.url(), "prognos-early", MqttConnection.Session.REQUESTS);
            try {
                requests.publish(reply((byte) 1));
                requests.publish(reply((byte) 2));
                requests.connect();
                requests.publish(reply((byte) 3));
                for (byte expected = 1; expected <= 3; expected++) {
                    Received r = plant.await("prognos/replies/plant", Duration.ofSeconds(20));
                    assertNotNull(r, "answer " + expected + " was lost");
                    assertArrayEquals(
                            new byte[] {expected}, r.message().getProperties().getCorrelationData());
                }
                assertNull(plant.await("prognos/replies/plant", Duration.ofSeconds(1)), "an answer sent twice");
                assertEquals(0, requests.failedPublishes());
            } finally {
                requests.close();
            }
        }
    }

    @Test
    void anAnswerMadeWhileASessionThatNeverComesUpConnectsIsCountedAsFailed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        MqttConnection requests =
                connection("tcp://127.0.0.1:" + closedPort, "prognos-never", MqttConnection.Session.REQUESTS);
        try {
            requests.publish(reply((byte) 1));
            assertThrows(IOException.class, requests::connect);
        } finally {
            requests.close(); // as the adapter does after a start that failed
        }
        assertEquals(1, requests.failedPublishes(), "the answer that could not go out is not counted");
    }
}
