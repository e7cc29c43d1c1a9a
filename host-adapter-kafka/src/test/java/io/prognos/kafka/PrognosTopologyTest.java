package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.Reading;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.TrainingRunner;
import io.prognos.host.core.wire.ForecastMessage;
import io.prognos.host.core.wire.Json;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology driven record by record with the real plugin, without a broker. */
class PrognosTopologyTest {

    static final Instant T0 = Instant.parse("2025-06-01T00:00:00Z");
    static final KafkaSettings SETTINGS =
            KafkaSettings.from(Map.of("kafka.bootstrap", "unused:9092", "kafka.device-ignore-keys", "seq"));

    @TempDir
    Path stateDir;

    ForecastingPlugin plugin;
    TrainingRunner trainer;
    final List<TopologyTestDriver> drivers = new ArrayList<>();

    @BeforeEach
    void start() {
        plugin = PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        plugin.start(new PluginContext(
                Map.of("lstm.epochs", "5"), new ThreadLimits(1, 1), new InMemoryModelStore(), Clock.systemUTC()));
        trainer = new TrainingRunner(plugin, 1, 10, m -> {}, (s, e) -> {});
    }

    @AfterEach
    void stop() {
        drivers.forEach(TopologyTestDriver::close);
        trainer.close();
        plugin.stop();
    }

    /** A driver over the topology; {@code inMemory} bounds the contexts its task keeps in memory. */
    Driver driver(int inMemory, String dir) {
        return driver(inMemory, dir, plugin);
    }

    Driver driver(int inMemory, String dir, ForecastingPlugin plugin) {
        return driver(inMemory, dir, plugin, new SensorCycle.Listener() {});
    }

    /** A cycle without limits or forecast cadence, for the adapter's tests. */
    static SensorCycle cycle(ForecastingPlugin plugin, TrainingRunner trainer, SensorCycle.Listener listener) {
        return cycle(plugin, trainer, listener, s -> OperatingLimits.none());
    }

    /** The same cycle with operating limits. */
    static SensorCycle cycle(
            ForecastingPlugin plugin,
            TrainingRunner trainer,
            SensorCycle.Listener listener,
            Function<SensorId, OperatingLimits> limits) {
        return new SensorCycle(
                plugin,
                limits,
                new CycleSettings(200, 512, 1, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1), 1000),
                Clock.systemUTC(),
                trainer,
                listener);
    }

    Driver driver(int inMemory, String dir, ForecastingPlugin plugin, SensorCycle.Listener listener) {
        return driver(inMemory, dir, plugin, cycle(plugin, trainer, listener), null);
    }

    /** {@code openAlerts}: the alert each sensor had open on a host before (null: none is asked for). */
    Driver driver(
            int inMemory,
            String dir,
            ForecastingPlugin plugin,
            SensorCycle cycle,
            Function<SensorId, AlertEpisodes.Open> openAlerts) {
        TrainedSensors trained = new TrainedSensors();
        trainer.afterTraining(m -> trained.add(m.sensor(), System.currentTimeMillis()));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaMeters meters = new KafkaMeters(registry);
        Properties props = KafkaAdapter.properties(SETTINGS, stateDir.resolve(dir));
        TopologyTestDriver d = new TopologyTestDriver(
                PrognosTopology.build(
                        SETTINGS,
                        () -> new ReadingsProcessor(
                                cycle,
                                trainer,
                                plugin,
                                SETTINGS,
                                trained,
                                meters,
                                Clock.systemUTC(),
                                inMemory,
                                openAlerts),
                        () -> new DeviceSplitter(
                                SETTINGS,
                                new ReadingsPayload(SETTINGS, SETTINGS.maxRecordBytes()),
                                meters,
                                Clock.systemUTC())),
                props);
        drivers.add(d);
        return new Driver(d, registry);
    }

    static final class Driver {
        final TopologyTestDriver d;
        final TestInputTopic<String, byte[]> readings;
        final TestInputTopic<String, byte[]> deviceReadings;
        final TestOutputTopic<String, byte[]> forecasts;
        final TestOutputTopic<String, byte[]> risk;
        final TestOutputTopic<String, byte[]> anomaly;
        final TestOutputTopic<String, byte[]> errors;
        final TestOutputTopic<String, byte[]> alerts;
        /** What the device splitter wrote to the readings topic. */
        final TestOutputTopic<String, byte[]> split;
        /** The adapter's meters. */
        final SimpleMeterRegistry registry;

        Driver(TopologyTestDriver d, SimpleMeterRegistry registry) {
            this.d = d;
            this.registry = registry;
            readings = d.createInputTopic(SETTINGS.readingsTopic(), new StringSerializer(), new ByteArraySerializer());
            deviceReadings = d.createInputTopic(
                    SETTINGS.deviceReadingsTopic(), new StringSerializer(), new ByteArraySerializer());
            forecasts = out(d, SETTINGS.forecastsTopic());
            risk = out(d, SETTINGS.riskTopic());
            anomaly = out(d, SETTINGS.anomalyTopic());
            errors = out(d, SETTINGS.errorsTopic());
            alerts = out(d, SETTINGS.alertsTopic());
            split = out(d, SETTINGS.readingsTopic());
        }

        private static TestOutputTopic<String, byte[]> out(TopologyTestDriver d, String topic) {
            return d.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer());
        }

        void send(String key, Reading r) {
            readings.pipeInput(key, json(r));
        }
    }

    static byte[] json(Reading r) {
        return ("{\"ts\":\"" + r.timestamp() + "\",\"value\":" + r.value() + "}").getBytes(StandardCharsets.UTF_8);
    }

    static List<Reading> hourly(int from, int to, double level, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new Reading(
                    T0.plus(Duration.ofHours(i)), level + 2 * Math.sin(2 * Math.PI * i / 24) + 0.3 * r.nextGaussian()));
        }
        return out;
    }

    void train(SensorId sensor, List<Reading> history) {
        plugin.train(new TrainRequest(sensor, history, Map.of()));
    }

    /** A driver whose sensor {@code key} was trained on the first 200 readings and has been sent them; outputs drained. */
    Driver trainedAndFed(String key, List<Reading> history, String dir) throws Exception {
        String[] id = key.split("/");
        train(SensorId.of(id[0], id[1]), history.subList(0, 200));
        Driver t = driver(1000, dir);
        for (Reading r : history.subList(0, 200)) {
            t.send(key, r);
        }
        t.forecasts.readValuesToList();
        t.risk.readValuesToList();
        t.anomaly.readValuesToList();
        return t;
    }

    static JsonNode tree(byte[] value) throws Exception {
        return Json.mapper().readTree(value);
    }

    @Test
    void badRecordsGoToTheErrorsTopicWithWhereTheyWereAndTheStreamGoesOn() throws Exception {
        List<Reading> history = hourly(0, 240, 50, 1);
        Driver t = trainedAndFed("pump-1/temp", history, "a");
        byte[] oversize = new byte[70_000];
        Arrays.fill(oversize, (byte) ' ');
        t.readings.pipeInput("pump-1/temp", "not json".getBytes(StandardCharsets.UTF_8));
        t.readings.pipeInput("pump-1/temp", "{\"value\": NaN}".getBytes(StandardCharsets.UTF_8));
        t.readings.pipeInput("pump-1/temp", "{\"value\": \"NaN\"}".getBytes(StandardCharsets.UTF_8));
        t.readings.pipeInput("pump-1-temp", json(history.get(200)));
        t.readings.pipeInput((String) null, json(history.get(200)));
        t.readings.pipeInput("pump-1/temp", oversize);
        t.readings.pipeInput("pump-1/temp", (byte[]) null);
        t.readings.pipeInput(
                "pump-1/temp",
                ("[{\"ts\":\"" + history.get(200).timestamp() + "\",\"value\":1e999},"
                                + new String(json(history.get(200)), StandardCharsets.UTF_8) + "]")
                        .getBytes(StandardCharsets.UTF_8));

        List<TestRecord<String, byte[]>> errors = t.errors.readRecordsToList();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < errors.size(); i++) {
            JsonNode e = tree(errors.get(i).value());
            reasons.add(e.get("reason").asText());
            assertEquals(SETTINGS.readingsTopic(), e.get("topic").asText());
            assertEquals(0, e.get("partition").asInt());
            assertEquals(200 + i, e.get("offset").asLong(), "the offset of the refused record: " + e);
            assertFalse(e.get("message").asText().isBlank());
            assertEquals(
                    errors.get(i).key(),
                    e.get("key").isNull() ? null : e.get("key").asText());
        }
        assertEquals(
                List.of(
                        "malformed_json",
                        "malformed_json",
                        "non_numeric_value",
                        "bad_key",
                        "bad_key",
                        "oversized",
                        "malformed_json",
                        "non_finite_value"),
                reasons);
        List<JsonNode> after = new ArrayList<>();
        for (byte[] v : t.forecasts.readValuesToList()) {
            after.add(tree(v));
        }
        assertEquals(1, after.size(), "the good reading in the array still gave its forecast");
        assertEquals(
                history.get(200).timestamp().toString(),
                after.get(0).get("based_on").asText());

        t.send("pump-1/temp", history.get(201));
        assertEquals(1, t.forecasts.readValuesToList().size(), "the stream went on after the bad records");

        // Readings that are not used are said, as over MQTT: they were dropped without a word.
        t.send("pump-1/temp", history.get(201)); // delivered twice
        t.send("pump-1/temp", history.get(150)); // of an hour scored long ago
        List<String> late = new ArrayList<>();
        for (byte[] v : t.errors.readValuesToList()) {
            JsonNode e = tree(v);
            late.add(e.get("reason").asText() + ": " + e.get("message").asText());
        }
        assertEquals(2, late.size(), late.toString());
        for (String l : late) {
            assertTrue(l.startsWith("late_reading: 1 reading(s) of pump-1/temp"), l);
        }
    }

    @Test
    void aRecordOfManyBadReadingsSaysTheFirstTenAndSumsUpTheRest() throws Exception {
        Driver t = driver(1000, "many-bad");
        StringBuilder device = new StringBuilder("[");
        for (int i = 0; i < 15; i++) {
            device.append(i == 0 ? "" : ",")
                    .append("{\"ts\":\"")
                    .append(T0.plus(Duration.ofHours(i)))
                    .append("\",\"temp\":\"hot\",\"rpm\":1480}");
        }
        t.deviceReadings.pipeInput("pump-6", device.append(']').toString().getBytes(StandardCharsets.UTF_8));
        t.readings.pipeInput(
                "pump-7/temp",
                ("[" + "{\"value\":\"hot\"},".repeat(12) + "{\"value\":1}]").getBytes(StandardCharsets.UTF_8));
        List<String> refused = new ArrayList<>();
        for (byte[] v : t.errors.readValuesToList()) {
            JsonNode e = tree(v);
            refused.add(e.get("key").asText() + " " + e.get("reason").asText() + ": "
                    + e.get("message").asText());
        }
        assertEquals(22, refused.size(), String.join("\n", refused));
        assertTrue(refused.get(9).startsWith("pump-6 non_numeric_value: object 10 of 15: 'temp'"), refused.get(9));
        assertTrue(
                refused.get(10).startsWith("pump-6 non_numeric_value: 5 more refused as non_numeric_value"),
                refused.get(10));
        assertTrue(refused.get(10).contains("the first: object 11 of 15: 'temp'"), refused.get(10));
        assertTrue(refused.get(10).endsWith("(the record's other readings were kept)"), refused.get(10));
        assertTrue(refused.get(20).startsWith("pump-7/temp non_numeric_value: reading 10 of 13: "), refused.get(20));
        assertTrue(
                refused.get(21).startsWith("pump-7/temp non_numeric_value: 2 more refused as non_numeric_value"),
                refused.get(21));
        int rpm = 0;
        for (TestRecord<String, byte[]> r : t.split.readRecordsToList()) {
            if (r.key().equals("pump-6/rpm")) {
                rpm += tree(r.value()).size();
            }
        }
        assertEquals(15, rpm, "the record's good values were kept");
        assertEquals(
                27.0,
                t.registry
                        .get("prognos.kafka.records.rejected")
                        .tag("reason", "non_numeric_value")
                        .counter()
                        .count(),
                "every refused reading counted, those summed up too");
    }

    @Test
    void aDevicesRecordFeedsEachOfItsSensorsAndABadValueIsRefusedAloneNamingItsKey() throws Exception {
        List<Reading> temp = hourly(0, 230, 50, 5);
        List<Reading> rpm = hourly(0, 230, 1500, 6);
        train(SensorId.of("pump-5", "temp"), temp.subList(0, 200));
        train(SensorId.of("pump-5", "rpm"), rpm.subList(0, 200));
        java.util.Set<SensorId> sensors = new java.util.TreeSet<>(java.util.Comparator.comparing(SensorId::toString));
        Driver t = driver(1000, "device", plugin, new SensorCycle.Listener() {
            @Override
            public void readings(SensorId sensor, List<Reading> readings) {
                sensors.add(sensor);
            }
        });
        for (int i = 0; i < 230; i++) {
            // ThingsBoard's telemetry shape, a number as a string as gateways send it.
            t.deviceReadings.pipeInput(
                    "pump-5",
                    ("{\"ts\":\"" + temp.get(i).timestamp() + "\",\"values\":{\"seq\":" + i + ",\"temp\":"
                                    + temp.get(i).value() + ",\"rpm\":\""
                                    + rpm.get(i).value() + "\"}}")
                            .getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of(), t.errors.readValuesToList());
        // Split into readings records keyed device/sensor: in a sensor's own partition of the
        // readings topic, where its records from producers of that topic are too (one state).
        Map<String, List<Reading>> split = new java.util.TreeMap<>();
        for (TestRecord<String, byte[]> r : t.split.readRecordsToList()) {
            for (JsonNode n : tree(r.value())) {
                split.computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(new Reading(
                                Instant.parse(n.get("ts").asText()),
                                n.get("value").asDouble()));
            }
        }
        assertEquals(Map.of("pump-5/rpm", rpm, "pump-5/temp", temp), split);
        assertEquals(
                List.of(SensorId.of("pump-5", "rpm"), SensorId.of("pump-5", "temp")),
                List.copyOf(sensors),
                "seq is configured as no sensor");
        Map<String, List<ForecastMessage>> byKey = new java.util.TreeMap<>();
        for (TestRecord<String, byte[]> r : t.forecasts.readRecordsToList()) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>())
                    .add(Json.mapper().readValue(r.value(), ForecastMessage.class));
        }
        assertEquals(List.of("pump-5/rpm", "pump-5/temp"), List.copyOf(byKey.keySet()));
        for (String key : byKey.keySet()) {
            List<ForecastMessage> f = byKey.get(key);
            List<Reading> fed = key.endsWith("temp") ? temp : rpm;
            ForecastMessage last = f.get(f.size() - 1);
            assertEquals("pump-5", last.deviceId());
            assertEquals(key.substring("pump-5/".length()), last.sensorKey());
            assertEquals(fed.get(229).timestamp(), last.basedOn());
            // Each sensor forecast from its own readings: temp about 50, rpm about 1500.
            double level = key.endsWith("temp") ? 50 : 1500;
            assertEquals(level, last.forecasts().get(0).predictedValue(), 10, key + ": " + last);
        }
        assertEquals(byKey.get("pump-5/temp").size(), byKey.get("pump-5/rpm").size());

        Instant next = T0.plus(Duration.ofHours(230));
        t.deviceReadings.pipeInput("pump-5/temp", json(new Reading(next, 50)));
        t.deviceReadings.pipeInput((String) null, json(new Reading(next, 50)));
        t.deviceReadings.pipeInput(
                "pump-5",
                ("{\"ts\":\"" + next + "\",\"values\":{\"temp\":\"hot\",\"rpm\":1500.5,\" \":1}}")
                        .getBytes(StandardCharsets.UTF_8));
        List<String> refused = new ArrayList<>();
        for (byte[] v : t.errors.readValuesToList()) {
            JsonNode e = tree(v);
            refused.add(e.get("reason").asText() + ": " + e.get("message").asText());
        }
        assertEquals(4, refused.size(), refused.toString());
        assertTrue(refused.get(0).startsWith("bad_key: key 'pump-5/temp' of a device's readings"), refused.get(0));
        assertTrue(refused.get(1).startsWith("bad_key: a device's readings need the device id"), refused.get(1));
        assertTrue(refused.get(2).startsWith("non_numeric_value: 'temp'"), refused.get(2));
        assertTrue(refused.get(2).endsWith("(the record's other readings were kept)"), refused.get(2));
        assertTrue(refused.get(3).startsWith("bad_sensor_key: ' ' of device 'pump-5'"), refused.get(3));
        List<String> after = new ArrayList<>();
        for (TestRecord<String, byte[]> r : t.forecasts.readRecordsToList()) {
            after.add(r.key() + " "
                    + Json.mapper().readValue(r.value(), ForecastMessage.class).basedOn());
        }
        assertEquals(List.of("pump-5/rpm " + next), after, "the good value of the record was forecast from");
    }

    @Test
    void everyReadingOfATrainedSensorGivesOneForecastRiskAndAnomalyScoreInTheMqttJson() throws Exception {
        List<Reading> history = hourly(0, 260, 30, 2);
        Driver t = trainedAndFed("pump-2/temp", history, "b");
        for (Reading r : history.subList(200, 260)) {
            t.send("pump-2/temp", r);
        }
        List<TestRecord<String, byte[]>> forecasts = t.forecasts.readRecordsToList();
        assertEquals(60, forecasts.size(), "one forecast per reading");
        for (int i = 0; i < 60; i++) {
            ForecastMessage f = Json.mapper().readValue(forecasts.get(i).value(), ForecastMessage.class);
            assertEquals("pump-2/temp", forecasts.get(i).key());
            assertEquals("pump-2", f.deviceId());
            assertEquals(history.get(200 + i).timestamp(), f.basedOn());
            assertEquals(12, f.forecasts().size());
        }
        assertEquals(60, t.risk.readValuesToList().size());
        List<byte[]> anomaly = t.anomaly.readValuesToList();
        assertEquals(60, anomaly.size(), "each reading completed an hour, and each hour is scored once");
        assertTrue(tree(anomaly.get(59)).has("anomaly_score"));
    }

    /**
     * A task that starts a sensor without a context in its store (a plant that served it on one host
     * before scaling out, or a context this build cannot read) goes on with the alert the sensor had
     * open there: it is not raised a second time under a new id while its risk stands.
     */
    @Test
    void aSensorStartedAfreshGoesOnWithTheAlertItHadOpenOnAHostBefore() throws Exception {
        SensorId sensor = SensorId.of("pump-9", "temp");
        List<Reading> history = hourly(0, 230, 50, 9);
        train(sensor, history.subList(0, 200));
        // A daily swing of 50 +- 2 against a high limit of 51, crossed every day: a sensor without an
        // open alert raises one. The open one given is critical, so no level climbs above it.
        Supplier<SensorCycle> limited =
                () -> cycle(plugin, trainer, new SensorCycle.Listener() {}, s -> OperatingLimits.between(0, 51));
        AlertEpisodes.Open open =
                new AlertEpisodes.Open(RiskLevel.CRITICAL, history.get(199).timestamp());
        Driver before = driver(1000, "no-alert-asked", plugin, limited.get(), null);
        Driver resumed = driver(1000, "alert-asked", plugin, limited.get(), s -> s.equals(sensor) ? open : null);
        for (Driver t : List.of(before, resumed)) {
            for (Reading r : history) {
                t.send("pump-9/temp", r);
            }
        }
        List<String> raisedWithoutIt = states(before.alerts.readValuesToList());
        assertTrue(raisedWithoutIt.contains("raised"), "the case: raised when none is known open " + raisedWithoutIt);
        assertEquals(List.of(), states(resumed.alerts.readValuesToList()), "the open alert goes on");
    }

    /**
     * An alert closed by a request reaches the task that serves the sensor as a record among its
     * readings: the task ends the episode its store holds and publishes the close on the alerts
     * topic with the sensor's risk. The level still standing, the next reading raises a new alert;
     * without the close's record the task went on with the episode and raised none. A close whose
     * value is not one goes to the errors topic, and the stream goes on.
     */
    @Test
    void anAlertClosedByRequestEndsTheTasksEpisodeAndIsPublished() throws Exception {
        SensorId sensor = SensorId.of("pump-8", "temp");
        List<Reading> history = hourly(0, 232, 50, 8);
        train(sensor, history.subList(0, 200));
        // Every reading above the high limit: critical from the first forecast on.
        SensorCycle limited =
                cycle(plugin, trainer, new SensorCycle.Listener() {}, s -> OperatingLimits.between(0, 40));
        Driver t = driver(1000, "closed", plugin, limited, null);
        for (Reading r : history.subList(0, 230)) {
            t.send("pump-8/temp", r);
        }
        assertEquals(List.of("raised"), states(t.alerts.readValuesToList()), "the case: raised once");

        t.readings.pipeInput(close(AlertCloseRecord.of(
                SETTINGS.readingsTopic(), "pump-8/temp", "close-1", RiskLevel.CRITICAL, "pump retired")));
        List<byte[]> published = t.alerts.readValuesToList();
        assertEquals(1, published.size());
        JsonNode closed = tree(published.get(0));
        assertEquals("closed", closed.get("state").asText(), closed.toString());
        assertEquals("close-1", closed.get("alert_id").asText(), closed.toString());
        assertEquals("critical", closed.get("previous_level").asText(), closed.toString());
        assertEquals("pump-8", closed.get("device_id").asText(), "with the sensor's risk: " + closed);
        assertEquals("pump retired", closed.path("note").asText(), "with the request's note: " + closed);

        t.send("pump-8/temp", history.get(230));
        assertEquals(List.of("raised"), states(t.alerts.readValuesToList()), "raised again: the episode ended");

        // Not a close's value, one of a level no alert is open at, or a note of two lines: refused to the errors topic,
        // nothing published; the sensor's next reading is taken.
        ProducerRecord<String, byte[]> bad =
                AlertCloseRecord.of(SETTINGS.readingsTopic(), "pump-8/temp", "close-2", RiskLevel.HIGH, null);
        assertFalse(tree(bad.value()).has("note"), "without a note, as a task of the release before reads it");
        for (String value : List.of(
                "{\"value\": 1}",
                "{\"alert_id\": \"close-3\", \"level\": \"low\"}",
                "{\"alert_id\": \"close-4\", \"level\": \"high\", \"note\": \"a\\nb\"}")) {
            t.readings.pipeInput(
                    new TestRecord<>(bad.key(), value.getBytes(StandardCharsets.UTF_8), bad.headers(), (Instant) null));
            JsonNode error = tree(t.errors.readValue());
            assertEquals("malformed_json", error.get("reason").asText(), error.toString());
        }
        assertTrue(t.alerts.isEmpty());
        t.send("pump-8/temp", history.get(231));
        assertFalse(t.forecasts.isEmpty(), "the stream goes on");
    }

    private static TestRecord<String, byte[]> close(ProducerRecord<String, byte[]> r) {
        return new TestRecord<>(r.key(), r.value(), r.headers(), (Instant) null);
    }

    private static List<String> states(List<byte[]> alerts) throws Exception {
        List<String> out = new ArrayList<>();
        for (byte[] a : alerts) {
            out.add(tree(a).get("state").asText());
        }
        return out;
    }

    @Test
    void aSensorRebuiltFromTheStoresWithEveryRecordForecastsAsOneKeptInMemory() throws Exception {
        SensorId a = SensorId.of("pump-3", "temp");
        SensorId b = SensorId.of("pump-4", "temp");
        List<Reading> ha = hourly(0, 260, 40, 3);
        List<Reading> hb = hourly(0, 260, 60, 4);
        train(a, ha.subList(0, 200));
        train(b, hb.subList(0, 200));
        Driver kept = driver(1000, "kept");
        // One context in memory, two sensors interleaved: every record rebuilds its sensor from the stores.
        Driver rebuilt = driver(1, "rebuilt");
        for (Driver t : List.of(kept, rebuilt)) {
            for (int i = 0; i < 260; i++) {
                t.send("pump-3/temp", ha.get(i));
                t.send("pump-4/temp", hb.get(i));
            }
        }
        List<String> fromMemory = points(kept.forecasts.readValuesToList());
        List<String> fromStores = points(rebuilt.forecasts.readValuesToList());
        assertTrue(fromMemory.size() >= 2 * 60, "forecasts after training: " + fromMemory.size());
        assertEquals(fromMemory, fromStores);
        assertEquals(
                points(kept.anomaly.readValuesToList(), "anomaly_score"),
                points(rebuilt.anomaly.readValuesToList(), "anomaly_score"));
    }

    /**
     * A sensor rebuilt from a task's stores in which one of its buffered readings is damaged (cut
     * short) leaves that reading out, says so, and forecasts: the record's exception escaped the
     * task and stopped the stream thread, at that record again after each restart.
     */
    @Test
    void aSensorRebuiltFromStoresWithADamagedReadingLeavesItOutAndGoesOn() throws Exception {
        SensorId a = SensorId.of("pump-8", "temp");
        SensorId b = SensorId.of("pump-9", "temp");
        List<Reading> ha = hourly(0, 230, 40, 8);
        List<Reading> hb = hourly(0, 230, 60, 9);
        train(a, ha.subList(0, 200));
        train(b, hb.subList(0, 200));
        Driver t = driver(1, "damaged"); // one context in memory: each record rebuilds its sensor
        for (int i = 0; i < 229; i++) {
            t.send("pump-8/temp", ha.get(i));
            t.send("pump-9/temp", hb.get(i));
        }
        t.forecasts.readValuesToList();
        t.d.<String, byte[]>getKeyValueStore(SensorStates.READINGS).put("pump-8\u0001temp\u00020000100", new byte[3]);
        List<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                loggedBy(SensorStates.class, () -> t.send("pump-8/temp", ha.get(229)));
        List<String> forecasts = points(t.forecasts.readValuesToList());
        assertEquals(1, forecasts.size(), forecasts.toString());
        assertTrue(forecasts.get(0).startsWith("\"temp\" \"" + ha.get(229).timestamp()), forecasts.toString());
        assertTrue(t.errors.isEmpty());
        assertEquals(
                List.of("pump-8/temp: 1 stored reading(s) of its buffer unreadable, left out"),
                logged.stream().map(e -> e.getFormattedMessage()).toList());
    }

    /** What {@code source} logged while {@code work} ran. */
    static List<ch.qos.logback.classic.spi.ILoggingEvent> loggedBy(Class<?> source, Runnable work) {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(source);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try {
            work.run();
        } finally {
            log.detachAppender(logged);
        }
        return logged.list;
    }

    static List<String> points(List<byte[]> values) throws Exception {
        return points(values, "forecasts");
    }

    static List<String> points(List<byte[]> values, String field) throws Exception {
        List<String> out = new ArrayList<>();
        for (byte[] v : values) {
            JsonNode n = tree(v);
            out.add(n.get("sensor_key") + " " + n.get("based_on") + n.get("interval_start") + " " + n.get(field));
        }
        return out;
    }

    @Test
    void aFaultInThePluginIsReportedForItsRecordAndTheOtherSensorsGoOn() throws Exception {
        SensorId faulty = SensorId.of("pump-6", "temp");
        SensorId healthy = SensorId.of("pump-7", "temp");
        List<Reading> history = hourly(0, 202, 25, 6);
        train(faulty, history.subList(0, 200));
        train(healthy, history.subList(0, 200));
        // Fault injection: the plugin throws for one sensor's readings, as a bug would.
        ForecastingPlugin failing = (ForecastingPlugin) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ForecastingPlugin.class}, (proxy, m, args) -> {
                    if (m.getName().equals("observe")
                            && ((io.prognos.api.SensorState) args[0]).sensor().equals(faulty)) {
                        throw new IllegalStateException("injected fault");
                    }
                    try {
                        return m.invoke(plugin, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Driver t = driver(1000, "d", failing);
        for (Reading r : history.subList(0, 201)) {
            t.send("pump-7/temp", r);
        }
        t.forecasts.readValuesToList();
        List<ch.qos.logback.classic.spi.ILoggingEvent> logged = loggedBy(ReadingsProcessor.class, () -> {
            t.send("pump-6/temp", history.get(0));
            t.send("pump-6/temp", history.get(1));
        });
        t.send("pump-7/temp", history.get(201));
        for (int i = 0; i < 2; i++) {
            JsonNode error = tree(t.errors.readValue());
            assertEquals("internal_error", error.get("reason").asText(), "each record's, to its sender");
            assertEquals("pump-6/temp", error.get("key").asText());
            assertTrue(error.get("message").asText().contains("injected fault"), error.toString());
        }
        List<ch.qos.logback.classic.spi.ILoggingEvent> errors = logged.stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .toList();
        assertEquals(1, errors.size(), "told once with its trace while it repeats: " + errors);
        assertTrue(errors.get(0).getFormattedMessage().startsWith("readings of pump-6/temp at "), errors.toString());
        ForecastMessage f = Json.mapper().readValue(t.forecasts.readValue(), ForecastMessage.class);
        assertEquals("pump-7", f.deviceId(), "the next record, of another sensor, was served");
        assertTrue(t.errors.isEmpty());
    }

    @Test
    void aTaskLeavingTheHostCancelsTheTrainingsOfItsSensors() throws Exception {
        CountDownLatch trainingStarted = new CountDownLatch(1);
        CountDownLatch trainingInterrupted = new CountDownLatch(1);
        // Fault injection: a training that runs until it is interrupted.
        ForecastingPlugin slow = (ForecastingPlugin) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ForecastingPlugin.class}, (proxy, m, args) -> {
                    if (m.getName().equals("train")) {
                        trainingStarted.countDown();
                        try {
                            Thread.sleep(120_000);
                        } catch (InterruptedException e) {
                            trainingInterrupted.countDown();
                            throw new IllegalStateException("interrupted", e);
                        }
                    }
                    try {
                        return m.invoke(plugin, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        trainer.close();
        trainer = new TrainingRunner(slow, 1, 10, m -> {}, (s, e) -> {});
        Driver t = driver(1000, "e", slow);
        for (Reading r : hourly(0, 200, 20, 8)) {
            t.send("pump-8/temp", r);
        }
        assertTrue(trainingStarted.await(30, TimeUnit.SECONDS), "the training started");
        assertTrue(trainer.isPending(SensorId.of("pump-8", "temp")));
        drivers.remove(t.d);
        t.d.close(); // the task closes: its partition left this host, or the host stops
        assertTrue(trainingInterrupted.await(10, TimeUnit.SECONDS), "the running training was interrupted");
        assertTrue(trainer.awaitIdle(10_000), "and nothing is pending any more");
    }

    @Test
    void aSensorTrainedOffTheStreamThreadIsForecastAtItsTasksNextPunctuation() throws Exception {
        Driver t = driver(1000, "c");
        List<Reading> history = hourly(0, 200, 20, 5);
        for (Reading r : history) {
            t.send("pump-5/temp", r);
        }
        assertTrue(t.forecasts.isEmpty(), "no model yet, no forecast");
        assertTrue(trainer.awaitIdle(120_000), "the training finished");
        assertTrue(plugin.model(SensorId.of("pump-5", "temp")).isPresent());
        assertTrue(t.forecasts.isEmpty(), "a training thread does not write to Kafka itself");
        t.d.advanceWallClockTime(ReadingsProcessor.PUNCTUATE_EVERY);
        ForecastMessage f = Json.mapper().readValue(t.forecasts.readValue(), ForecastMessage.class);
        assertEquals(history.get(199).timestamp(), f.basedOn(), "forecast from the readings buffered meanwhile");
    }
}
