package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.OperatingLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A non-Java client talks to the adapter: Mosquitto's command-line tools, where installed. */
class MosquittoInteropTest {

    private static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void mosquittoClientsPublishReadingsAndReceiveErrors() throws Exception {
        assumeTrue(
                installed("mosquitto_pub") && installed("mosquitto_sub"),
                "mosquitto-clients not installed (apt-get install mosquitto-clients): interop test skipped");
        try (Broker broker = new Broker()) {
            ForecastingPlugin plugin = MqttAdapterTest.plugin();
            try (MqttAdapter adapter = MqttAdapter.start(
                    plugin,
                    s -> OperatingLimits.none(),
                    MqttAdapterTest.config(broker, "prognos-interop"),
                    Clock.systemUTC())) {
                Process sub = new ProcessBuilder(
                                mosquitto(broker, "mosquitto_sub", "-t", "prognos/errors", "-C", "1", "-W", "30"))
                        .redirectErrorStream(true)
                        .start();
                Thread.sleep(1000); // let the subscription settle before publishing
                String topic = "prognos/readings/boiler-1/pressure";
                run(mosquitto(broker, "mosquitto_pub", "-q", "1", "-t", topic, "-m", "{\"value\": 4.2}"));
                run(mosquitto(broker, "mosquitto_pub", "-q", "1", "-t", topic, "-m", "pressure is fine"));
                assertTrue(sub.waitFor(30, TimeUnit.SECONDS), "mosquitto_sub timed out");
                String error = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(
                        error.contains("\"reason\":\"malformed_json\"")
                                && error.contains("prognos/readings/boiler-1/pressure"),
                        error);
                long end = System.nanoTime() + 10_000_000_000L;
                while (adapter.readingsReceived() < 1 && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                assertEquals(1, adapter.readingsReceived());
            }
            plugin.stop();
        }
    }

    /** A Mosquitto command-line tool speaking MQTT 5 to {@code broker}, with {@code args}. */
    private static List<String> mosquitto(Broker broker, String tool, String... args) {
        List<String> command =
                new ArrayList<>(List.of(tool, "-h", "127.0.0.1", "-p", Integer.toString(broker.port), "-V", "mqttv5"));
        command.addAll(List.of(args));
        return command;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
