package io.prognos.mqtt;

import static io.prognos.mqtt.MqttAdapterTest.config;
import static io.prognos.mqtt.MqttAdapterTest.plugin;
import static io.prognos.mqtt.MqttAdapterTest.reading;
import static io.prognos.mqtt.MqttAdapterTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.OperatingLimits;
import io.prognos.mqtt.MqttAdapterTest.Client;
import io.prognos.mqtt.MqttAdapterTest.Received;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Instances of one {@code mqtt.shared-group} against Mosquitto, where it is installed
 * ({@code apt-get install mosquitto}; skipped elsewhere), not against the embedded HiveMQ CE:
 * HiveMQ CE 2025.5, the newest release, can stop delivering a shared subscription's QoS 1 messages
 * for good (hivemq-community-edition#558, still open). Two instances started in a group, 40
 * readings and then 6 requests sent, the CPU busy: 10 of 1,390 such groups stalled on HiveMQ
 * (readings or requests stopped reaching either instance; in the 5 watched for 120 s more, nothing
 * more came), none of 600 on Mosquitto, with the same adapter and the same test client. A CI run
 * failed on it: 1 of 6 requests answered.
 */
class MosquittoSharedGroupTest {

    private Mosquitto broker;

    @BeforeEach
    void start() throws Exception {
        broker = Mosquitto.configured("");
        broker.start();
    }

    @AfterEach
    void stop() throws Exception {
        broker.stopAndDelete();
    }

    @Test
    void instancesOfASharedGroupSplitTheReadingsAndAnswerEachRequestOnce() throws Exception {
        try (Client plant = new Client(broker.url(), "plant", "prognos/replies/plant")) {
            ForecastingPlugin plugin = plugin();
            Map<String, String> first = config(broker.url(), "prognos-a");
            first.put("mqtt.shared-group", "plant-1");
            Map<String, String> second = config(broker.url(), "prognos-b");
            second.put("mqtt.shared-group", "plant-1");
            try (MqttAdapter a = MqttAdapter.start(plugin, s -> OperatingLimits.none(), first, Clock.systemUTC());
                    MqttAdapter b = MqttAdapter.start(plugin, s -> OperatingLimits.none(), second, Clock.systemUTC())) {
                for (int h = 0; h < 40; h++) {
                    plant.send("prognos/readings/mill-5/temp", reading(h, 20 + h % 3));
                }
                waitFor(() -> a.readingsReceived() + b.readingsReceived() >= 40, Duration.ofSeconds(30));
                Thread.sleep(1_000); // for any second copy
                assertEquals(40, a.readingsReceived() + b.readingsReceived(), "each reading reaches one instance");

                String mill = "{\"device_id\":\"mill-5\",\"sensor_key\":\"temp\"}";
                for (byte i = 1; i <= 6; i++) {
                    plant.request("forecast", mill, "prognos/replies/plant", new byte[] {i});
                }
                List<Byte> answered = new ArrayList<>();
                for (Received r :
                        plant.collect("prognos/replies/plant", 6, Duration.ofSeconds(30), Duration.ofSeconds(3))) {
                    answered.add(r.message().getProperties().getCorrelationData()[0]);
                }
                answered.sort(null);
                assertEquals(List.<Byte>of((byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6), answered);
            } finally {
                plugin.stop();
            }
        }
    }

    /**
     * An instance that joins a shared group (a host that now shares its sensors over Kafka) keeps
     * its session, and with it its earlier plain subscription: each reading would come by both.
     */
    @Test
    void anInstanceThatJoinsASharedGroupTakesEachReadingOnce() throws Exception {
        try (Client plant = new Client(broker.url(), "plant")) {
            ForecastingPlugin plugin = plugin();
            try {
                Map<String, String> alone = config(broker.url(), "prognos-joining");
                MqttAdapter.start(plugin, s -> OperatingLimits.none(), alone, Clock.systemUTC())
                        .close();
                Map<String, String> grouped = config(broker.url(), "prognos-joining");
                grouped.put("mqtt.shared-group", "plant-2");
                try (MqttAdapter a =
                        MqttAdapter.start(plugin, s -> OperatingLimits.none(), grouped, Clock.systemUTC())) {
                    for (int h = 0; h < 20; h++) {
                        plant.send("prognos/readings/mill-8/temp", reading(h, 20 + h % 3));
                    }
                    waitFor(() -> a.readingsReceived() >= 20, Duration.ofSeconds(30));
                    Thread.sleep(2_000); // for any second copy
                    assertEquals(20, a.readingsReceived(), "each reading once");
                }
            } finally {
                plugin.stop();
            }
        }
    }
}
