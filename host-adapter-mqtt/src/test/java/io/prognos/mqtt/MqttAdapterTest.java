package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.ModelStatus;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

/** The MQTT adapter against a real broker (embedded HiveMQ CE). */
class MqttAdapterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2025-05-01T00:00:00Z");

    record Received(String topic, MqttMessage message) {
        JsonNode json() throws Exception {
            return JSON.readTree(message.getPayload());
        }
    }

    /** A plain MQTT 5 client that records what arrives. */
    static final class Client implements AutoCloseable {
        final MqttClient mqtt;
        final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();

        Client(Broker broker, String id, String... filters) throws MqttException {
            this(broker.url(), id, filters);
        }

        Client(String url, String id, String... filters) throws MqttException {
            mqtt = new MqttClient(url, id, new MemoryPersistence());
            mqtt.setCallback(new MqttCallback() {
                public void disconnected(MqttDisconnectResponse r) {}

                public void mqttErrorOccurred(MqttException e) {}

                public void messageArrived(String topic, MqttMessage m) {
                    inbox.add(new Received(topic, m));
                }

                public void deliveryComplete(IMqttToken t) {}

                public void connectComplete(boolean reconnect, String uri) {}

                public void authPacketArrived(int code, MqttProperties p) {}
            });
            mqtt.connect(new MqttConnectionOptions());
            for (String f : filters) {
                mqtt.subscribe(f, 1);
            }
        }

        void send(String topic, String payload) throws MqttException, InterruptedException {
            PahoPublish.qos1(mqtt, topic, payload.getBytes(StandardCharsets.UTF_8));
        }

        /** A request on {@code prognos/requests/{kind}} whose reply is asked for on {@code replyTo}. */
        void request(String kind, String body, String replyTo, byte[] correlation, UserProperty... user)
                throws MqttException {
            MqttProperties props = new MqttProperties();
            props.setResponseTopic(replyTo);
            if (correlation != null) {
                props.setCorrelationData(correlation);
            }
            if (user.length > 0) {
                props.setUserProperties(List.of(user));
            }
            mqtt.publish(
                    "prognos/requests/" + kind,
                    new MqttMessage(body.getBytes(StandardCharsets.UTF_8), 1, false, props));
        }

        Received await(String topicPrefix, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                Received r = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (r != null && r.topic().startsWith(topicPrefix)) {
                    return r;
                }
            }
            return null;
        }

        /**
         * The messages under {@code topicPrefix} until {@code expected} of them came (or {@code
         * timeout} passed), then any more within {@code quiet}: a second copy comes right behind the
         * first, while a loaded machine may hold an answer back longer than such a pause.
         */
        List<Received> collect(String topicPrefix, int expected, Duration timeout, Duration quiet)
                throws InterruptedException {
            List<Received> got = new ArrayList<>();
            long end = System.nanoTime() + timeout.toNanos();
            while (got.size() < expected && System.nanoTime() < end) {
                Received r = await(topicPrefix, Duration.ofNanos(end - System.nanoTime()));
                if (r != null) {
                    got.add(r);
                }
            }
            for (Received r; (r = await(topicPrefix, quiet)) != null; ) {
                got.add(r);
            }
            return got;
        }

        @Override
        public void close() throws MqttException {
            if (mqtt.isConnected()) {
                mqtt.disconnect();
            }
            mqtt.close();
        }
    }

    static ForecastingPlugin plugin() {
        ForecastingPlugin p = PluginDiscovery.discover(MqttAdapterTest.class.getClassLoader())
                .plugins()
                .get(0);
        p.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
        return p;
    }

    static Map<String, String> config(Broker broker, String clientId) {
        return config(broker.url(), clientId);
    }

    static Map<String, String> config(String url, String clientId) {
        Map<String, String> c = new HashMap<>();
        c.put("mqtt.url", url);
        c.put("mqtt.client-id", clientId);
        c.put("mqtt.train-after", "250");
        c.put("mqtt.error-log-interval", "0s");
        return c;
    }

    /** Trains after 100 readings and forecasts every second (the time cadence), never by count. */
    private static Map<String, String> everySecond(Broker broker, String clientId) {
        Map<String, String> c = config(broker, clientId);
        c.put("mqtt.forecast-every", "100000");
        c.put("mqtt.forecast-interval", "1s");
        c.put("mqtt.train-after", "100");
        return c;
    }

    /**
     * Leaves the readings' session an earlier release kept on the broker at {@code url}: subscribed
     * to requests too, and to readings under the narrower filter of the releases before the device topic.
     */
    static void sessionOfAnEarlierRelease(String url, String clientId) throws MqttException {
        MqttClient earlier = new MqttClient(url, clientId, new MemoryPersistence());
        MqttConnectionOptions kept = new MqttConnectionOptions();
        kept.setCleanStart(false);
        kept.setSessionExpiryInterval(3600L);
        earlier.connect(kept);
        earlier.subscribe(new String[] {"prognos/readings/+/+", "prognos/requests/+"}, new int[] {1, 1});
        earlier.disconnect();
        earlier.close();
    }

    /** 120 hourly readings of a slow wave in one message: enough to train after 100 and forecast. */
    private static String fiveDays() {
        StringBuilder batch = new StringBuilder("[");
        for (int h = 0; h < 120; h++) {
            batch.append(h == 0 ? "" : ",").append(reading(h, 20 + Math.sin(h / 4.0)));
        }
        return batch.append("]").toString();
    }

    static String reading(int hour, double value) {
        return "{\"ts\": \"" + T0.plus(Duration.ofHours(hour)) + "\", \"value\": " + value + "}";
    }

    @Test
    void readingsInAlertsOutAndRequestsAnswered() throws Exception {
        try (Broker broker = new Broker();
                Client watcher = new Client(broker, "watcher", "prognos/alerts/#", "prognos/status");
                Client schedules = new Client(broker, "schedules", "prognos/maintenance/schedule");
                Client scores = new Client(broker, "scores", "prognos/anomaly/#");
                Client plant = new Client(broker, "plant")) {
            ForecastingPlugin plugin = plugin();
            SensorId pump = SensorId.of("pump-7", "bearing_temp");
            try (MqttAdapter adapter = MqttAdapter.start(
                    plugin,
                    s -> new OperatingLimits(null, null, 85.0, 91.5),
                    config(broker, "prognos-test"),
                    Clock.systemUTC())) {
                Received online = watcher.await("prognos/status", Duration.ofSeconds(10));
                assertEquals("online", new String(online.message().getPayload(), StandardCharsets.UTF_8));
                Random r = new Random(3);
                // Steady at 60 for 150 hours, then heating 0.2 degrees per hour towards the 91.5 limit.
                for (int h = 0; h < 300; h++) {
                    double v = 60 + (h > 150 ? 0.2 * (h - 150) : 0) + 0.1 * r.nextGaussian();
                    plant.send("prognos/readings/pump-7/bearing_temp", reading(h, v));
                }
                Received alert = null;
                long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (System.nanoTime() < end
                        && (alert == null
                                || !alert.json().get("risk_level").asText().equals("high"))) {
                    Received next = watcher.await("prognos/alerts/pump-7/bearing_temp", Duration.ofSeconds(5));
                    alert = next != null ? next : alert;
                    if (next == null && adapter.readingsReceived() == 300) {
                        adapter.drain(Duration.ofSeconds(60));
                    }
                }
                assertNotNull(alert, "no alert for a bearing heating towards its limit");
                JsonNode a = alert.json();
                assertEquals("high", a.get("risk_level").asText(), a.toString());
                assertEquals("raised", a.get("state").asText());
                assertFalse(a.get("alert_id").asText().isBlank());
                assertEquals(1, alert.message().getQos());
                assertFalse(alert.message().isRetained());
                assertEquals("application/json", alert.message().getProperties().getContentType());
                Map<String, String> user = new HashMap<>();
                alert.message().getProperties().getUserProperties().forEach(u -> user.put(u.getKey(), u.getValue()));
                assertEquals("1", user.get("schema_version"));
                assertEquals(plugin.model(pump).orElseThrow().modelVersion(), user.get("model_version"));

                // The schedule follows level changes, not every forecast: 30 more readings, each
                // forecast on its own, give a few schedule messages (a level change or two), not 30.
                adapter.drain(Duration.ofSeconds(60));
                schedules.inbox.clear();
                for (int h = 300; h < 330; h++) {
                    plant.send("prognos/readings/pump-7/bearing_temp", reading(h, 60 + 0.2 * (h - 150)));
                    int received = h + 1;
                    waitFor(() -> adapter.readingsReceived() == received, Duration.ofSeconds(10));
                    adapter.drain(Duration.ofSeconds(10));
                }
                int published = 0;
                while (schedules.inbox.poll(500, TimeUnit.MILLISECONDS) != null) {
                    published++;
                }
                assertTrue(published <= 5, published + " schedule messages for 30 forecasts");

                // An anomaly score for every hour completed after the model arrived, each hour once.
                List<String> hours = new ArrayList<>();
                for (Received m : scores.inbox) {
                    assertFalse(m.message().isRetained(), "scores are a stream, not state");
                    JsonNode j = m.json();
                    double score = j.get("anomaly_score").asDouble();
                    assertTrue(score >= 0 && score <= 1, j.toString());
                    assertEquals(score >= 0.57, j.get("anomalous").asBoolean(), j.toString());
                    hours.add(j.get("interval_start").asText());
                }
                assertEquals(hours.size(), new HashSet<>(hours).size(), "no hour scored twice");
                assertTrue(hours.contains(T0.plus(Duration.ofHours(329)).toString()), "the newest hour is scored");
                assertTrue(hours.size() >= 30, hours.size() + " hours scored");

                // Retained state for late subscribers.
                try (Client late = new Client(
                        broker, "late", "prognos/forecast/pump-7/bearing_temp", "prognos/maintenance/schedule")) {
                    Received forecast = late.await("prognos/forecast/", Duration.ofSeconds(10));
                    assertNotNull(forecast, "retained forecast");
                    assertEquals(12, forecast.json().get("forecasts").size());
                    assertNotNull(forecast.message().getProperties().getMessageExpiryInterval());
                    Received schedule = late.await("prognos/maintenance/schedule", Duration.ofSeconds(10));
                    assertEquals(
                            "pump-7",
                            schedule.json()
                                    .get("schedule")
                                    .get(0)
                                    .get("device_id")
                                    .asText());
                }

                // Request/response for hosts without HTTP; replies only under prognos/replies/.
                String pump7 = "{\"device_id\":\"pump-7\",\"sensor_key\":\"bearing_temp\"}";
                plant.mqtt.subscribe("prognos/errors", 1);
                plant.request("forecast", pump7, "prognos/alerts/pump-7/bearing_temp", null);
                Received refused = plant.await("prognos/errors", Duration.ofSeconds(20));
                assertNotNull(refused, "a request aiming its reply at a result topic is refused");
                assertEquals("bad_response_topic", refused.json().get("reason").asText());
                plant.mqtt.subscribe("prognos/replies/plant", 1);
                plant.request("forecast", pump7, "prognos/replies/plant", new byte[] {7, 7});
                Received reply = plant.await("prognos/replies/plant", Duration.ofSeconds(20));
                assertNotNull(reply);
                assertTrue(reply.json().get("success").asBoolean(), reply.json().toString());
                assertArrayEquals(
                        new byte[] {7, 7}, reply.message().getProperties().getCorrelationData());

                // A training with an option, then one that keeps the model's options and adds one.
                String pump7Options = pump7.replace("}", ",\"forecast_horizon\":6,\"epochs\":1}");
                plant.request("train", pump7Options, "prognos/replies/plant", new byte[] {8});
                Received six = plant.await("prognos/replies/plant", Duration.ofSeconds(60));
                assertEquals(
                        6,
                        six.json().get("forecast_horizon").asInt(),
                        six.json().toString());
                String kept = pump7.replace("}", ",\"keep_options\":true,\"epochs\":2}");
                plant.request("train", kept, "prognos/replies/plant", new byte[] {9});
                JsonNode again = plant.await("prognos/replies/plant", Duration.ofSeconds(60))
                        .json();
                assertEquals(6, again.get("forecast_horizon").asInt(), again.toString());
                JsonNode options = again.get("model").get("train_options");
                assertEquals(2, options.size(), options.toString());
                assertEquals("6", options.get("forecast_horizon").asText());
                assertEquals("2", options.get("epochs").asText());
            }
            Received offline = watcher.await("prognos/status", Duration.ofSeconds(10));
            assertEquals("offline", new String(offline.message().getPayload(), StandardCharsets.UTF_8));
            plugin.stop();
        }
    }

    @Test
    void requestsNeedTheTokenWhenOneIsSet() throws Exception {
        try (Broker broker = new Broker();
                Client plant = new Client(broker, "requester", "prognos/replies/#")) {
            ForecastingPlugin plugin = plugin();
            Map<String, String> c = config(broker, "prognos-token");
            c.put("mqtt.request-token", "s3cret");
            try (MqttAdapter adapter = MqttAdapter.start(plugin, s -> OperatingLimits.none(), c, Clock.systemUTC())) {
                String body = "{\"device_id\":\"pump-8\",\"sensor_key\":\"flow\"}";
                for (String authorization : new String[] {null, "Bearer wrong", "Bearer s3cret"}) {
                    UserProperty[] user = authorization == null
                            ? new UserProperty[0]
                            : new UserProperty[] {new UserProperty("authorization", authorization)};
                    plant.request("forecast", body, "prognos/replies/requester", null, user);
                    Received reply = plant.await("prognos/replies/requester", Duration.ofSeconds(20));
                    assertNotNull(reply, "a reply to " + authorization);
                    boolean refused =
                            "unauthorized".equals(reply.json().path("reason").asText());
                    assertEquals(
                            "Bearer s3cret".equals(authorization),
                            !refused,
                            reply.json().toString());
                }
            } finally {
                plugin.stop();
            }
        }
    }

    @Test
    void badPayloadsAreReportedAndNeverStopTheAdapter() throws Exception {
        try (Broker broker = new Broker();
                Client errors = new Client(broker, "errors", "prognos/errors");
                Client plant = new Client(broker, "plant")) {
            ForecastingPlugin plugin = plugin();
            Map<String, String> c = config(broker, "prognos-bad");
            c.put("mqtt.max-payload-bytes", "1024");
            try (MqttAdapter adapter = MqttAdapter.start(plugin, s -> OperatingLimits.none(), c, Clock.systemUTC())) {
                String topic = "prognos/readings/fan-1/current";
                plant.send(topic, "{not json");
                plant.send(topic, "{\"ts\": 1700000000000}");
                plant.send(topic, "{\"value\": \"hot\"}");
                plant.send(topic, "{\"value\": NaN}");
                plant.send(topic, "{\"value\": 1.0, \"ts\": \"" + Instant.now().plus(Duration.ofDays(2)) + "\"}");
                plant.send(topic, "{\"value\": 1.0, \"ts\": \"yesterday\"}");
                plant.send(topic, "[" + "{\"value\": 1.0},".repeat(100) + "{\"value\": 1.0}]");
                plant.send(topic, "{\"value\": 12.5}");
                Map<String, String> reasons = new HashMap<>();
                for (int i = 0; i < 7; i++) {
                    Received e = errors.await("prognos/errors", Duration.ofSeconds(10));
                    assertNotNull(e, "error report " + i + " missing; got " + reasons);
                    reasons.put(
                            e.json().get("reason").asText(),
                            e.json().get("topic").asText());
                }
                assertEquals(
                        Map.of(
                                "malformed_json",
                                topic,
                                "missing_value",
                                topic,
                                "non_numeric_value",
                                topic,
                                "future_timestamp",
                                topic,
                                "bad_timestamp",
                                topic,
                                "oversized",
                                topic),
                        reasons,
                        "every rejection names its reason and the original topic");
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (adapter.readingsReceived() < 1 && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                assertEquals(1, adapter.readingsReceived(), "the good reading after the bad ones still counts");
                assertEquals(
                        2L,
                        adapter.rejectedCounts().get("malformed_json"),
                        adapter.rejectedCounts().toString());

                // One unstorable timestamp in an array is refused alone; its neighbours are kept.
                Instant now = Instant.now();
                plant.send(
                        topic,
                        "[{\"value\": 1.0, \"ts\": \"" + now.minusSeconds(60) + "\"}, {\"value\": 2.0, \"ts\":"
                                + " \"-7537-01-01T00:00:00Z\"}, {\"value\": 3.0, \"ts\": \"" + now + "\"}]");
                Received e = errors.await("prognos/errors", Duration.ofSeconds(10));
                assertNotNull(e, "the year -7537 is reported");
                assertEquals("bad_timestamp", e.json().get("reason").asText());
                assertTrue(
                        e.json().get("message").asText().contains("other readings were kept"),
                        e.json().toString());
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (adapter.readingsReceived() < 3 && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                assertEquals(3, adapter.readingsReceived(), "the array's two good readings count");

                // A message of many bad readings: the first ten said each, the rest summed up by
                // reason (it sent one report per reading), every one counted.
                long texts = adapter.rejectedCounts().get("non_numeric_value");
                plant.send(
                        topic,
                        "[" + "{\"value\": \"hot\"},".repeat(20) + "{\"value\": 1e999},".repeat(3) + "{\"value\": 4}]");
                plant.send(topic, "{\"value\": \"the next message\"}");
                List<String> reports = new ArrayList<>();
                while (true) {
                    Received r = errors.await("prognos/errors", Duration.ofSeconds(10));
                    assertNotNull(r, "reports so far: " + reports);
                    String m = r.json().get("message").asText();
                    if (m.contains("the next message")) {
                        break;
                    }
                    reports.add(r.json().get("reason").asText() + ": " + m);
                }
                assertEquals(12, reports.size(), String.join("\n", reports));
                assertTrue(reports.get(9).startsWith("non_numeric_value: reading 10 of 24: "), reports.get(9));
                assertTrue(
                        reports.get(10).startsWith("non_numeric_value: 10 more refused as non_numeric_value"),
                        reports.get(10));
                assertTrue(reports.get(11).startsWith("non_finite_value: 3 more refused"), reports.get(11));
                assertEquals(
                        texts + 21,
                        adapter.rejectedCounts().get("non_numeric_value"),
                        "the summed-up readings are counted, as is the next message");
                assertEquals(3L, adapter.rejectedCounts().get("non_finite_value"));
                until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (adapter.readingsReceived() < 4 && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                assertEquals(4, adapter.readingsReceived(), "the array's good reading counts");
            }
            plugin.stop();
        }
    }

    @Test
    void aTimeCadenceForecastsSensorsWithNewReadings() throws Exception {
        try (Broker broker = new Broker();
                Client watcher = new Client(broker, "watcher", "prognos/forecast/#");
                Client plant = new Client(broker, "plant")) {
            ForecastingPlugin plugin = plugin();
            try (MqttAdapter adapter = MqttAdapter.start(
                    plugin, s -> OperatingLimits.none(), everySecond(broker, "prognos-cadence"), Clock.systemUTC())) {
                plant.send("prognos/readings/oven-2/temp", fiveDays());
                Received forecast = watcher.await("prognos/forecast/oven-2/temp", Duration.ofSeconds(60));
                assertNotNull(forecast, "no forecast from the time cadence");
                assertEquals(120, adapter.readingsReceived(), "an array payload is 120 readings");
            }
            plugin.stop();
        }
    }

    /**
     * A device id with a '/' (a Kafka key "line-1/press-3/temp", a JDBC sensor) is one topic level
     * written "line-1%2Fpress-3": its readings come in there and its results go out there; before,
     * such a sensor's results were not published over MQTT at all.
     */
    @Test
    void anIdWithASlashIsOneEscapedLevelBothWays() throws Exception {
        try (Broker broker = new Broker();
                Client watcher = new Client(broker, "watcher", "prognos/forecast/#");
                Client plant = new Client(broker, "plant")) {
            ForecastingPlugin plugin = plugin();
            try (MqttAdapter adapter = MqttAdapter.start(
                    plugin, s -> OperatingLimits.none(), everySecond(broker, "prognos-escaped"), Clock.systemUTC())) {
                plant.send("prognos/readings/line-1%2Fpress-3/temp", fiveDays());
                Received forecast = watcher.await("prognos/forecast/", Duration.ofSeconds(60));
                assertNotNull(forecast, "no forecast");
                assertEquals("prognos/forecast/line-1%2Fpress-3/temp", forecast.topic());
                assertEquals("line-1/press-3", forecast.json().get("device_id").asText());
                assertTrue(plugin.model(SensorId.of("line-1/press-3", "temp")).isPresent());
            }
            plugin.stop();
        }
    }

    /**
     * Most devices publish all their measurements in one message. At the device's topic, ThingsBoard's
     * telemetry shape ({"ts", "values": {...}}) and the same without "values" feed each sensor the
     * payload names as its own topic would (a number may come as a string); a key configured as no
     * sensor (a sequence number) is skipped; a value that is not a number is refused naming its
     * key, and the message's other values are kept.
     */
    @Test
    void aDevicesTopicFeedsEachSensorItsPayloadNames() throws Exception {
        try (Broker broker = new Broker();
                Client watcher = new Client(broker, "watcher", "prognos/forecast/#");
                Client errors = new Client(broker, "errors", "prognos/errors");
                Client plant = new Client(broker, "plant")) {
            ForecastingPlugin plugin = plugin();
            Map<String, String> config = everySecond(broker, "prognos-device");
            config.put("mqtt.device-ignore-keys", "seq");
            try (MqttAdapter adapter =
                    MqttAdapter.start(plugin, s -> OperatingLimits.none(), config, Clock.systemUTC())) {
                StringBuilder batch = new StringBuilder("[");
                for (int h = 0; h < 120; h++) {
                    String ts = "\"ts\": \"" + T0.plus(Duration.ofHours(h)) + "\", \"seq\": " + h;
                    String temp = "\"temp\": " + (20 + Math.sin(h / 4.0));
                    String rpm = "\"rpm\": \"" + (1480 + h % 7) + "\"";
                    batch.append(h == 0 ? "" : ",")
                            .append(
                                    h % 2 == 0
                                            ? "{" + ts + ", \"values\": {" + temp + ", " + rpm + "}}"
                                            : "{" + ts + ", " + temp + ", " + rpm + "}");
                }
                plant.send("prognos/readings/mill-3", batch.append("]").toString());
                Set<String> forecast = new HashSet<>();
                while (forecast.size() < 2) {
                    Received f = watcher.await("prognos/forecast/mill-3/", Duration.ofSeconds(60));
                    assertNotNull(f, "forecasts only for " + forecast);
                    forecast.add(f.topic());
                }
                assertEquals(Set.of("prognos/forecast/mill-3/temp", "prognos/forecast/mill-3/rpm"), forecast);
                assertEquals(240, adapter.readingsReceived(), "120 messages of two sensors each, seq not one");
                assertTrue(plugin.model(SensorId.of("mill-3", "rpm")).isPresent());
                assertTrue(plugin.model(SensorId.of("mill-3", "seq")).isEmpty());

                plant.send("prognos/readings/mill-3", "{\"temp\": 21.0, \"state\": \"running\"}");
                Received refused = errors.await("prognos/errors", Duration.ofSeconds(10));
                assertNotNull(refused, "a value that is not a number is reported");
                assertEquals("non_numeric_value", refused.json().get("reason").asText());
                assertEquals(
                        "prognos/readings/mill-3", refused.json().get("topic").asText());
                assertTrue(
                        refused.json().get("message").asText().contains("'state'"),
                        refused.json().toString());
                waitFor(() -> adapter.readingsReceived() == 241, Duration.ofSeconds(10));
            }
            plugin.stop();
        }
    }

    /**
     * A host stopping while a requested training runs, another waits and a slow message is in hand:
     * both requesters are answered at once that their training did not finish, and no training goes
     * on after the adapter closed (before, the waiting one ran too, close moved on after 30 s while
     * one still ran, and its reply was lost with the connection; then, cancelling waited for the
     * message in hand, up to 30 s).
     */
    @Test
    void closingCancelsRequestedTrainingsAndAnswersTheirRequesters() throws Exception {
        try (Broker broker = new Broker();
                Client plant = new Client(broker, "plant", "prognos/replies/plant")) {
            SensorId slow = SensorId.of("mill-4", "temp");
            CountDownLatch inHand = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            ForecastingPlugin plugin = stallingLookupsOf(plugin(), slow, inHand, letGo);
            Map<String, String> c = config(broker, "prognos-stopping");
            c.put("cycle.train-after", "1000000"); // only the requests train
            SensorId mill = SensorId.of("mill-3", "temp");
            String firstVersion = null;
            Map<Byte, JsonNode> replies = new HashMap<>();
            try {
                MqttAdapter adapter = MqttAdapter.start(plugin, s -> OperatingLimits.none(), c, Clock.systemUTC());
                Thread closing = new Thread(adapter::close, "closing-adapter");
                try {
                    // A first model, so that the plugin lists the sensor's status while it trains again.
                    trainedByRequest(plant, adapter, "mill-3", 600);
                    String sensor = "\"device_id\":\"mill-3\",\"sensor_key\":\"temp\"";
                    firstVersion = plugin.model(mill).orElseThrow().modelVersion();
                    // Long enough to outlast any close: a thousand epochs of one window per batch.
                    String endless = "{" + sensor + ",\"epochs\":1000,\"patience\":1000,\"batch_size\":1}";
                    plant.request("train", endless, "prognos/replies/plant", new byte[] {1});
                    plant.request("train", endless, "prognos/replies/plant", new byte[] {2}); // waits behind the first
                    waitFor(
                            () -> plugin.models().stream()
                                    .anyMatch(m -> m.sensor().equals(mill) && m.status() == ModelStatus.TRAINING),
                            Duration.ofSeconds(60));
                    // The broker delivers the second right after the first, which is running now.
                    waitFor(() -> false, Duration.ofSeconds(1));
                    plant.send("prognos/readings/mill-4/temp", reading(0, 1));
                    assertTrue(inHand.await(30, TimeUnit.SECONDS), "the slow reading never reached the plugin");
                    closing.start();
                    for (int i = 0; i < 2; i++) {
                        Received r = plant.await("prognos/replies/plant", Duration.ofSeconds(10));
                        assertNotNull(
                                r, "every requester is answered while a message is still in hand; got " + replies);
                        replies.put(r.message().getProperties().getCorrelationData()[0], r.json());
                    }
                } finally {
                    letGo.countDown();
                    if (closing.getState() == Thread.State.NEW) {
                        closing.start();
                    }
                    closing.join(60_000);
                }
                assertTrue(
                        plugin.models().stream().noneMatch(m -> m.status() == ModelStatus.TRAINING),
                        "a requested training runs on after the adapter closed");
                JsonNode running = replies.get((byte) 1);
                assertFalse(running.get("success").asBoolean(), running.toString());
                assertTrue(running.get("error").asText().contains("cancelled"), running.toString());
                JsonNode waiting = replies.get((byte) 2);
                assertFalse(waiting.get("success").asBoolean(), waiting.toString());
                assertTrue(waiting.get("error").asText().contains("host is stopping"), waiting.toString());
                assertEquals(
                        firstVersion,
                        plugin.model(mill).orElseThrow().modelVersion(),
                        "a cancelled training saved a model");
            } finally {
                plugin.stop();
            }
        }
    }

    @Test
    void aRequestHeldBehindStuckModelWorkIsAnsweredBusyAndAnsweredWhenItMovesAgain() throws Exception {
        try (Broker broker = new Broker();
                Client plant = new Client(broker, "plant", "prognos/replies/plant")) {
            SensorId slow = SensorId.of("mill-4", "temp");
            CountDownLatch inHand = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            ForecastingPlugin plugin = stallingLookupsOf(plugin(), slow, inHand, letGo);
            Map<String, String> c = config(broker, "prognos-held");
            c.put("cycle.train-after", "1000000"); // only the request trains
            String mill = "{\"device_id\":\"mill-3\",\"sensor_key\":\"temp\"}";
            try (MqttAdapter adapter = MqttAdapter.start(plugin, s -> OperatingLimits.none(), c, Clock.systemUTC())) {
                trainedByRequest(plant, adapter, "mill-3", 300);

                // The model-work thread is held (as by a database writer waiting for room).
                plant.send("prognos/readings/mill-4/temp", reading(0, 1));
                assertTrue(inHand.await(30, TimeUnit.SECONDS), "the slow reading never reached the plugin");
                long asked = System.nanoTime();
                plant.request("forecast", mill, "prognos/replies/plant", new byte[] {1});
                Received busy = plant.await("prognos/replies/plant", Duration.ofSeconds(20));
                double waited = (System.nanoTime() - asked) / 1e9;
                assertNotNull(busy, "a request behind held model work is never answered");
                assertArrayEquals(new byte[] {1}, busy.message().getProperties().getCorrelationData());
                assertFalse(busy.json().get("success").asBoolean(), busy.json().toString());
                assertEquals(
                        "capacity",
                        busy.json().get("reason").asText(),
                        busy.json().toString());
                assertTrue(waited >= 4, "refused after " + waited + " s, before its chance to be handled");

                letGo.countDown();
                plant.request("forecast", mill, "prognos/replies/plant", new byte[] {2});
                Received answered = plant.await("prognos/replies/plant", Duration.ofSeconds(20));
                assertNotNull(answered, "no answer once the model work moves again");
                assertArrayEquals(
                        new byte[] {2},
                        answered.message().getProperties().getCorrelationData(),
                        "the request answered busy was handled too");
                assertTrue(
                        answered.json().get("success").asBoolean(),
                        answered.json().toString());
                assertEquals(
                        12,
                        answered.json().get("forecasts").size(),
                        answered.json().toString());
                assertNull(plant.await("prognos/replies/plant", Duration.ofSeconds(1)), "a third reply");
            } finally {
                letGo.countDown();
                plugin.stop();
            }
        }
    }

    @Test
    void theSessionOfAnEarlierReleaseHandsOverItsRequestsAndEachIsAnsweredOnce() throws Exception {
        try (Broker broker = new Broker();
                Client plant = new Client(broker, "plant", "prognos/replies/plant", "prognos/errors")) {
            sessionOfAnEarlierRelease(broker.url(), "prognos-upgraded");
            String mill = "{\"device_id\":\"mill-6\",\"sensor_key\":\"temp\"}";
            plant.request("forecast", mill, "prognos/replies/plant", new byte[] {1}); // while the host is away
            ForecastingPlugin plugin = plugin();
            try (MqttAdapter adapter = MqttAdapter.start(
                    plugin, s -> OperatingLimits.none(), config(broker, "prognos-upgraded"), Clock.systemUTC())) {
                plant.request("forecast", mill, "prognos/replies/plant", new byte[] {2});
                List<String> got = new ArrayList<>();
                for (Received r : plant.collect("prognos/", 2, Duration.ofSeconds(30), Duration.ofSeconds(3))) {
                    byte[] correlation = r.message().getProperties().getCorrelationData();
                    got.add(r.topic() + " " + (correlation == null ? r.json() : correlation[0]));
                }
                got.sort(null);
                assertEquals(List.of("prognos/replies/plant 1", "prognos/replies/plant 2"), got);
            } finally {
                plugin.stop();
            }
        }
    }

    /**
     * {@code hours} hourly readings of {@code device}/temp in one message, then a one-epoch training
     * of it asked for over MQTT and answered on {@code prognos/replies/plant} (correlation 0).
     */
    private static void trainedByRequest(Client plant, MqttAdapter adapter, String device, int hours) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int h = 0; h < hours; h++) {
            batch.append(h == 0 ? "" : ",").append(reading(h, 50 + 5 * Math.sin(h / 3.0)));
        }
        plant.send("prognos/readings/" + device + "/temp", batch.append("]").toString());
        waitFor(() -> adapter.readingsReceived() == hours, Duration.ofSeconds(30));
        adapter.drain(Duration.ofSeconds(30));
        String sensor = "\"device_id\":\"" + device + "\",\"sensor_key\":\"temp\"";
        plant.request("train", "{" + sensor + ",\"epochs\":1}", "prognos/replies/plant", new byte[] {0});
        Received trained = plant.await("prognos/replies/plant", Duration.ofSeconds(60));
        assertNotNull(trained, "no reply to a one-epoch training");
        assertTrue(trained.json().get("success").asBoolean(), trained.json().toString());
    }

    /**
     * {@code real}, except that looking up {@code slow}'s model (the first thing the adapter's work
     * thread does with a reading) holds that thread until {@code letGo}: a message slow to handle.
     */
    private static ForecastingPlugin stallingLookupsOf(
            ForecastingPlugin real, SensorId slow, CountDownLatch inHand, CountDownLatch letGo) {
        return (ForecastingPlugin) Proxy.newProxyInstance(
                ForecastingPlugin.class.getClassLoader(), new Class<?>[] {ForecastingPlugin.class}, (p, m, args) -> {
                    if (m.getName().equals("model") && args != null && slow.equals(args[0])) {
                        inHand.countDown();
                        letGo.await(60, TimeUnit.SECONDS);
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Every request gets its answer, also one that is no request at all (the JSON literal null) and
     * one the plugin fails at with an error of its own: before, both escaped the request's thread
     * and the requester waited for a reply that never came.
     */
    @Test
    void aRequestOfNullOrOneThePluginFailsAtIsAnswered() throws Exception {
        try (Broker broker = new Broker();
                Client plant = new Client(broker, "plant", "prognos/replies/plant")) {
            ForecastingPlugin real = plugin();
            SensorId broken = SensorId.of("broken-1", "rpm");
            ForecastingPlugin failing = (ForecastingPlugin) Proxy.newProxyInstance(
                    ForecastingPlugin.class.getClassLoader(),
                    new Class<?>[] {ForecastingPlugin.class},
                    (p, m, args) -> {
                        if (m.getName().equals("train")
                                && ((TrainRequest) args[0]).sensor().deviceId().equals("big-1")) {
                            throw new OutOfMemoryError("Java heap space");
                        }
                        if (m.getName().equals("train")
                                && ((TrainRequest) args[0]).sensor().deviceId().equals("lost-1")) {
                            throw new NoClassDefFoundError("acme/Missing");
                        }
                        if (m.getName().equals("train") || (m.getName().equals("model") && broken.equals(args[0]))) {
                            throw new IllegalStateException("injected: the plugin's own fault");
                        }
                        try {
                            return m.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            try (MqttAdapter adapter = MqttAdapter.start(
                    failing, s -> OperatingLimits.none(), config(broker, "prognos-faults"), Clock.systemUTC())) {
                String mill = "{\"device_id\":\"mill-1\",\"sensor_key\":\"rpm\"}";
                plant.request("forecast", "null", "prognos/replies/plant", new byte[] {1});
                plant.request("train", mill, "prognos/replies/plant", new byte[] {2});
                plant.request("forecast", mill, "prognos/replies/plant", new byte[] {3});
                plant.request(
                        "forecast",
                        "{\"device_id\":\"broken-1\",\"sensor_key\":\"rpm\"}",
                        "prognos/replies/plant",
                        new byte[] {4});
                plant.request(
                        "train",
                        "{\"device_id\":\"big-1\",\"sensor_key\":\"rpm\"}",
                        "prognos/replies/plant",
                        new byte[] {5});
                plant.request(
                        "train",
                        "{\"device_id\":\"lost-1\",\"sensor_key\":\"rpm\"}",
                        "prognos/replies/plant",
                        new byte[] {7});
                plant.request("train", mill, "prognos/replies/plant", new byte[] {6}); // the trainings' thread goes on
                Map<Byte, JsonNode> replies = new HashMap<>();
                for (int i = 0; i < 7; i++) {
                    Received r = plant.await("prognos/replies/plant", Duration.ofSeconds(20));
                    assertNotNull(r, "answered: " + replies.keySet());
                    replies.put(r.message().getProperties().getCorrelationData()[0], r.json());
                }
                JsonNode notAnObject = replies.get((byte) 1);
                assertEquals("body", notAnObject.get("field").asText(), notAnObject.toString());
                assertEquals(
                        "the request must be a JSON object",
                        notAnObject.get("error").asText());
                JsonNode outOfMemory = replies.get((byte) 5);
                assertEquals("capacity", outOfMemory.get("reason").asText(), outOfMemory.toString());
                assertTrue(
                        outOfMemory.get("error").asText().contains("the training of big-1/rpm ran out of heap memory"),
                        outOfMemory.toString());
                JsonNode missingClass = replies.get((byte) 7);
                assertTrue(
                        missingClass.get("error").asText().startsWith("internal error: ")
                                && missingClass.get("error").asText().contains("acme/Missing"),
                        missingClass.toString());
                for (byte failedAt : new byte[] {2, 4, 6}) { // trainings, and a forecast's model lookup
                    JsonNode failed = replies.get(failedAt);
                    assertFalse(failed.get("success").asBoolean(), failed.toString());
                    assertTrue(
                            failed.get("error").asText().startsWith("internal error: ")
                                    && failed.get("error").asText().contains("injected"),
                            failed.toString());
                }
                // The adapter goes on: the forecast asked after them is answered (no model yet).
                JsonNode unknown = replies.get((byte) 3);
                assertFalse(unknown.get("success").asBoolean(), unknown.toString());
                assertTrue(unknown.get("error").asText().contains("mill-1"), unknown.toString());
            } finally {
                real.stop();
            }
        }
    }

    @Test
    void aBrokerRestartLosesNoQos1Reading() throws Exception {
        try (Broker broker = new Broker()) {
            ForecastingPlugin plugin = plugin();
            try (MqttAdapter adapter = MqttAdapter.start(
                    plugin, s -> OperatingLimits.none(), config(broker, "prognos-restart"), Clock.systemUTC())) {
                try (Client plant = new Client(broker, "plant-1")) {
                    for (int h = 0; h < 10; h++) {
                        plant.send("prognos/readings/line-1/temp", reading(h, 20 + h));
                    }
                }
                waitFor(() -> adapter.readingsReceived() == 10, Duration.ofSeconds(10));
                broker.stop();
                broker.start();
                // Sent right after the restart, while the adapter may still be reconnecting: the broker
                // queues them in the adapter's persistent session.
                try (Client plant = new Client(broker, "plant-2")) {
                    for (int h = 10; h < 30; h++) {
                        plant.send("prognos/readings/line-1/temp", reading(h, 20 + h));
                    }
                }
                waitFor(() -> adapter.readingsReceived() >= 30, Duration.ofSeconds(60));
                assertEquals(30, adapter.readingsReceived());
            }
            plugin.stop();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /** The request session's id is the client id + '-requests': no instance may take that as its own. */
    @Test
    void aClientIdThatIsAnotherInstancesRequestSessionIsRefused() {
        ForecastingPlugin p = plugin();
        try {
            var e = assertThrows(
                    InvalidConfigurationException.class,
                    () -> MqttAdapter.start(
                            p,
                            s -> OperatingLimits.none(),
                            Map.of("mqtt.url", "tcp://localhost:1883", "mqtt.client-id", "plant-a-requests"),
                            Clock.systemUTC()));
            assertEquals("mqtt.client-id", e.problems().get(0).key(), e.getMessage());
            assertTrue(e.getMessage().contains("must not end in '-requests'"), e.getMessage());
        } finally {
            p.stop();
        }
    }

    /** A broker that cannot be reached at start is an error to retry, and the adapter leaves no thread running. */
    @Test
    void anAdapterThatCannotConnectSaysWhyAndLeavesNothingBehind() throws Exception {
        ForecastingPlugin p = plugin();
        try {
            Set<Thread> before = adapterThreads();
            int closedPort;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            Map<String, String> c = new HashMap<>();
            c.put("mqtt.url", "tcp://127.0.0.1:" + closedPort);
            c.put("mqtt.client-id", "prognos-unreachable");
            c.put("mqtt.connect-timeout", "2s");
            var e = assertThrows(
                    RetryLaterException.class,
                    () -> MqttAdapter.start(p, s -> OperatingLimits.none(), c, Clock.systemUTC()));
            assertTrue(
                    e.getMessage().contains("cannot connect to the MQTT broker at tcp://127.0.0.1:" + closedPort)
                            && e.getMessage().contains("not connected within 2 s")
                            && e.getMessage().contains("the last: Connection refused")
                            && !e.getMessage().contains(MqttConnection.WRONG_SCHEME),
                    e.getMessage());
            // Nothing keeps trying: the port, open now, sees no connect (the client's backoff was at
            // 1-2 s between attempts when it gave up, 30 s at most).
            try (java.net.ServerSocket late = new java.net.ServerSocket(closedPort)) {
                late.setSoTimeout(8_000);
                assertThrows(java.net.SocketTimeoutException.class, late::accept);
            }
            Set<Thread> left = adapterThreads();
            for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; left = adapterThreads()) {
                left.removeAll(before);
                if (left.isEmpty()) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals(Set.of(), left);
        } finally {
            p.stop();
        }
    }

    /**
     * A host closed while its broker is down does not come back: its client's pending reconnect
     * would connect later under the same client id, take the session from the host that replaced
     * it and say "online" for a host that is gone.
     */
    @Test
    void anAdapterClosedWhileItsBrokerIsDownDoesNotConnectAgain() throws Exception {
        ForecastingPlugin p = plugin();
        Broker broker = new Broker();
        try {
            MqttAdapter a = MqttAdapter.start(
                    p, s -> OperatingLimits.none(), config(broker, "prognos-closed-while-down"), Clock.systemUTC());
            broker.stop();
            Thread.sleep(1_500); // the client has tried once (after 1 s) and waits to try again
            a.close();
            try (java.net.ServerSocket late = new java.net.ServerSocket(broker.port)) {
                late.setSoTimeout(8_000); // its next tries were due about 2 and 6 s later
                assertThrows(java.net.SocketTimeoutException.class, late::accept);
            }
        } finally {
            Broker.deleteTree(broker.root());
            p.stop();
        }
    }

    private static Set<Thread> adapterThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("prognos-mqtt-")) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void aBrokerUrlTheClientCannotUseIsAConfigurationErrorNamingTheKey() {
        ForecastingPlugin p = plugin();
        try {
            for (String bad : new String[] {"ws://localhost:1883", "localhost:1883", "tcp://", "tcp://a b"}) {
                var e = assertThrows(
                        InvalidConfigurationException.class,
                        () -> MqttAdapter.start(
                                p, s -> OperatingLimits.none(), Map.of("mqtt.url", bad), Clock.systemUTC()),
                        bad);
                assertTrue(e.getMessage().contains("mqtt.url"), e.getMessage());
            }
        } finally {
            p.stop();
        }
    }
}
