package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.OperatingLimits;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * A host upgraded in place keeps its broker session. Mosquitto delivers a message once per
 * matching subscription, so a session still holding an earlier release's narrower readings filter
 * beside today's would take every reading twice (each second copy dropped as late, and reported).
 * Runs where Mosquitto is installed ({@code apt-get install mosquitto}), skipped elsewhere.
 */
class MosquittoUpgradeTest {

    @Test
    void aSessionKeptFromAnEarlierReleaseTakesEachReadingOnce() throws Exception {
        Mosquitto broker = Mosquitto.configured("");
        String url = broker.url();
        broker.start();
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        try {
            MqttAdapterTest.sessionOfAnEarlierRelease(url, "prognos-upgraded");

            Map<String, String> config = new HashMap<>();
            config.put("mqtt.url", url);
            config.put("mqtt.client-id", "prognos-upgraded");
            try (MqttAdapter adapter =
                    MqttAdapter.start(plugin, s -> OperatingLimits.none(), config, Clock.systemUTC())) {
                MqttClient device = new MqttClient(url, "device", new MemoryPersistence());
                device.connect(new MqttConnectionOptions());
                Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
                for (int h = 0; h < 5; h++) {
                    String payload = "{\"ts\": \"" + t0.plus(Duration.ofHours(h)) + "\", \"value\": " + h + "}";
                    PahoPublish.qos1(device, "prognos/readings/line-1/temp", payload.getBytes(StandardCharsets.UTF_8));
                }
                device.disconnect();
                device.close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline && adapter.readingsReceived() < 5) {
                    Thread.sleep(50);
                }
                Thread.sleep(1000); // time for second copies to arrive, had they been sent
                assertEquals(5, adapter.readingsReceived(), "each reading once");
            }
        } finally {
            broker.stopAndDelete();
            plugin.stop();
        }
    }
}
