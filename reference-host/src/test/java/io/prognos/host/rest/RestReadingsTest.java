package io.prognos.host.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.host.runtime.HostRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Readings sent over REST on a host without MQTT: stored where training reads them, fed to the
 * sensor cycle (trained, scored), every refusal named, and a 200 only once they are stored.
 */
class RestReadingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "/api/v1/lstm/readings/";
    private static HostRuntime host;
    private static int port;
    private static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        dataDir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dataDir);
        config.put("prognos.mqtt.enabled", "false");
        config.put("mqtt.device-ignore-keys", "seq");
        host = HostFixture.start(config, HostRuntime.Parts.ALL);
        port = host.rest().port();
    }

    @AfterAll
    static void stop() {
        host.close();
    }

    private static HostFixture.Response post(String path, String body) throws Exception {
        return HostFixture.call(port, "POST", path, body, null);
    }

    private static JsonNode ok(String path, String body) throws Exception {
        HostFixture.Response r = post(path, body);
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body());
    }

    private static List<Reading> stored(SensorId sensor) {
        Instant now = Instant.now();
        return host.jdbc().readings().read(sensor, now.minus(Duration.ofDays(30)), now.plus(Duration.ofHours(1)));
    }

    /**
     * A sensor that cannot be trained yet says why in its view (the dashboard's sensor page), as
     * the plugin said it; the reason was only in the log, once. Hourly readings that pause five
     * hours after every eight (lstm.max-gap is 3 h): no stretch long enough. Not once it has a model
     * (a train request at intervals of 6 hours, which bridge the pauses).
     */
    @Test
    void aSensorWhoseTrainingFailedSaysWhyInItsView() throws Exception {
        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        List<Reading> paused = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            paused.add(new Reading(end.minus(Duration.ofHours(i + 4L * (i / 8))), 20 + 0.3 * (i % 8)));
        }
        java.util.Collections.reverse(paused);
        JsonNode taken = ok(BASE + "kiln-7/temp", HostFixture.json(paused));
        assertTrue(taken.get("training_queued").asBoolean(), taken.toString());
        String path = "/api/v1/lstm/sensors/kiln-7/temp";
        JsonNode view = awaitView(path, "training_problem");
        String problem = view.get("training_problem").asText();
        assertTrue(problem.startsWith("kiln-7/temp: training needs at least 65 consecutive intervals"), problem);
        assertTrue(problem.contains("longer than lstm.max-gap (PT3H)"), problem);
        assertTrue(view.get("model").isNull(), view.toString());
        double failed = gauge("prognos_sensors_training_failed");
        assertTrue(failed >= 1, "counted among the sensors a plant's monitoring sees failing: " + failed);
        double retrainingFailed = gauge("prognos_sensors_retraining_failed");

        ok("/api/v1/lstm/train", "{\"device_id\": \"kiln-7\", \"sensor_key\": \"temp\", \"interval\": \"6h\"}");
        view = JSON.readTree(HostFixture.call(port, "GET", path, null, null).body());
        assertEquals("kiln-7", view.get("model").get("device_id").asText(), view.toString());
        assertTrue(view.get("training_problem").isNull(), "a model trained since: moot; " + view);
        assertEquals(failed - 1, gauge("prognos_sensors_training_failed"), "no longer once it has a model");
        assertEquals(
                retrainingFailed,
                gauge("prognos_sensors_retraining_failed"),
                "nor served by the model the failed training was to replace");
    }

    /**
     * A sensor whose forecasts stopped says why in its view: after a pause in its readings longer
     * than lstm.max-gap (3 h) it has too few consecutive intervals to forecast from, and said so
     * only in the log, once, while its view kept showing its last forecast. Not once it forecasts.
     */
    @Test
    void aSensorWhoseForecastsStoppedSaysWhyInItsView() throws Exception {
        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(40));
        List<Reading> history = new ArrayList<>();
        for (int i = 299; i >= 0; i--) {
            history.add(new Reading(end.minus(Duration.ofHours(i)), 20 + Math.sin(i / 3.0)));
        }
        ok(BASE + "oven-3/temp", HostFixture.json(history));
        String path = "/api/v1/lstm/sensors/oven-3/temp";
        JsonNode view = awaitView(path, "forecast");
        assertFalse(view.get("forecast").isNull(), "trained and forecast: " + view.get("training_problem"));
        assertTrue(
                view.get("forecast_problem").isNull(),
                view.get("forecast_problem").toString());
        List<Reading> afterPause = new ArrayList<>();
        for (int i = 7; i < 37; i++) {
            afterPause.add(new Reading(end.plus(Duration.ofHours(i)), 20 + Math.sin(i / 3.0)));
        }
        ok(BASE + "oven-3/temp", HostFixture.json(afterPause.subList(0, 10)));
        view = JSON.readTree(HostFixture.call(port, "GET", path, null, null).body());
        String why = view.get("forecast_problem").asText();
        assertTrue(why.startsWith("oven-3/temp has 10 of the 30 consecutive intervals"), why);
        assertTrue(
                why.contains("longer than lstm.max-gap (PT3H)") && why.contains("forecasts resume after 20 more"), why);
        ok(BASE + "oven-3/temp", HostFixture.json(afterPause.subList(10, 30)));
        view = JSON.readTree(HostFixture.call(port, "GET", path, null, null).body());
        assertTrue(view.get("forecast_problem").isNull(), "forecast again: " + view.get("forecast_problem"));
    }

    /** The sensor view at {@code path} once its {@code field} is set, or as it is after two minutes. */
    private static JsonNode awaitView(String path, String field) throws Exception {
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode view =
                JSON.readTree(HostFixture.call(port, "GET", path, null, null).body());
        while (view.get(field).isNull() && System.nanoTime() < until) {
            Thread.sleep(200);
            view = JSON.readTree(HostFixture.call(port, "GET", path, null, null).body());
        }
        return view;
    }

    /** A gauge as /metrics tells it. */
    private static double gauge(String name) throws Exception {
        String metrics = HostFixture.call(port, "GET", "/metrics", null, null).body();
        return metrics.lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + metrics));
    }

    /**
     * A sensor whose stored history is longer than a context keeps (three days of 30-second
     * readings, 8,640, where 2,048 are kept) is trained by the cycle on that history, as REST train
     * is, and forecast at once by a model that looks back a day: the cycle trained on its 2,048
     * buffered readings (17 hours), a model that never saw a day.
     */
    @Test
    void aSensorIsTrainedOnItsStoredHistoryNotOnItsBuffer() throws Exception {
        SensorId sensor = SensorId.of("kiln-5", "temp");
        Instant newest = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(60);
        HostFixture.store(host, sensor, HostFixture.everyThirtySeconds(newest.minusSeconds(30), 3 * 2880, 5));
        JsonNode taken = ok(BASE + "kiln-5/temp", "{\"ts\": \"" + newest + "\", \"value\": 20.1}");
        assertTrue(taken.get("training_queued").asBoolean(), taken.toString());
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (host.plugin().model(sensor).isEmpty() && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        io.prognos.api.ModelInfo m = host.plugin().model(sensor).orElseThrow();
        assertEquals(Duration.ofSeconds(30), m.interval());
        assertTrue(m.sampleCount() > 8000, "trained on the stored 8,641, not the buffered 2,048: " + m.sampleCount());
        assertTrue(m.contextIntervals() > 2880, "looks back a day: " + m.contextIntervals());
        HostFixture.Response p = HostFixture.call(
                port, "POST", "/api/v1/lstm/predict", "{\"device_id\": \"kiln-5\", \"sensor_key\": \"temp\"}", null);
        assertEquals(200, p.status(), p.body());
    }

    @Test
    void aSensorsReadingsAreStoredTrainedOnAndScored() throws Exception {
        SensorId sensor = SensorId.of("pump-9", "temperature");
        // 230 hours up to two hours ago: the cycle trains after 200 buffered readings (cycle.train-after).
        List<Reading> history = HostFixture.hourly(232, 0.01, 4).subList(0, 230);
        double before = host.metrics().counter("prognos.http.readings.received").count();

        JsonNode taken = ok(BASE + "pump-9/temperature", HostFixture.json(history));
        assertTrue(taken.get("success").asBoolean());
        assertEquals(230, taken.get("accepted").asInt(), taken.toString());
        assertEquals(0, taken.get("refused").size(), taken.toString());
        assertTrue(taken.get("training_queued").asBoolean(), taken.toString());
        // Stored before the answer: the 200 came after the cycle's listeners synced.
        assertEquals(history, stored(sensor));
        assertEquals(
                230, host.metrics().counter("prognos.http.readings.received").count() - before);

        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (host.plugin().model(sensor).isEmpty() && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        assertTrue(host.plugin().model(sensor).isPresent(), "the readings sent over REST trained a model");

        // The next hour's reading, an hour old: its interval is complete, and its anomaly score comes back.
        Instant last = history.get(history.size() - 1).timestamp();
        JsonNode next = ok(
                BASE + "pump-9/temperature", "{\"ts\": \"" + last.plus(Duration.ofHours(1)) + "\", \"value\": 50.1}");
        assertEquals(1, next.get("accepted").asInt(), next.toString());
        JsonNode anomalies = next.get("anomalies");
        assertEquals(1, anomalies.size(), next.toString());
        assertEquals("temperature", anomalies.get(0).get("sensor_key").asText());
        assertEquals(
                last.plus(Duration.ofHours(1)).toString(),
                anomalies.get(0).get("at").asText());
        assertEquals(50.1, anomalies.get(0).get("value").asDouble());

        JsonNode api = JSON.readTree(
                HostFixture.call(port, "GET", "/openapi.json", null, null).body());
        List<String> undocumented = new ArrayList<>(HostFixture.undescribed(api, "ReadingsTaken", next));
        undocumented.addAll(HostFixture.undescribed(api, "Anomaly", anomalies.get(0)));
        assertTrue(undocumented.isEmpty(), "fields missing from openapi.json: " + undocumented);
        assertTrue(api.get("paths").has("/api/v1/lstm/readings/{device_id}/{sensor_key}"));
        assertTrue(api.get("paths").has("/api/v1/lstm/readings/{device_id}"));

        // The same readings again (a client's retry after a lost answer): none is used twice.
        JsonNode again = ok(BASE + "pump-9/temperature", HostFixture.json(history));
        assertEquals(0, again.get("accepted").asInt(), again.toString());
        assertEquals("late_reading", again.get("refused").get(0).get("reason").asText(), again.toString());
        assertEquals(231, stored(sensor).size());
    }

    @Test
    void aDevicesPayloadFeedsEachSensorAndNamesWhatItRefused() throws Exception {
        Instant ts = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1));
        JsonNode taken = ok(BASE + "press-4", """
                {"ts": "%s", "values": {"temp": 61.2, "rpm": "fast", "seq": 7, "pressure": "4.5"}}""".formatted(ts));
        assertEquals(2, taken.get("accepted").asInt(), taken.toString());
        JsonNode refused = taken.get("refused");
        assertEquals(1, refused.size(), taken.toString());
        assertEquals("non_numeric_value", refused.get(0).get("reason").asText());
        assertTrue(refused.get(0).get("error").asText().contains("'rpm'"), taken.toString());

        assertEquals(List.of(new Reading(ts, 61.2)), stored(SensorId.of("press-4", "temp")));
        assertEquals(List.of(new Reading(ts, 4.5)), stored(SensorId.of("press-4", "pressure")));
        assertEquals(List.of(), stored(SensorId.of("press-4", "rpm")));
        // mqtt.device-ignore-keys: a sequence number is no sensor, over REST as over MQTT.
        assertEquals(List.of(), stored(SensorId.of("press-4", "seq")));
    }

    @Test
    void aRequestOfWhichNothingCouldBeUsedIsA400NamingWhy() throws Exception {
        HostFixture.Response r = post(BASE + "press-5/temp", "{\"ts\": 1700000000000, \"value\": ");
        assertEquals(400, r.status(), r.body());
        JsonNode e = JSON.readTree(r.body());
        assertFalse(e.get("success").asBoolean());
        assertEquals("malformed_json", e.get("reason").asText(), r.body());
        assertEquals("body", e.get("field").asText(), r.body());

        r = post(BASE + "press-5", "{\"values\": {\"temp\": null, \"rpm\": \"fast\"}}");
        assertEquals(400, r.status(), r.body());
        e = JSON.readTree(r.body());
        assertEquals("missing_value", e.get("reason").asText(), r.body());
        assertTrue(e.get("error").asText().contains("'temp'"), r.body());

        String future = Instant.now().plus(Duration.ofHours(1)).toString();
        r = post(BASE + "press-5/temp", "{\"ts\": \"" + future + "\", \"value\": 1}");
        assertEquals(400, r.status(), r.body());
        assertEquals("future_timestamp", JSON.readTree(r.body()).get("reason").asText());

        // A device whose clock was never set: 1970, refused (mqtt.max-age, ten years by default), not stored there.
        r = post(BASE + "press-5/temp", "{\"ts\": 0, \"value\": 1}");
        assertEquals(400, r.status(), r.body());
        e = JSON.readTree(r.body());
        assertEquals("bad_timestamp", e.get("reason").asText(), r.body());
        assertTrue(e.get("error").asText().contains("1970-01-01T00:00:00Z is more than 3650 days ago"), r.body());

        assertEquals(List.of(), stored(SensorId.of("press-5", "temp")));
        assertEquals(List.of(), stored(SensorId.of("press-5", "rpm")));

        assertEquals(
                405,
                HostFixture.call(port, "GET", BASE + "press-5/temp", null, null).status());
        HostFixture.Response noDevice = post("/api/v1/lstm/readings", "1");
        assertEquals(404, noDevice.status(), noDevice.body());
        assertTrue(noDevice.body().contains("/readings/{device_id}"), noDevice.body());
    }

    @Test
    void whileTheDatabaseDoesNotTakeThemTheAnswerIs503AndASecondSendingStoresThemOnce() throws Exception {
        SensorId sensor = SensorId.of("press-6", "temp");
        Instant ts = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(2));
        String body = "{\"ts\": \"" + ts + "\", \"value\": 12.5}";
        // The sensor known first, so that its context is not being warmed from the stopped database.
        Instant earlier = ts.minus(Duration.ofMinutes(1));
        ok(BASE + "press-6/temp", "{\"ts\": \"" + earlier + "\", \"value\": 12.0}");
        try (HostFixture.Suspended s = HostFixture.suspendDatabase(dataDir)) {
            HostFixture.Response r = post(BASE + "press-6/temp", body);
            assertEquals(503, r.status(), r.body());
            assertEquals(
                    "store_unavailable", JSON.readTree(r.body()).get("reason").asText(), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
        }
        // The client sends them again until a 200: then they are stored, once.
        HostFixture.Response r = post(BASE + "press-6/temp", body);
        long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (r.status() == 503 && System.nanoTime() < until) {
            Thread.sleep(500);
            r = post(BASE + "press-6/temp", body);
        }
        assertEquals(200, r.status(), r.body());
        assertEquals(List.of(new Reading(earlier, 12.0), new Reading(ts, 12.5)), stored(sensor));
    }
}
