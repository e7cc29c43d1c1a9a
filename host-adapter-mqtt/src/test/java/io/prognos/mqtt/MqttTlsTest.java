package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.OperatingLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plant's broker over TLS with its own CA and client certificates, as Mosquitto is set up with
 * {@code cafile}, {@code certfile}, {@code keyfile} and {@code require_certificate}. The PEM files
 * under {@code src/test/resources/tls} were made with openssl for this test, valid until 2126: a CA,
 * a server certificate for localhost and 127.0.0.1, a client certificate with its key as PKCS#8 and
 * as PKCS#1 (what AWS IoT hands out), and another CA that signed neither.
 */
class MqttTlsTest {

    private static final Path TLS = Path.of("src/test/resources/tls").toAbsolutePath();

    private static Map<String, String> config(String url, String... keyValues) {
        Map<String, String> c = new HashMap<>();
        c.put("mqtt.url", url);
        c.put("mqtt.client-id", "prognos-tls");
        // Longer than the test allows: a refusal must come at once, not at the end of the wait.
        c.put("mqtt.connect-timeout", "120s");
        for (int i = 0; i < keyValues.length; i += 2) {
            c.put(keyValues[i], keyValues[i + 1]);
        }
        return c;
    }

    /** The test CA, and the client certificate with its key in {@code keyFile}. */
    private static Map<String, String> withClientCertificate(String url, String keyFile) {
        return config(
                url, "mqtt.tls-ca", file("ca.pem"), "mqtt.tls-cert", file("client.pem"), "mqtt.tls-key", file(keyFile));
    }

    private static String file(String name) {
        return TLS.resolve(name).toString();
    }

    private static ConfigProblem refusal(ForecastingPlugin plugin, Map<String, String> config) {
        InvalidConfigurationException e = assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> assertThrows(
                        InvalidConfigurationException.class,
                        () -> MqttAdapter.start(plugin, s -> OperatingLimits.none(), config, Clock.systemUTC())
                                .close()));
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().get(0);
    }

    @Test
    void aBrokerWithAPrivateCaAndClientCertificatesIsReachedWithPemFilesAndEachMistakeIsNamed() throws Exception {
        Mosquitto broker = Mosquitto.configured("""
                cafile %2$s/ca.pem
                certfile %2$s/server.pem
                keyfile %2$s/server.key
                require_certificate true
                """.replace("%2$s", TLS.toString()));
        broker.start();
        String url = "ssl://localhost:" + broker.port;
        ForecastingPlugin plugin = MqttAdapterTest.plugin();
        try {
            try (MqttAdapter adapter = MqttAdapter.start(
                    plugin,
                    s -> OperatingLimits.none(),
                    withClientCertificate(url, "client-pkcs1.key"),
                    Clock.systemUTC())) {
                assertTrue(adapter.isConnected());
                // A device on the same broker, with the PKCS#8 form of a client key.
                Mqtt5BlockingClient device = MqttClient.builder()
                        .useMqttVersion5()
                        .identifier("device-tls")
                        .serverHost("localhost")
                        .serverPort(broker.port)
                        .sslConfig(BrokerTls.of(
                                        MqttAdapter.CONFIG.parse(
                                                "test", withClientCertificate(url, "client-pkcs8.key")),
                                        true)
                                .orElseThrow())
                        .buildBlocking();
                device.connect();
                device.publishWith()
                        .topic("prognos/readings/boiler-1/pressure")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload("{\"value\": 4.2}".getBytes(StandardCharsets.UTF_8))
                        .send();
                device.disconnect();
                long end = System.nanoTime() + 20_000_000_000L;
                while (adapter.readingsReceived() < 1 && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                assertEquals(1, adapter.readingsReceived(), "a reading over TLS");
            }
            ConfigProblem noCa = refusal(plugin, config(url));
            assertEquals("mqtt.tls-ca", noCa.key());
            assertTrue(noCa.message().contains("no CA in the JVM's trust store signed"), noCa.message());
            ConfigProblem otherCa = refusal(plugin, config(url, "mqtt.tls-ca", file("other-ca.pem")));
            assertEquals("mqtt.tls-ca", otherCa.key());
            assertTrue(otherCa.message().contains("no CA in " + file("other-ca.pem")), otherCa.message());
            ConfigProblem noCert = refusal(plugin, config(url, "mqtt.tls-ca", file("ca.pem")));
            assertEquals("mqtt.tls-cert", noCert.key());
            assertTrue(noCert.message().contains("wants a client certificate"), noCert.message());
            ConfigProblem wrongKey = refusal(
                    plugin,
                    config(
                            url,
                            "mqtt.tls-ca",
                            file("ca.pem"),
                            "mqtt.tls-cert",
                            file("server.pem"),
                            "mqtt.tls-key",
                            file("client-pkcs8.key")));
            assertEquals("mqtt.tls-cert", wrongKey.key());
            assertTrue(wrongKey.message().contains("refused the client certificate"), wrongKey.message());
            // tcp:// to the TLS port: reset at every attempt, which is said with the likely cause.
            Map<String, String> plain = config("tcp://localhost:" + broker.port, "mqtt.connect-timeout", "1s");
            Exception notTls = assertThrows(
                    Exception.class,
                    () -> MqttAdapter.start(plugin, s -> OperatingLimits.none(), plain, Clock.systemUTC())
                            .close());
            assertTrue(
                    notTls.getMessage().contains("ssl:// to a plain port or tcp:// to a TLS one"), notTls.toString());
        } finally {
            plugin.stop();
            broker.stopAndDelete();
        }
    }

    /** Files that are not what their key says are refused at start, each naming its key, before any connect. */
    @Test
    void filesThatAreNotWhatTheirKeySaysAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path encrypted = Files.writeString(
                dir.resolve("encrypted.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        InvalidConfigurationException e = assertThrows(
                InvalidConfigurationException.class,
                () -> BrokerTls.of(
                        MqttAdapter.CONFIG.parse(
                                "test",
                                config(
                                        "ssl://localhost:8883",
                                        "mqtt.tls-ca",
                                        dir.resolve("missing.pem").toString(),
                                        "mqtt.tls-cert",
                                        empty.toString(),
                                        "mqtt.tls-key",
                                        encrypted.toString())),
                        true));
        Map<String, String> byKey = new HashMap<>();
        e.problems().forEach(p -> byKey.put(p.key(), p.message()));
        assertEquals(3, byKey.size(), e.getMessage());
        assertTrue(byKey.get("mqtt.tls-ca").startsWith("cannot read " + dir.resolve("missing.pem")), e.getMessage());
        assertTrue(byKey.get("mqtt.tls-cert").contains("holds no PEM certificate"), e.getMessage());
        assertTrue(byKey.get("mqtt.tls-key").contains("holds an encrypted key"), e.getMessage());

        InvalidConfigurationException half = assertThrows(
                InvalidConfigurationException.class,
                () -> BrokerTls.of(
                        MqttAdapter.CONFIG.parse(
                                "test", config("ssl://localhost:8883", "mqtt.tls-cert", file("client.pem"))),
                        true));
        assertEquals(
                List.of("mqtt.tls-key"),
                half.problems().stream().map(ConfigProblem::key).toList());

        InvalidConfigurationException plain = assertThrows(
                InvalidConfigurationException.class,
                () -> BrokerTls.of(
                        MqttAdapter.CONFIG.parse("test", config("tcp://localhost:1883", "mqtt.tls-ca", file("ca.pem"))),
                        false));
        assertTrue(plain.problems().get(0).message().contains("ssl://"), plain.getMessage());
    }
}
