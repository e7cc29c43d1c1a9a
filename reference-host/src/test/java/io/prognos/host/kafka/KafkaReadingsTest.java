package io.prognos.host.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.Reading;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.host.KafkaBroker;
import io.prognos.host.demo.OnMessage;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.jdbc.AlertsTable;
import io.prognos.kafka.KafkaAdapter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * On a real broker, a host sharing its sensors over Kafka: a sensor is one sensor whichever way its
 * readings come (the readings topic, a device's record, MQTT, REST), since every way reaches the
 * task that owns its key {@code device/sensor}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the hung broker last
class KafkaReadingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 6;
    /**
     * The readings topic's record limit, made before the host starts: below a REST body of 230
     * readings (about 11 KB), which the host must write in smaller records (it wrote one, refused
     * at every try, answering 503).
     */
    private static final int TOPIC_MAX_MESSAGE_BYTES = 8_192;

    private static KafkaBroker kafka;
    private static HostRuntime host;

    @BeforeAll
    static void start() throws Exception {
        Path dir = HostFixture.dataDir();
        kafka = KafkaBroker.start(dir.resolve("kafka"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("prognos.readings", PARTITIONS, (short) 1)
                            .configs(Map.of(
                                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(TOPIC_MAX_MESSAGE_BYTES)))))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        Map<String, String> config = HostFixture.config(dir);
        config.put("kafka.bootstrap", kafka.bootstrap());
        config.put("kafka.application-id", "readings-test");
        config.put("kafka.partitions", Integer.toString(PARTITIONS));
        config.put("kafka.replication-factor", "1");
        config.put("lstm.epochs", "3");
        // Below every reading of HostFixture.hourly (50 +- 3): critical from the first forecast on.
        config.put("prognos.limits", "boiler-1/temp=0:45;boiler-2/temp=0:45;boiler-3/temp=0:45");
        host = HostFixture.start(config, HostRuntime.Parts.ALL);
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Hourly readings ending two hours ago. */
    private static List<Reading> hourly(int n, long seed) {
        return HostFixture.hourly(n + 2, 0.01, seed).subList(0, n);
    }

    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    @Test
    void aSensorFedByBothTopicsIsOneSensorWithEveryReading() throws Exception {
        // The device's key and the sensor's hash to different partitions: without the split, two
        // tasks would each hold every other reading (120 of the 200 a training needs: no model).
        assertNotEquals(partition("pump-9"), partition("pump-9/temp"));
        List<Reading> readings = hourly(240, 9);
        try (KafkaProducer<String, String> p = producer()) {
            // In blocks of 60, by turns: a device's record reaches the readings topic one commit
            // (100 ms) after a record sent there directly, so readings sent by turns faster than
            // that would arrive out of order (and the later be refused as late); plants send a
            // sensor's readings minutes apart.
            for (int block = 0; block < 4; block++) {
                boolean byDevice = block % 2 == 0;
                for (Reading r : readings.subList(block * 60, block * 60 + 60)) {
                    if (byDevice) {
                        p.send(new ProducerRecord<>(
                                "prognos.device-readings",
                                "pump-9",
                                "{\"ts\": \"" + r.timestamp() + "\", \"values\": {\"temp\": " + r.value() + "}}"));
                    } else {
                        p.send(new ProducerRecord<>(
                                "prognos.readings",
                                "pump-9/temp",
                                "{\"ts\": \"" + r.timestamp() + "\", \"value\": " + r.value() + "}"));
                    }
                }
                p.flush();
                String blockEnd = readings.get(block * 60 + 59).timestamp().toString();
                assertTrue(
                        seen(
                                "prognos.readings",
                                "pump-9/temp",
                                n -> n.isArray()
                                        ? n.get(0).get("ts").asText().equals(blockEnd)
                                        : n.get("ts").asText().equals(blockEnd),
                                Duration.ofSeconds(30)),
                        "block " + block + " on the readings topic");
            }
        }
        Instant last = readings.get(readings.size() - 1).timestamp();
        List<JsonNode> forecasts = await(
                "prognos.forecasts",
                "pump-9/temp",
                f -> Instant.parse(f.get("based_on").asText()).equals(last),
                Duration.ofMinutes(2));
        assertFalse(forecasts.isEmpty(), "no forecast: the sensor was never trained");
        assertEquals(
                last.toString(),
                forecasts.get(forecasts.size() - 1).get("based_on").asText(),
                "the sensor's one state was forecast from its last reading");
        assertEquals(List.of(), await("prognos.errors", "pump-9/temp", f -> false, Duration.ofSeconds(5)));
        assertEquals(List.of(), await("prognos.errors", "pump-9", f -> false, Duration.ofSeconds(5)));
    }

    /**
     * A commit waits until the results of the readings it acknowledges are stored: while the
     * database's forecasts table is locked, a reading's forecast is not committed to Kafka; once the
     * lock is gone, it is, soon and once. (A state store's flush was to wait before each commit, but
     * Kafka Streams 4.1 flushes stores only when it checkpoints: the forecast was committed within
     * the lock.) The lock outlasts the commit's wait for the database (5 s), so a commit fails while
     * it is held: its transaction must be aborted then, not left open until the broker times it out
     * (10 s), which held the forecast back 10.6 s after the lock went. It outlasts two such waits
     * (20 s), and then the reading must still be forecast once the lock goes: when the commit failed
     * as timed out, Kafka Streams revived the task on the same thread, its consumer went on after
     * the reading, and its forecast never came. Meanwhile processing pauses instead of being refused
     * commit after commit.
     */
    @Test
    void aForecastIsCommittedOnlyOnceTheDatabaseHoldsItAndSoonAfter() throws Exception {
        List<Reading> readings = hourly(231, 11);
        Instant before = readings.get(229).timestamp();
        Instant last = readings.get(230).timestamp();
        long released;
        double refused;
        double paused;
        try (KafkaProducer<String, String> p = producer()) {
            for (Reading r : readings.subList(0, 230)) {
                p.send(new ProducerRecord<>("prognos.readings", "pump-11/temp", json(r)));
            }
            p.flush();
            assertTrue(
                    seen("prognos.forecasts", "pump-11/temp", f -> basedOn(f).equals(before), Duration.ofMinutes(2)),
                    "trained and forecast");
            try (Connection c = host.jdbc().dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("LOCK TABLE prognos.forecasts IN EXCLUSIVE MODE");
                }
                double refusedBefore = refusedCommits();
                p.send(new ProducerRecord<>("prognos.readings", "pump-11/temp", json(readings.get(230))));
                p.flush();
                assertTrue(
                        await(
                                        "prognos.forecasts",
                                        "pump-11/temp",
                                        f -> basedOn(f).equals(last),
                                        LOCK_HELD)
                                .stream()
                                .noneMatch(f -> basedOn(f).equals(last)),
                        "the forecast was committed to Kafka while the database could not store it");
                refused = refusedCommits() - refusedBefore;
                paused = host.metrics().get(KafkaAdapter.PAUSED_METER).gauge().value();
                c.rollback();
                released = System.nanoTime();
            }
        }
        assertTrue(
                seen("prognos.forecasts", "pump-11/temp", f -> basedOn(f).equals(last), Duration.ofMinutes(1)),
                "the reading processed while the database could not store its results was never forecast again:"
                        + " lost");
        assertEquals(1.0, paused, "processing paused while the results could not be stored");
        assertTrue(
                refused >= 1 && refused <= 2,
                refused + " commits refused in " + LOCK_HELD.toSeconds() + " s: processing went on and was refused"
                        + " again and again");
        Duration after = Duration.ofNanos(System.nanoTime() - released);
        assertTrue(
                after.compareTo(Duration.ofSeconds(5)) < 0,
                "committed " + after.toMillis() + " ms after the database took it: the failed commit's"
                        + " transaction was left for the broker to time out");
        assertEquals(
                1,
                await("prognos.forecasts", "pump-11/temp", f -> false, Duration.ofSeconds(3)).stream()
                        .filter(f -> basedOn(f).equals(last))
                        .count(),
                "exactly one copy of the forecast committed");
    }

    private static final Duration LOCK_HELD = Duration.ofSeconds(20);

    private static double refusedCommits() {
        return host.metrics().get(KafkaAdapter.COMMITS_REFUSED_METER).counter().count();
    }

    /**
     * A sensor with days of readings stored before they reach Kafka: its model is trained on them and
     * looks back a day (30-second readings, beyond the 200 its task buffered), and the task's fresh
     * state reads them back from the database, forecasting from the newest reading sent. Warmed
     * from the 200 alone, it waited 17 hours for a forecast.
     */
    @Test
    void aSensorWithStoredDaysIsForecastByItsTaskFromThem() throws Exception {
        SensorId sensor = SensorId.of("kiln-7", "temp");
        Instant newest =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minusSeconds(60);
        List<Reading> all = HostFixture.everyThirtySeconds(newest, 3 * 2880 + 200, 7);
        HostFixture.store(host, sensor, all.subList(0, 3 * 2880));
        try (KafkaProducer<String, String> p = producer()) {
            for (Reading r : all.subList(3 * 2880, all.size())) {
                p.send(new ProducerRecord<>("prognos.readings", "kiln-7/temp", json(r)));
            }
        }
        assertTrue(
                seen("prognos.forecasts", "kiln-7/temp", f -> basedOn(f).equals(newest), Duration.ofMinutes(2)),
                "no forecast from the newest reading");
        io.prognos.api.ModelInfo m = host.plugin().model(sensor).orElseThrow();
        assertTrue(m.sampleCount() > 8000, "trained on what was stored: " + m.sampleCount());
        assertTrue(m.contextIntervals() > 2880, "looks back a day: " + m.contextIntervals());
    }

    /**
     * A sensor a task starts without a context in its store goes on with the alert it had open on a
     * host before (a plant that served it on one host until it scaled out): not raised again under
     * a new id while its risk stands, where a sensor without one stored is raised.
     */
    @Test
    void aSensorItsTaskStartsAfreshGoesOnWithTheAlertStoredForIt() throws Exception {
        SensorId carried = SensorId.of("boiler-1", "temp");
        SensorId fresh = SensorId.of("boiler-2", "temp");
        List<Reading> readings = hourly(230, 12);
        Instant open = readings.get(199).timestamp();
        host.jdbc()
                .results()
                .writeAlerts(List.of(new AlertsTable.Row(
                        carried, "raised-before", "raised", RiskLevel.CRITICAL, RiskLevel.LOW, open, open)));
        try (KafkaProducer<String, String> p = producer()) {
            for (Reading r : readings) {
                p.send(new ProducerRecord<>("prognos.readings", "boiler-1/temp", json(r)));
                p.send(new ProducerRecord<>("prognos.readings", "boiler-2/temp", json(r)));
            }
        }
        Instant last = readings.get(readings.size() - 1).timestamp();
        for (String key : List.of("boiler-1/temp", "boiler-2/temp")) {
            assertTrue(
                    seen("prognos.forecasts", key, f -> basedOn(f).equals(last), Duration.ofMinutes(2)),
                    "no forecast of " + key + " from its last reading");
        }
        // Stored before the forecasts' commit.
        assertEquals(List.of("raised-before"), alertIds(carried), "the open alert goes on");
        assertEquals(1, alertIds(fresh).size(), "the case: raised once where none was open");
    }

    /**
     * An alert closed over REST on a Kafka host reaches the task that serves the sensor: published on
     * prognos.alerts under the id REST answered, and stored; the task's episode ends, so the level
     * still standing raises a new alert at the sensor's next reading (the task went on with the
     * episode it held, raising none).
     */
    @Test
    void anAlertClosedOverRestEndsTheEpisodeOfTheTaskServingTheSensor() throws Exception {
        SensorId sensor = SensorId.of("boiler-3", "temp");
        List<Reading> readings = hourly(231, 13);
        try (KafkaProducer<String, String> p = producer()) {
            for (Reading r : readings.subList(0, 230)) {
                p.send(new ProducerRecord<>("prognos.readings", "boiler-3/temp", json(r)));
            }
        }
        Instant last = readings.get(229).timestamp();
        assertTrue(seen("prognos.forecasts", "boiler-3/temp", f -> basedOn(f).equals(last), Duration.ofMinutes(2)));
        assertEquals(1, alertIds(sensor).size(), "the case: raised, and stored before the forecasts' commit");

        HostFixture.Response r = HostFixture.call(
                host.rest().port(), "DELETE", "/api/v1/lstm/alerts/boiler-3/temp?note=boiler%20drained", null, null);
        assertEquals(200, r.status(), r.body());
        String closeId = JSON.readTree(r.body()).get("alert_id").asText();
        assertTrue(
                seen(
                        "prognos.alerts",
                        "boiler-3/temp",
                        a -> a.get("alert_id").asText().equals(closeId)
                                && a.get("state").asText().equals("closed")
                                && a.path("note").asText().equals("boiler drained"),
                        Duration.ofMinutes(1)),
                "the close on prognos.alerts, with its note");
        try (KafkaProducer<String, String> p = producer()) {
            p.send(new ProducerRecord<>("prognos.readings", "boiler-3/temp", json(readings.get(230))));
        }
        String next = readings.get(230).timestamp().toString();
        assertTrue(
                seen(
                        "prognos.alerts",
                        "boiler-3/temp",
                        a -> a.get("state").asText().equals("raised")
                                && a.get("based_on").asText().equals(next),
                        Duration.ofMinutes(2)),
                "raised again at the next reading");
        assertEquals(2, alertIds(sensor).size());
    }

    private static List<String> alertIds(SensorId sensor) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = host.jdbc().dataSource().getConnection();
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT alert_id FROM prognos.alerts WHERE device_id = '" + sensor.deviceId()
                        + "' AND state = 'raised' ORDER BY based_on")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static Instant basedOn(JsonNode forecast) {
        return Instant.parse(forecast.get("based_on").asText());
    }

    private static String json(Reading r) {
        return "{\"ts\": \"" + r.timestamp() + "\", \"value\": " + r.value() + "}";
    }

    @Test
    void readingsSentOverRestGoToTheReadingsTopicAndAreForecastThere() throws Exception {
        List<Reading> readings = hourly(230, 7);
        int port = host.rest().port();
        HostFixture.Response r =
                HostFixture.call(port, "POST", "/api/v1/lstm/readings/pump-7/temp", HostFixture.json(readings), null);
        assertEquals(200, r.status(), r.body());
        JsonNode taken = JSON.readTree(r.body());
        assertEquals(230, taken.get("accepted").asInt(), r.body());
        assertEquals("prognos.readings", taken.get("forwarded_to").asText(), r.body());

        // On the readings topic as they were sent, keyed by the sensor, in records the topic takes.
        Instant last = readings.get(readings.size() - 1).timestamp();
        List<JsonNode> records = readingsRecordsUntil("pump-7/temp", last);
        assertEquals(readings, readingsOf(records));
        assertTrue(
                records.size() > 1, "one record of 230 readings is more than the topic's " + TOPIC_MAX_MESSAGE_BYTES);
        // Read by the sensor's task: trained, and forecast from the last of them.
        assertTrue(seen("prognos.forecasts", "pump-7/temp", f -> basedOn(f).equals(last), Duration.ofMinutes(2)));

        // A device id holding the key separator would name another device in the record key.
        HostFixture.Response bad =
                HostFixture.call(port, "POST", "/api/v1/lstm/readings/line-1%2Fpump/temp", "{\"value\": 1}", null);
        assertEquals(400, bad.status(), bad.body());
        assertEquals("device_id", JSON.readTree(bad.body()).get("field").asText(), bad.body());
    }

    /**
     * The readings topic's limit lowered by an operator while the host runs: the host's records, sized
     * to the limit read at start, are refused; it asks the limit again and sends them in smaller
     * records (before: 503 at every try until a restart).
     */
    @Test
    void aReadingsTopicLimitLoweredWhileTheHostRunsIsFollowed() throws Exception {
        int lowered = 3_000; // below the records sized at start: 230 readings in four of about 3.2 KB
        alterReadingsTopicLimit(lowered);
        try {
            List<Reading> readings = hourly(230, 8);
            HostFixture.Response r = HostFixture.call(
                    host.rest().port(), "POST", "/api/v1/lstm/readings/pump-8/temp", HostFixture.json(readings), null);
            assertEquals(200, r.status(), r.body());
            Instant last = readings.get(readings.size() - 1).timestamp();
            List<JsonNode> records = readingsRecordsUntil("pump-8/temp", last);
            assertEquals(readings, readingsOf(records), "every reading, in order, once");
            for (JsonNode record : records) {
                assertTrue(JSON.writeValueAsBytes(record).length <= lowered, record.size() + " readings in one record");
            }
        } finally {
            alterReadingsTopicLimit(TOPIC_MAX_MESSAGE_BYTES);
        }
    }

    private static void alterReadingsTopicLimit(int bytes) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, "prognos.readings"),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(bytes)),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * MQTT readings on a Kafka host go to the readings topic as REST's do (before, they fed the
     * host's own cycle: a second state of the sensor beside Kafka's, on every host subscribed), and
     * the sensor's results come back over MQTT from the task that scores it.
     */
    @Test
    void readingsSentOverMqttGoToTheReadingsTopicAndTheirResultsComeBackOverMqtt() throws Exception {
        List<Reading> readings = hourly(230, 5);
        Instant last = readings.get(readings.size() - 1).timestamp();
        MqttClient device = new MqttClient(host.broker().url(), "pump-5-" + System.nanoTime(), new MemoryPersistence());
        device.setTimeToWait(30_000);
        device.connect(host.broker().asDevice(new MqttConnectionOptions()));
        CompletableFuture<JsonNode> forecastOverMqtt = new CompletableFuture<>();
        // A callback, not a per-subscription listener: Paho 1.2.5 fails on those without properties.
        device.setCallback((OnMessage) (topic, m) -> {
            JsonNode f = JSON.readTree(m.getPayload());
            if (Instant.parse(f.get("based_on").asText()).equals(last)) {
                forecastOverMqtt.complete(f);
            }
        });
        device.subscribe("prognos/forecast/pump-5/temp", 1);
        try {
            for (int i = 0; i < readings.size(); i += 50) {
                device.publish(
                        "prognos/readings/pump-5/temp",
                        new MqttMessage(
                                HostFixture.json(readings.subList(i, Math.min(readings.size(), i + 50)))
                                        .getBytes(StandardCharsets.UTF_8),
                                1,
                                false,
                                null));
            }
            // On the readings topic as they were sent, keyed by the sensor.
            assertEquals(readings, readingsOf(readingsRecordsUntil("pump-5/temp", last)));
            // Trained and forecast by the sensor's task, on Kafka and, from there, over MQTT.
            assertTrue(seen("prognos.forecasts", "pump-5/temp", f -> basedOn(f).equals(last), Duration.ofMinutes(2)));
            assertEquals(
                    "pump-5",
                    forecastOverMqtt.get(30, TimeUnit.SECONDS).get("device_id").asText());
            assertNull(host.contexts().peek(SensorId.of("pump-5", "temp")), "no state of it in the host's own cycle");
            JsonNode health = JSON.readTree(HostFixture.call(host.rest().port(), "GET", "/health", null, null)
                    .body());
            assertEquals("UP", health.get("components").get("mqtt_forwarding").asText(), health.toString());
            assertEquals(List.of(), await("prognos.errors", "pump-5/temp", f -> false, Duration.ofSeconds(2)));
        } finally {
            device.disconnect();
            device.close();
        }
    }

    /**
     * The embedded broker serves this host alone, so the host subscribes to it plainly, not in its
     * application's shared group: HiveMQ CE can stop delivering a shared subscription for good
     * (docs/mqtt.md). A client in that group that holds the one message it is given unacknowledged
     * would keep readings from a host subscribed through the group.
     */
    @Test
    void withTheEmbeddedBrokerEveryMqttReadingReachesTheHostBesideAClientOfItsApplicationsGroup() throws Exception {
        List<Reading> readings = hourly(20, 11);
        Instant last = readings.get(readings.size() - 1).timestamp();
        MqttClient member = new MqttClient(host.broker().url(), "member-" + System.nanoTime(), new MemoryPersistence());
        member.setManualAcks(true);
        member.setCallback((OnMessage) (topic, m) -> {});
        MqttConnectionOptions holdingOne = host.broker().asDevice(new MqttConnectionOptions());
        holdingOne.setReceiveMaximum(1);
        member.connect(holdingOne);
        member.subscribe("$share/readings-test/prognos/readings/#", 1);
        MqttClient device =
                new MqttClient(host.broker().url(), "press-3-" + System.nanoTime(), new MemoryPersistence());
        device.connect(host.broker().asDevice(new MqttConnectionOptions()));
        try {
            for (Reading r : readings) {
                device.publish(
                        "prognos/readings/press-3/temp",
                        new MqttMessage(HostFixture.json(List.of(r)).getBytes(StandardCharsets.UTF_8), 1, false, null));
                // One at a time: the broker hands a burst to whichever subscriber of the group asks first.
                Thread.sleep(50);
            }
            assertEquals(readings, readingsOf(readingsRecordsUntil("press-3/temp", last)), "every reading, once");
        } finally {
            device.disconnect();
            device.close();
            member.disconnect();
            member.close();
        }
    }

    /**
     * A hung broker (SIGSTOP): Kafka Streams stays RUNNING through it, so {@code /health} said kafka
     * UP throughout (measured by hand: 45 s after a broker's SIGKILL). Now the host tells it from its
     * stream threads' heartbeats: kafka DOWN, and the host with it, once none has reached the group
     * coordinator for a session timeout (15 s here); UP again once the broker answers. Last, as the
     * broker is stopped for it.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aBrokerOutOfReachIsDownInHealthAndUpAgainOnceItAnswers() throws Exception {
        int port = host.rest().port();
        assertEquals("UP", awaitKafkaHealth(port, "UP", Duration.ofSeconds(60)));
        kafka.suspend();
        try {
            assertEquals("DOWN", awaitKafkaHealth(port, "DOWN", Duration.ofSeconds(60)));
            assertEquals(
                    503, HostFixture.call(port, "GET", "/health", null, null).status());
        } finally {
            kafka.resume();
        }
        assertEquals("UP", awaitKafkaHealth(port, "UP", Duration.ofSeconds(90)));
        assertEquals(200, HostFixture.call(port, "GET", "/health", null, null).status());
    }

    /** {@code /health}'s kafka component once it is {@code wanted}, or what it was at the deadline. */
    private static String awaitKafkaHealth(int port, String wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state;
        do {
            state = JSON.readTree(
                            HostFixture.call(port, "GET", "/health", null, null).body())
                    .get("components")
                    .get("kafka")
                    .asText();
            if (state.equals(wanted)) {
                return state;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return state;
    }

    /** The readings of records written as arrays of readings, in order. */
    private static List<Reading> readingsOf(List<JsonNode> records) {
        List<Reading> out = new ArrayList<>();
        for (JsonNode record : records) {
            for (JsonNode n : record) {
                out.add(new Reading(
                        Instant.parse(n.get("ts").asText()), n.get("value").asDouble()));
            }
        }
        return out;
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrap(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        // Batches within the readings topic's limit: a larger refused batch is split
                        // into batches of batch.size again and again.
                        ProducerConfig.BATCH_SIZE_CONFIG,
                        TOPIC_MAX_MESSAGE_BYTES / 2),
                new StringSerializer(),
                new StringSerializer());
    }

    /**
     * The committed records of {@code topic} keyed {@code key}, read from the start until one
     * matches {@code until} or {@code timeout} passes (a zero timeout: what is there now).
     */
    /** The readings topic's records of {@code key} (arrays of readings) up to the one ending at {@code last}. */
    private static List<JsonNode> readingsRecordsUntil(String key, Instant last) throws Exception {
        return await(
                "prognos.readings",
                key,
                x -> Instant.parse(x.get(x.size() - 1).get("ts").asText()).equals(last),
                Duration.ofSeconds(30));
    }

    /** Whether a record of {@code key} matching {@code until} arrives within {@code timeout}. */
    private static boolean seen(String topic, String key, Predicate<JsonNode> until, Duration timeout)
            throws Exception {
        return await(topic, key, until, timeout).stream().anyMatch(until);
    }

    /**
     * The records of {@code key} read until one matches {@code until} (the last then) or {@code
     * timeout} passes (all of them then, matching or not).
     */
    private static List<JsonNode> await(String topic, String key, Predicate<JsonNode> until, Duration timeout)
            throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrap(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            do {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        JsonNode n = JSON.readTree(r.value());
                        out.add(n);
                        if (until.test(n)) {
                            return out;
                        }
                    }
                }
            } while (System.nanoTime() < deadline);
        }
        return out;
    }
}
