package io.prognos.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.prognos.host.HostFixture;
import io.prognos.host.demo.HostProcess;
import io.prognos.host.runtime.EmbeddedBroker;
import io.prognos.host.runtime.EmbeddedDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * The host as an operating system sees it: a separate JVM that gets SIGTERM, or SIGKILL in the
 * middle of a training, against a broker of the test's own so that what it publishes last can be
 * read after it is gone.
 */
class ProcessLifecycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every host started, so that a failing test leaves no JVM (and its PostgreSQL) behind. */
    private final List<Process> started = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void stopLeftovers() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** A host process and the REST port it printed. */
    private record Host(Process process, int port) {}

    private Host startHost(Path data, String brokerUrl) throws Exception {
        HostProcess h = HostProcess.serve(
                "512m",
                null,
                List.of(
                        "--data-dir",
                        data.toString(),
                        "--http.port=0",
                        "--mqtt.url=" + brokerUrl,
                        "--mqtt.client-id=prognos-lifecycle",
                        "--threads",
                        "1"));
        started.add(h.process());
        return new Host(h.process(), h.port());
    }

    private static String retainedStatus(String brokerUrl) throws Exception {
        MqttClient c = new MqttClient(brokerUrl, "status-reader-" + System.nanoTime(), null);
        c.connect(new MqttConnectionOptions());
        CompletableFuture<String> status = new CompletableFuture<>();
        c.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            public void messageArrived(String t, MqttMessage m) {
                status.complete(new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {}

            public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {}

            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {}

            public void connectComplete(boolean reconnect, String uri) {}

            public void authPacketArrived(int code, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
        });
        c.subscribe("prognos/status", 1);
        try {
            return status.get(10, TimeUnit.SECONDS);
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void sigtermSaysOfflineAndStopsPostgresAndKillNineDuringTrainingLosesNoModel() throws Exception {
        Path root = HostFixture.dataDir();
        try (EmbeddedBroker broker = EmbeddedBroker.start(root.resolve("broker"), 0)) {
            Path data = root.resolve("host");
            Host host = startHost(data, broker.url());
            assertEquals("online", retainedStatus(broker.url()));

            // Readings over MQTT, then a model trained from them through REST.
            MqttClient plant = new MqttClient(broker.url(), "plant-" + System.nanoTime(), null);
            plant.connect(new MqttConnectionOptions());
            StringBuilder batch = new StringBuilder("[");
            Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
            for (int i = 0; i < 300; i++) {
                batch.append(i == 0 ? "" : ",")
                        .append("{\"ts\":\"")
                        .append(end.minus(Duration.ofHours(299 - i)))
                        .append("\",\"value\":")
                        .append(50 + 3 * Math.sin(2 * Math.PI * i / 24))
                        .append('}');
            }
            plant.publish(
                    "prognos/readings/press-4/oil_temp",
                    batch.append(']').toString().getBytes(),
                    1,
                    false);
            plant.disconnect();
            plant.close();
            String body = "{\"device_id\": \"press-4\", \"sensor_key\": \"oil_temp\"}";
            HostFixture.Response trained = null;
            // 404 until the readings are in the database; 409 while the MQTT adapter trains the new
            // sensor on its own (it has more than mqtt.train-after readings).
            for (int i = 0; i < 100 && (trained == null || trained.status() == 404 || trained.status() == 409); i++) {
                Thread.sleep(200);
                trained = HostFixture.call(host.port(), "POST", "/api/v1/lstm/train", body, null);
            }
            assertEquals(200, trained.status(), trained.body());
            String version = JSON.readTree(trained.body())
                    .get("model")
                    .get("model_version")
                    .asText();

            // SIGKILL in the middle of a long training of the same sensor.
            int port = host.port();
            CompletableFuture.runAsync(() -> {
                try {
                    HostFixture.call(
                            port,
                            "POST",
                            "/api/v1/lstm/train",
                            "{\"device_id\": \"press-4\", \"sensor_key\": \"oil_temp\", \"epochs\": 1000, \"patience\": 1000}",
                            null);
                } catch (Exception e) {
                    // the host dies under it: expected
                }
            });
            Thread.sleep(1500);
            host.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            // The next start finds the orphaned PostgreSQL, stops it, and has the stored model.
            Host again = startHost(data, broker.url());
            var model = JSON.readTree(
                            HostFixture.call(again.port(), "GET", "/api/v1/lstm/models/press-4/oil_temp", null, null)
                                    .body())
                    .get("model");
            assertEquals(version, model.get("model_version").asText());
            assertEquals("ready", model.get("status").asText());
            assertEquals(
                    200,
                    HostFixture.call(again.port(), "POST", "/api/v1/lstm/predict", body, null)
                            .status());

            // SIGTERM: an orderly stop, offline published, PostgreSQL shut down.
            again.process().destroy();
            assertTrue(again.process().waitFor(60, TimeUnit.SECONDS), "the host did not stop on SIGTERM");
            assertEquals(143, again.process().exitValue());
            assertEquals("offline", retainedStatus(broker.url()));
            assertFalse(Files.exists(data.resolve("postgres/postmaster.pid")), "PostgreSQL left running");
        }
    }

    /**
     * SIGKILL in the middle of a stream of QoS 1 readings, then a restart: every reading the broker
     * took is in {@code sensor_readings}. The broker (the test's own, as a plant's would be) keeps
     * the adapter's session; a reading is acknowledged to it only once stored, so what the killed
     * host had not stored yet is sent again to the restarted one. When readings were acknowledged
     * on arrival, a SIGKILL at 500 readings/s lost 22 of them.
     */
    @Test
    void killNineMidStreamLosesNoReadingTheBrokerTook() throws Exception {
        Path root = HostFixture.dataDir();
        try (EmbeddedBroker broker = EmbeddedBroker.start(root.resolve("broker"), 0);
                EmbeddedDatabase db = EmbeddedDatabase.start(root.resolve("db"))) {
            List<String> flags = List.of(
                    "--data-dir",
                    root.resolve("host").toString(),
                    "--http.port=0",
                    "--mqtt.url=" + broker.url(),
                    "--mqtt.client-id=prognos-kill",
                    "--jdbc.url=" + db.jdbcUrl(),
                    "--threads",
                    "1");
            // The second half is published while the host is down: the broker queues it for the session.
            streamKillAndRestart(flags, broker.port(), null, db.jdbcUrl(), false);
        }
    }

    /**
     * The same with the host's own broker, kept on disk ({@code prognos.mqtt.persistence=file}): the
     * broker dies with the host, and what it had taken comes back with it. In memory (the default)
     * a kill loses what the broker had taken and Prognos had not stored.
     */
    @Test
    void killNineWithTheEmbeddedBrokerOnDiskLosesNoReadingItTook() throws Exception {
        Path root = HostFixture.dataDir();
        int mqttPort = HostFixture.freePort();
        try (EmbeddedDatabase db = EmbeddedDatabase.start(root.resolve("db"))) {
            List<String> flags = List.of(
                    "--data-dir",
                    root.resolve("host").toString(),
                    "--http.port=0",
                    "--prognos.mqtt.port=" + mqttPort,
                    "--prognos.mqtt.persistence=file",
                    "--prognos.mqtt.password=plant-secret",
                    "--jdbc.url=" + db.jdbcUrl(),
                    "--threads",
                    "1");
            // The second half is published after the restart: with the host, its broker was gone.
            streamKillAndRestart(flags, mqttPort, "plant-secret", db.jdbcUrl(), true);
        }
    }

    /**
     * Publishes 4,000 QoS 1 readings (10 sensors), each waiting for the broker's acknowledgement,
     * kills the host with SIGKILL halfway, restarts it and checks that every one is stored, once.
     */
    private void streamKillAndRestart(
            List<String> flags, int mqttPort, String devicePassword, String jdbcUrl, boolean publishAfterRestart)
            throws Exception {
        int sensors = 10;
        int perSensor = 400;
        int total = sensors * perSensor;
        HostProcess first = HostProcess.serve("512m", null, flags);
        started.add(first.process());
        Mqtt5BlockingClient plant = plant(mqttPort, devicePassword);
        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
        HostProcess again = null;
        for (int n = 0; n < total; n++) {
            if (n == total / 2) {
                // Mid-stream: the readings of the last moments are in the host's queues, not stored.
                first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                if (publishAfterRestart) {
                    again = HostProcess.serve("512m", null, flags);
                    started.add(again.process());
                    plant = plant(mqttPort, devicePassword);
                }
            }
            int i = n / sensors;
            String reading = "{\"ts\":\"" + end.minus(Duration.ofHours(perSensor - i)) + "\",\"value\":"
                    + (50 + 3 * Math.sin(2 * Math.PI * i / 24)) + "}";
            // Waits for the broker's acknowledgement: each of these readings is one the broker took.
            plant.publishWith()
                    .topic("prognos/readings/kill-" + (n % sensors) + "/temp")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(reading.getBytes(StandardCharsets.UTF_8))
                    .send();
            if (n < total / 2) {
                Thread.sleep(0, 500_000); // about 500 readings/s while the first host runs
            }
        }
        plant.disconnect();
        if (again == null) {
            assertTrue(storedReadings(jdbcUrl) < total, "the host was killed before it stored everything");
            again = HostProcess.serve("512m", null, flags);
            started.add(again.process());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (storedReadings(jdbcUrl) < total && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertEquals(total, storedReadings(jdbcUrl), "every reading the broker took is stored, once");
    }

    private static Mqtt5BlockingClient plant(int port, String devicePassword) {
        var b = com.hivemq.client.mqtt.MqttClient.builder()
                .useMqttVersion5()
                .identifier("plant-" + System.nanoTime())
                .serverHost("127.0.0.1")
                .serverPort(port);
        if (devicePassword != null) {
            b = b.simpleAuth()
                    .username("device")
                    .password(devicePassword.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        Mqtt5BlockingClient c = b.buildBlocking();
        c.connect();
        return c;
    }

    private static long storedReadings(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                ResultSet r = c.createStatement()
                        .executeQuery("SELECT count(*) FROM sensor_readings WHERE device_id LIKE 'kill-%'")) {
            r.next();
            return r.getLong(1);
        }
    }
}
