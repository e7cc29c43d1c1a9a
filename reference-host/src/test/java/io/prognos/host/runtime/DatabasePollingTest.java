package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.host.dashboard.FleetWatch;
import io.prognos.host.demo.OnMessage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

/**
 * {@code prognos.poll-every}: readings that reach the database another way than MQTT, REST or
 * Kafka (a historian, ThingsBoard) are trained on, forecast and scored by polling, their results
 * stored, shown on the dashboard and published on the broker as those of MQTT readings are.
 */
class DatabasePollingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SensorId SENSOR = SensorId.of("historian-1", "temp");

    @Test
    void readingsWrittenToTheDatabaseByAnotherSystemAreForecastStoredShownAndPublished() throws Exception {
        Map<String, String> config = HostFixture.config(HostFixture.dataDir());
        config.put("prognos.poll-every", "1s");
        // Hourly readings up to the last hour; the current hour's comes later, as a historian writes it.
        List<Reading> past = HostFixture.hourly(301, 0, 4).stream()
                .map(r -> new Reading(r.timestamp().minus(Duration.ofHours(1)), r.value()))
                .toList();
        Instant last = past.get(past.size() - 1).timestamp();
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            HostFixture.store(host, SENSOR, past);
            waitFor(() -> newestForecast(host) != null && newestForecast(host).equals(last), "a forecast from " + last);
            assertTrue(host.plugin().model(SENSOR).isPresent(), "trained by the poller");
            FleetWatch.Track track = host.fleet().track(SENSOR);
            assertNotNull(track, "on the dashboard");
            assertEquals(last, track.result().risk().basedOn());
            assertEquals(last, track.lastReadingAt(), "the newest reading, for its age on the dashboard");
            waitFor(() -> host.poller().lastRun() != null, "a run reported");
            HostFixture.Response r = HostFixture.call(host.rest().port(), "GET", "/api/v1/lstm/status", null, null);
            JsonNode poller = JSON.readTree(r.body()).get("poller");
            assertEquals("PT1S", poller.get("every").asText(), r.body());
            assertEquals(1, poller.get("sensors").asInt(), r.body());
            assertTrue(poller.get("completed").asBoolean(), r.body());
            assertEquals(0, poller.get("skipped").asInt(), r.body());
            assertFalse(poller.get("last_run_ended_at").isNull(), r.body());

            try (Subscribed subscribed = Subscribed.to(host, SENSOR)) {
                BlockingQueue<JsonNode> forecasts = subscribed.forecasts();
                JsonNode retained = forecasts.poll(10, TimeUnit.SECONDS);
                assertNotNull(retained, "the forecast published, retained");
                assertEquals(last, Instant.parse(retained.get("based_on").asText()));

                // The next reading written to the table is read at the next poll, and only it.
                Instant next = last.plus(Duration.ofHours(1));
                HostFixture.store(host, SENSOR, List.of(new Reading(next, 50.0)));
                JsonNode fresh = forecasts.poll(20, TimeUnit.SECONDS);
                assertNotNull(fresh, "a forecast from the new reading");
                assertEquals(next, Instant.parse(fresh.get("based_on").asText()));
                waitFor(() -> next.equals(newestForecast(host)), "the forecast from " + next + " stored");
            }
        }
    }

    /**
     * A sensor whose readings come over REST (or MQTT) is stored where the default query polls: it
     * is left to the cycle that took them, not forecast, published and alerted on a second time.
     */
    @Test
    void aSensorWhoseReadingsComeOverRestIsNotPolledToo() throws Exception {
        Map<String, String> config = HostFixture.config(HostFixture.dataDir());
        config.put("prognos.poll-every", "1s");
        SensorId pushed = SensorId.of("rest-2", "temp");
        List<Reading> readings = HostFixture.hourly(250, 0, 6);
        Instant last = readings.get(readings.size() - 1).timestamp();
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            try (Subscribed subscribed = Subscribed.to(host, pushed)) {
                BlockingQueue<JsonNode> forecasts = subscribed.forecasts();
                HostFixture.Response r = HostFixture.call(
                        host.rest().port(),
                        "POST",
                        "/api/v1/lstm/readings/rest-2/temp",
                        HostFixture.json(readings),
                        null);
                assertEquals(200, r.status(), r.body());
                JsonNode first = forecasts.poll(60, TimeUnit.SECONDS);
                assertNotNull(first, "forecast by the cycle that took the readings, once trained");
                assertEquals(last, Instant.parse(first.get("based_on").asText()));
                // Five polls later: no second forecast of the same readings.
                Thread.sleep(5_000);
                assertEquals(List.of(), List.copyOf(forecasts), "forecast once");
            }
        }
    }

    /**
     * Every host of a Kafka application would poll every sensor, and a period under a second keeps
     * the database busy: refused at start, naming the key.
     */
    @Test
    void pollingBesideKafkaOrMoreThanOnceASecondIsRefused() throws Exception {
        Map<String, String> config = HostFixture.config(HostFixture.dataDir());
        config.put("prognos.poll-every", "1m");
        config.put("kafka.bootstrap", "localhost:1");
        InvalidConfigurationException e = assertThrows(
                InvalidConfigurationException.class, () -> HostFixture.start(config, HostRuntime.Parts.ALL));
        assertTrue(e.getMessage().contains("prognos.poll-every: not with kafka.bootstrap"), e.getMessage());
        // Every millisecond would keep the database busy reading every sensor's query.
        config.remove("kafka.bootstrap");
        config.put("prognos.poll-every", "500ms");
        InvalidConfigurationException fast = assertThrows(
                InvalidConfigurationException.class, () -> HostFixture.start(config, HostRuntime.Parts.ALL));
        assertTrue(
                fast.getMessage().contains("prognos.poll-every: at least 1s (0 for never), got 500 ms"),
                fast.getMessage());
    }

    /** The forecasts the broker publishes for a sensor, as a subscriber receives them, until closed. */
    private record Subscribed(MqttClient client, BlockingQueue<JsonNode> forecasts) implements AutoCloseable {
        static Subscribed to(HostRuntime host, SensorId sensor) throws MqttException {
            MqttClient c =
                    new MqttClient(host.broker().url(), "test-poll-" + System.nanoTime(), new MemoryPersistence());
            BlockingQueue<JsonNode> received = new ArrayBlockingQueue<>(64);
            c.connect(host.broker().asDevice(new MqttConnectionOptions()));
            // A callback, not a per-subscription listener: Paho 1.2.5 fails on those without properties.
            c.setCallback((OnMessage) (topic, m) -> received.add(JSON.readTree(m.getPayload())));
            c.subscribe("prognos/forecast/" + sensor.deviceId() + "/" + sensor.sensorKey(), 1);
            return new Subscribed(c, received);
        }

        @Override
        public void close() throws MqttException {
            client.disconnect();
            client.close();
        }
    }

    private static Instant newestForecast(HostRuntime host) {
        try (Connection c = host.jdbc().dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT max(based_on) FROM prognos.forecasts WHERE device_id = '"
                        + SENSOR.deviceId() + "' AND sensor_key = '" + SENSOR.sensorKey() + "'")) {
            rs.next();
            Timestamp t = rs.getTimestamp(1);
            return t == null ? null : t.toInstant();
        } catch (Exception e) {
            return null; // the table is made at the poller's first write
        }
    }

    private static void waitFor(BooleanSupplier done, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 90 s: " + what);
            }
            Thread.sleep(200);
        }
    }
}
