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
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The original system's REST contract, field by field, and the error statuses, on a real host. */
class RestApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SensorId PUMP = SensorId.of("3a9ccfce-9773-4c72-b905-6a850e961587", "temperature");
    private static HostRuntime host;
    private static int port;
    private static Instant lastPumpReading;
    private static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        dataDir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dataDir);
        config.put("prognos.limits", PUMP.deviceId() + "/temperature=::60:70");
        host = HostFixture.start(config, HostRuntime.Parts.ALL);
        port = host.rest().port();
        List<Reading> pump = HostFixture.hourly(400, 0.02, 1);
        lastPumpReading = pump.get(pump.size() - 1).timestamp();
        HostFixture.store(host, PUMP, pump);
        HostFixture.store(host, SensorId.of("busy", "temperature"), HostFixture.hourly(700, 0, 2));
    }

    @AfterAll
    static void stop() {
        host.close();
    }

    private static JsonNode ok(String method, String path, String body) throws Exception {
        HostFixture.Response r = HostFixture.call(port, method, path, body, null);
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode error(int status, String method, String path, String body) throws Exception {
        HostFixture.Response r = HostFixture.call(port, method, path, body, null);
        assertEquals(status, r.status(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertFalse(n.get("success").asBoolean());
        assertTrue(n.get("error").asText().length() > 10, r.body());
        return n;
    }

    @Test
    void statusReportsTheOriginalFieldsAndTheVersions() throws Exception {
        JsonNode e = ok("GET", "/api/v1/lstm/status", null).get("forecasting_engine");
        assertEquals("operational", e.get("status").asText());
        assertEquals("cpu_optimized", e.get("optimization_mode").asText());
        JsonNode c = e.get("capabilities");
        for (String f : List.of(
                "time_series_forecasting", "failure_prediction", "maintenance_scheduling", "confidence_intervals")) {
            assertTrue(c.get(f).asBoolean(), f);
        }
        assertEquals(12, c.get("default_forecast_horizon_hours").asInt());
        assertEquals(30, c.get("default_sequence_length").asInt());
        assertEquals("lstm", e.get("plugin_id").asText());
        assertFalse(e.get("framework_version").asText().isBlank());
        assertFalse(e.get("plugin_version").asText().isBlank());
        assertTrue(ok("GET", "/api/v1/lstm/status", null).get("poller").isNull(), "no poller unless configured");
    }

    @Test
    void trainPredictModelsAndScheduleAnswerInTheOriginalFieldNames() throws Exception {
        JsonNode t = ok("POST", "/api/v1/lstm/train", """
                {"device_id": "%s", "sensor_key": "temperature", "sequence_length": 30, "forecast_horizon": 12,
                 "epochs": 20, "batch_size": 16}""".formatted(PUMP.deviceId()));
        assertTrue(t.get("success").asBoolean());
        assertTrue(t.get("training_time_seconds").asDouble() > 0);
        assertTrue(t.get("val_mae").asDouble() > 0 && t.get("val_mae").asDouble() < 2, t.toString());
        assertEquals(12, t.get("forecast_horizon").asInt());

        JsonNode p = ok("POST", "/api/v1/lstm/predict", """
                {"device_id": "%s", "sensor_key": "temperature"}""".formatted(PUMP.deviceId()));
        assertTrue(p.get("success").asBoolean());
        assertEquals(12, p.get("forecast_horizon_hours").asInt());
        JsonNode points = p.get("forecasts");
        assertEquals(12, points.size());
        for (int i = 0; i < 12; i++) {
            JsonNode f = points.get(i);
            assertEquals(i + 1, f.get("hours_ahead").asInt());
            assertTrue(f.get("timestamp").isTextual());
            double v = f.get("predicted_value").asDouble();
            assertTrue(
                    f.get("confidence_lower").asDouble() <= v
                            && v <= f.get("confidence_upper").asDouble(),
                    f.toString());
            // The series rises from about 50 to 58 with a daily cycle of 3: a forecast in that range.
            assertTrue(v > 50 && v < 66, f.toString());
        }
        JsonNode risk = p.get("failure_risk");
        // The daily peaks (about 61) reach the warning level of 60; the limit of 70 is far off.
        assertEquals("medium", risk.get("risk_level").asText(), risk.toString());
        assertTrue(risk.get("limits_configured").asBoolean());
        assertTrue(risk.get("reasons").toString().contains("warning"), risk.toString());
        assertTrue(risk.get("crossing_probability").asDouble() < 0.2, risk.toString());
        Instant lastReading = lastPumpReading;
        assertEquals(lastReading, Instant.parse(risk.get("based_on").asText()), "counted from the last reading");
        assertEquals(
                lastReading.plus(Duration.ofDays(7)),
                Instant.parse(risk.get("act_by").asText()),
                "medium without a forecast crossing: within the week");
        assertEquals(
                "Schedule an inspection within the week",
                risk.get("recommended_action").asText());
        JsonNode anomaly = p.get("anomaly");
        assertEquals(lastReading, Instant.parse(anomaly.get("interval_start").asText()), anomaly.toString());
        double a = anomaly.get("anomaly_score").asDouble();
        assertTrue(a >= 0 && a < 0.6 && !anomaly.get("anomalous").asBoolean(), "a steady rise is not anomalous: " + a);
        // Against the caller's own limits, a what-if: answered, and the sensor's stored risk of the
        // interval stays the one against its own (it was replaced by the what-if's).
        JsonNode whatIf = ok(
                "POST",
                "/api/v1/lstm/predict",
                "{\"device_id\": \"" + PUMP.deviceId()
                        + "\", \"sensor_key\": \"temperature\", \"limits\": {\"high\": 40}}");
        assertEquals("critical", whatIf.get("failure_risk").get("risk_level").asText(), whatIf.toString());
        try (java.sql.Connection c = host.jdbc().dataSource().getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT level FROM prognos.risk_assessments"
                        + " WHERE device_id = ? AND sensor_key = 'temperature' AND based_on = ?")) {
            ps.setString(1, PUMP.deviceId());
            ps.setTimestamp(2, java.sql.Timestamp.from(lastReading));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the predict's own risk stored");
                assertEquals("medium", rs.getString(1));
            }
        }

        JsonNode models = ok("GET", "/api/v1/lstm/models", null);
        JsonNode m = null;
        for (JsonNode x : models.get("models")) {
            if (x.get("device_id").asText().equals(PUMP.deviceId())) {
                m = x;
            }
        }
        assertTrue(m != null, models.toString());
        assertEquals("temperature", m.get("sensor_key").asText());
        assertEquals(30, m.get("sequence_length").asInt());
        assertEquals(12, m.get("forecast_horizon").asInt());
        assertEquals(3600, m.get("interval_seconds").asInt());
        assertEquals(
                1800.0,
                m.get("interval_offset_seconds").asDouble(),
                "readings on the hour: the intervals run from half past, a second early or late stays in its hour");
        for (String f : List.of("train_loss", "val_loss", "trained_at")) {
            assertTrue(m.has(f), f);
        }

        JsonNode s = ok("GET", "/api/v1/lstm/maintenance-schedule?days_ahead=7", null);
        assertTrue(s.get("success").asBoolean());
        assertEquals(s.get("schedule").size(), s.get("schedule_count").asInt());
        // Limits 60/70 against a series near 58: the pump is due, with its time to failure.
        assertTrue(s.get("schedule_count").asInt() >= 1, s.toString());
        JsonNode first = s.get("schedule").get(0);
        assertEquals(PUMP.deviceId(), first.get("device_id").asText());
        assertEquals(1, first.get("priority").asInt());
        assertTrue(first.has("risk_level") && first.has("time_to_failure_hours"));

        JsonNode stored = ok("GET", "/api/v1/lstm/models/" + PUMP.deviceId() + "/temperature", null);
        assertEquals(PUMP.deviceId(), stored.get("model").get("device_id").asText());

        // Every field a client receives is in the published contract.
        JsonNode api = ok("GET", "/openapi.json", null);
        List<String> undocumented = new ArrayList<>();
        undocumented.addAll(HostFixture.undescribed(api, "Prediction", p));
        undocumented.addAll(HostFixture.undescribed(api, "Risk", p.get("failure_risk")));
        undocumented.addAll(HostFixture.undescribed(api, "Anomaly", p.get("anomaly")));
        undocumented.addAll(HostFixture.undescribed(api, "Model", stored.get("model")));
        undocumented.addAll(HostFixture.undescribed(api, "Schedule", s));
        assertTrue(undocumented.isEmpty(), "fields missing from openapi.json: " + undocumented);
    }

    @Test
    void selfTestTrainsAndPredicts() throws Exception {
        JsonNode t = ok("GET", "/api/v1/lstm/test", null);
        assertTrue(t.get("success").asBoolean());
        assertTrue(t.get("training_time_seconds").asDouble() > 0);
        assertEquals(12, t.get("forecast_points").asInt());
        // The self-test cleans up after itself.
        assertTrue(ok("GET", "/api/v1/lstm/models", null).toString().indexOf("prognos-self-test") < 0);
    }

    /** The field a 400 reply names. */
    private static String badField(String method, String path, String body) throws Exception {
        return error(400, method, path, body).get("field").asText();
    }

    /**
     * A body over the limit is answered 413 with its reason, which the client can read: answered
     * with the rest of the body unread, the connection was reset under the answer (curl saw the
     * status and lost its reason, Python's urllib and Java's HttpClient only "connection reset").
     * Three in a row, so that a drained connection is no worse for the next request.
     */
    @Test
    void aBodyOverTheLimitIsAnswered413WithItsReason() throws Exception {
        StringBuilder big = new StringBuilder("[");
        while (big.length() < 16 * RestApi.MAX_BODY) {
            big.append(big.length() > 1 ? "," : "").append("{\"ts\": \"2026-01-01T00:00:00Z\", \"value\": 1.5}");
        }
        String body = big.append(']').toString();
        for (int i = 0; i < 3; i++) {
            JsonNode n = error(413, "POST", "/api/v1/lstm/readings/big-1/temp", body);
            assertEquals("body", n.get("field").asText(), n.toString());
            assertTrue(n.get("error").asText().contains("smaller batches"), n.toString());
        }
        ok("GET", "/api/v1/lstm/status", null);
    }

    @Test
    void badRequestsName400WithTheField() throws Exception {
        assertEquals("device_id", badField("POST", "/api/v1/lstm/train", "{\"sensor_key\": \"t\"}"));
        assertEquals("body", badField("POST", "/api/v1/lstm/predict", "{\"device_id\": "));
        assertEquals(
                "epochs",
                badField(
                        "POST",
                        "/api/v1/lstm/train",
                        "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"epochs\": \"many\"}"));
        assertEquals(
                "epochs",
                badField(
                        "POST", "/api/v1/lstm/train", "{\"device_id\": \"a\", \"sensor_key\": \"b\", \"epochs\": -3}"));
        assertEquals("days_ahead", badField("GET", "/api/v1/lstm/maintenance-schedule?days_ahead=soon", null));
        error(405, "GET", "/api/v1/lstm/train", null);
        String pumpView = "/api/v1/lstm/sensors/" + PUMP.deviceId() + "/temperature";
        assertEquals("hours", badField("GET", pumpView + "?hours=lots", null));
        assertEquals("hours", badField("GET", pumpView + "?hours=0", null));
        String limits = "/api/v1/lstm/limits/" + PUMP.deviceId() + "/temperature";
        assertEquals("low", badField("PUT", limits, "{\"low\": 80, \"high\": 70}"));
        assertEquals("high", badField("PUT", limits, "{\"high\": \"hot\"}"));
        assertEquals("hi", badField("PUT", limits, "{\"hi\": 70}"));
        // The JSON literal null is no request (it was a 500, an internal error).
        assertEquals("body", badField("POST", "/api/v1/lstm/train", "null"));
        assertEquals("body", badField("POST", "/api/v1/lstm/predict", "null"));
        assertEquals("body", badField("PUT", limits, "null"));
        // A refused set changed nothing: the configured limits are still in force.
        assertEquals(70.0, ok("GET", limits, null).get("limits").get("high").asDouble());
    }

    /**
     * A field is named by its path in what the client sent, however it is wrong; and nothing a
     * client sends is quietly ignored: a misspelt query parameter or a field of a route that takes
     * none would otherwise answer with the defaults as if it had been understood.
     */
    @Test
    void badFieldsAreNamedByTheirPathAndNothingSentIsIgnored() throws Exception {
        String pump = "{\"device_id\": \"" + PUMP.deviceId() + "\", \"sensor_key\": \"temperature\", ";
        // The limits of a predict request: a wrong type, a wrong value, an unknown field, one path each.
        assertEquals(
                "limits.high", badField("POST", "/api/v1/lstm/predict", pump + "\"limits\": {\"high\": \"hot\"}}"));
        assertEquals(
                "limits.low",
                badField("POST", "/api/v1/lstm/predict", pump + "\"limits\": {\"low\": 80, \"high\": 70}}"));
        assertEquals("limits.hi", badField("POST", "/api/v1/lstm/predict", pump + "\"limits\": {\"hi\": 70}}"));
        // A field that is no training option is unknown, whatever its value.
        JsonNode data = error(400, "POST", "/api/v1/lstm/train", pump + "\"data\": [1, 2, 3]}");
        assertEquals("data", data.get("field").asText());
        assertTrue(data.get("error").asText().contains("unknown key"), data.toString());
        assertEquals("day_ahead", badField("GET", "/api/v1/lstm/maintenance-schedule?day_ahead=30", null));
        assertEquals(
                "days_ahead", badField("GET", "/api/v1/lstm/maintenance-schedule?days_ahead=30&days_ahead=7", null));
        assertEquals("limit", badField("GET", "/api/v1/lstm/models?limit=5", null));
        assertEquals("device_id", badField("POST", "/api/v1/lstm/test", "{\"device_id\": \"pump\"}"));
        JsonNode trailing = error(400, "POST", "/api/v1/lstm/train", pump + "\"epochs\": 1} {\"epochs\": 500}");
        assertEquals("body", trailing.get("field").asText());
        assertTrue(trailing.get("error").asText().contains("goes on after"), trailing.toString());
        // A device id with '/' (JDBC's sensors may have one) is addressed as one segment, %2F-encoded,
        // as the dashboard sends it; a '+' in a path is itself.
        String slashed = "/api/v1/lstm/limits/line-1%2Fpress-3/temp+1";
        JsonNode set = ok("PUT", slashed, "{\"high\": 90}");
        assertEquals("line-1/press-3", set.get("device_id").asText());
        assertEquals("temp+1", set.get("sensor_key").asText());
        assertEquals(90.0, ok("GET", slashed, null).get("limits").get("high").asDouble());
        // What each route reads still works beside it.
        assertTrue(ok("GET", "/api/v1/lstm/maintenance-schedule?days_ahead=30", null)
                .get("success")
                .asBoolean());
    }

    /** Clients that send a byte now and then do not starve the others (they once left /health unanswered). */
    @Test
    void slowClientsDoNotStarveHealth() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                Socket so = new Socket("127.0.0.1", port);
                so.getOutputStream()
                        .write("GET /api/v1/lstm/status HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                so.getOutputStream().flush();
                slow.add(so);
            }
            long t0 = System.nanoTime();
            HostFixture.Response health = HostFixture.call(port, "GET", "/health", null, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(200, health.status(), health.body());
            assertTrue(seconds < 5, "/health took " + seconds + " s beside 16 slow clients");
        } finally {
            for (Socket so : slow) {
                so.close();
            }
        }
    }

    /** A suspended database (every PostgreSQL process stopped) is reported within the health timeout, not waited for. */
    @Test
    void healthAnswersWithinASecondWhileTheDatabaseIsSuspended() throws Exception {
        try (HostFixture.Suspended db = HostFixture.suspendDatabase(dataDir)) {
            // Readings arriving meanwhile wait for the database; health shows them waiting.
            host.storing().readings(new SensorId("suspended", "t"), HostFixture.hourly(3, 0, 1));
            long t0 = System.nanoTime();
            HostFixture.Response h = HostFixture.call(port, "GET", "/health", null, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(JSON.readTree(h.body()).get("write_backlog").asInt() >= 1, h.body());
            assertEquals(503, h.status(), h.body());
            assertTrue(
                    JSON.readTree(h.body())
                            .get("components")
                            .get("database")
                            .asText()
                            .startsWith("DOWN"),
                    h.body());
            assertTrue(seconds < 1.8, "/health took " + seconds + " s with the database suspended");
        }
        int status = 0;
        for (int i = 0; i < 40 && status != 200; i++) {
            Thread.sleep(250);
            status = HostFixture.call(port, "GET", "/health", null, null).status();
        }
        assertEquals(200, status, "UP again once the database answers");
        int backlog = -1;
        for (int i = 0; i < 80 && backlog != 0; i++) {
            backlog = JSON.readTree(
                            HostFixture.call(port, "GET", "/health", null, null).body())
                    .get("write_backlog")
                    .asInt();
            if (backlog != 0) {
                Thread.sleep(250);
            }
        }
        assertEquals(0, backlog, "the waiting readings are written once the database answers");
    }

    /**
     * Health says whether the host hears of models other hosts change: UP while it listens, DOWN
     * while its listening connection is lost (ended here by the database), UP again once back.
     */
    @Test
    void healthSaysWhetherModelChangesAreHeard() throws Exception {
        assertEquals("UP", modelChanges(), "an LSTM plugin on PostgreSQL listens");
        String metrics = HostFixture.call(port, "GET", "/metrics", null, null).body();
        assertTrue(metrics.contains("prognos_model_changes_watching 1.0"), "the gauge says so too");
        assertTrue(metrics.contains("prognos_model_changes_told_total"), "and the changes told are counted");
        try (var c = host.jdbc().dataSource().getConnection();
                var st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'prognos-model-changes'");
        }
        String state = modelChanges();
        for (int i = 0; i < 40 && state.equals("UP"); i++) {
            Thread.sleep(50);
            state = modelChanges();
        }
        assertEquals("DOWN", state, "the lost connection is reported");
        assertEquals(200, HostFixture.call(port, "GET", "/health", null, null).status(), "the host stays up");
        for (int i = 0; i < 100 && !state.equals("UP"); i++) {
            Thread.sleep(100);
            state = modelChanges();
        }
        assertEquals("UP", state, "listening again within the 5 s retry");
    }

    private String modelChanges() throws Exception {
        return JSON.readTree(
                        HostFixture.call(port, "GET", "/health", null, null).body())
                .path("components")
                .path("model_changes")
                .asText();
    }

    @Test
    void unknownSensorsAndModelsAre404() throws Exception {
        error(404, "POST", "/api/v1/lstm/predict", "{\"device_id\": \"nobody\", \"sensor_key\": \"x\"}");
        // No readings at all: nothing to train from.
        error(404, "POST", "/api/v1/lstm/train", "{\"device_id\": \"nobody\", \"sensor_key\": \"x\"}");
        error(404, "GET", "/api/v1/lstm/models/nobody/x", null);
        error(404, "DELETE", "/api/v1/lstm/models/nobody/x", null);
        error(404, "GET", "/api/v1/lstm/nothing", null);
        error(404, "GET", "/api/v1/lstm/sensors/nobody/x", null);
        error(404, "GET", "/api/v1/lstm/sensors/nobody", null);
    }

    /**
     * A sensor silent since before the host's forecast lookback (trained on its stored readings):
     * the 409 says why those readings are not read, not only to wait for new ones.
     */
    @Test
    void aForecastOfASensorSilentBeyondTheLookbackSaysWhy() throws Exception {
        HostFixture.store(
                host,
                SensorId.of("boiler-9", "temp"),
                HostFixture.hourly(400, 0, 7).stream()
                        .map(r -> new Reading(r.timestamp().minus(Duration.ofDays(10)), r.value()))
                        .toList());
        String boiler = "{\"device_id\": \"boiler-9\", \"sensor_key\": \"temp\"}";
        ok("POST", "/api/v1/lstm/train", boiler);
        String why =
                error(409, "POST", "/api/v1/lstm/predict", boiler).get("error").asText();
        assertTrue(why.contains("forecasts resume after 30 more"), why);
        assertTrue(
                why.contains("none of its stored readings is from the last 7d, what the host reads back for a sensor"
                        + " it starts to serve (prognos.forecast-lookback; a longer one reads older ones)"),
                why);
    }

    /**
     * A sensor that reports once a day has 30 readings in the 30 days a training reads
     * (prognos.history), where 65 are needed: its year of stored readings is trained on and, with
     * 7 readings in the forecast lookback, forecast from its newest. Both were refused: "send more
     * history", and forecasts 23 days after each restart.
     */
    @Test
    void aSensorThatReportsDailyIsTrainedAndForecastFromItsStoredYear() throws Exception {
        java.util.Random r = new java.util.Random(11);
        Instant today = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        List<Reading> year = new ArrayList<>();
        for (int d = 364; d >= 0; d--) {
            year.add(new Reading(today.minus(Duration.ofDays(d)), 50 + 5 * Math.sin(d / 7.0) + r.nextGaussian()));
        }
        HostFixture.store(host, SensorId.of("tank-4", "level"), year);
        String tank = "{\"device_id\": \"tank-4\", \"sensor_key\": \"level\"}";
        JsonNode trained = ok("POST", "/api/v1/lstm/train", tank).get("model");
        assertEquals(86400, trained.get("interval_seconds").asInt(), trained.toString());
        assertTrue(trained.get("sample_count").asInt() > 300, trained.toString());
        JsonNode p = ok("POST", "/api/v1/lstm/predict", tank);
        assertEquals(today, Instant.parse(p.get("based_on").asText()), p.toString());
        assertEquals(12 * 24, p.get("forecast_horizon_hours").asInt());
    }

    /**
     * A sensor of 30-second readings whose model looks back a day (its seasonal candidates: 2,880
     * intervals and more, beyond the 2,048 readings a context keeps) is forecast at the first
     * request after its training, as after a restart: its state was warmed from the newest 2,048
     * alone and the forecast refused for 7 hours ("has 2048 of the ... intervals its forecast needs").
     */
    @Test
    void aModelThatLooksBackFurtherThanTheBufferIsForecastAtOnce() throws Exception {
        Instant newest = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        HostFixture.store(host, SensorId.of("kiln-2", "temp"), HostFixture.everyThirtySeconds(newest, 2 * 2880, 5));
        String kiln = "{\"device_id\": \"kiln-2\", \"sensor_key\": \"temp\"}";
        JsonNode trained = ok("POST", "/api/v1/lstm/train", kiln).get("model");
        assertEquals(30, trained.get("interval_seconds").asInt(), trained.toString());
        assertTrue(trained.get("context_intervals").asInt() > 2880, trained.toString());
        JsonNode p = ok("POST", "/api/v1/lstm/predict", kiln);
        assertEquals(newest, Instant.parse(p.get("based_on").asText()), p.toString());
    }

    /** A sensor silent for longer than the view's span: its view shows the span up to its newest reading, not nothing. */
    @Test
    void theViewOfASilentSensorShowsItsLastReadings() throws Exception {
        List<Reading> old = HostFixture.hourly(200, 0, 8).stream()
                .map(r -> new Reading(r.timestamp().minus(Duration.ofDays(10)), r.value()))
                .toList();
        HostFixture.store(host, SensorId.of("silent-3", "flow"), old);
        JsonNode view = ok("GET", "/api/v1/lstm/sensors/silent-3/flow?hours=48", null);
        JsonNode shown = view.get("readings");
        assertEquals(48, shown.size(), "the 48 hours up to the newest reading");
        assertEquals(
                old.get(old.size() - 1).timestamp(),
                Instant.parse(shown.get(47).get("ts").asText()),
                "ending with the newest reading");
        assertEquals(
                old.get(old.size() - 48).timestamp(),
                Instant.parse(shown.get(0).get("ts").asText()));
        // Silent beyond what the host reads back at all (prognos.history, 30 days): unknown.
        HostFixture.store(
                host,
                SensorId.of("silent-4", "flow"),
                List.of(new Reading(Instant.now().minus(Duration.ofDays(40)), 1.0)));
        error(404, "GET", "/api/v1/lstm/sensors/silent-4/flow", null);
    }

    /**
     * {@code keep_options} trains with the options the sensor's model was trained with, those given
     * beside it over them (the dashboard's Retrain sends it); without it, the options given are all.
     */
    @Test
    void aTrainingCanKeepTheOptionsOfTheModelBeforeIt() throws Exception {
        SensorId press = SensorId.of("press-5", "oil_temp");
        HostFixture.store(host, press, HostFixture.hourly(300, 0.01, 6));
        String sensor = "\"device_id\": \"press-5\", \"sensor_key\": \"oil_temp\"";
        JsonNode first = ok("POST", "/api/v1/lstm/train", "{" + sensor + ", \"forecast_horizon\": 6, \"epochs\": 1}");
        assertEquals(6, first.get("forecast_horizon").asInt());
        JsonNode kept =
                ok("POST", "/api/v1/lstm/train", "{" + sensor + ", \"keep_options\": true, \"forecast_horizon\": 4}");
        assertEquals(4, kept.get("forecast_horizon").asInt(), "the option given wins");
        assertEquals(
                Map.of("forecast_horizon", "4", "epochs", "1"),
                JSON.convertValue(kept.get("model").get("train_options"), Map.class));
        JsonNode plain = ok("POST", "/api/v1/lstm/train", "{" + sensor + ", \"keep_options\": false, \"epochs\": 1}");
        assertEquals(12, plain.get("forecast_horizon").asInt(), "the plugin's default without keep_options");
        JsonNode refused = error(400, "POST", "/api/v1/lstm/train", "{" + sensor + ", \"keep_options\": \"yes\"}");
        assertEquals("keep_options", refused.get("field").asText(), refused.toString());
    }

    /** The dashboard's views: what the cycle produced for the sensor, its stored readings, and limits set at run time. */
    @Test
    void theDashboardsViewsShowTheSensorAndLimitsCanBeSet() throws Exception {
        SensorId valve = SensorId.of("valve-7", "pressure");
        HostFixture.store(host, valve, HostFixture.hourly(300, 0.01, 5));
        ok("POST", "/api/v1/lstm/train", "{\"device_id\": \"valve-7\", \"sensor_key\": \"pressure\"}");
        JsonNode p = ok("POST", "/api/v1/lstm/predict", "{\"device_id\": \"valve-7\", \"sensor_key\": \"pressure\"}");

        JsonNode view = ok("GET", "/api/v1/lstm/sensors/valve-7/pressure?hours=48", null);
        assertEquals(48, view.get("readings").size(), "two days of hourly readings");
        assertEquals(
                p.get("forecasts").toString(),
                view.get("forecast").get("forecasts").toString(),
                "the newest forecast");
        assertEquals(p.get("failure_risk").get("risk_level"), view.get("risk").get("risk_level"));
        assertEquals("valve-7", view.get("model").get("device_id").asText());
        assertTrue(view.get("training_problem").isNull(), "no training of it failed");
        assertTrue(view.get("limits").get("high").isNull(), "no limits configured for the valve");

        JsonNode set = ok("PUT", "/api/v1/lstm/limits/valve-7/pressure", "{\"low\": 40, \"high\": 60}");
        assertEquals(60.0, set.get("limits").get("high").asDouble());
        // The next assessment is made against them.
        JsonNode risk = ok("POST", "/api/v1/lstm/predict", "{\"device_id\": \"valve-7\", \"sensor_key\": \"pressure\"}")
                .get("failure_risk");
        assertTrue(risk.get("limits_configured").asBoolean(), risk.toString());
        assertEquals(
                40.0,
                ok("GET", "/api/v1/lstm/sensors/valve-7/pressure", null)
                        .get("limits")
                        .get("low")
                        .asDouble());
        // Empty limits return the sensor to its configured ones (none).
        ok("PUT", "/api/v1/lstm/limits/valve-7/pressure", "{}");
        assertTrue(ok("GET", "/api/v1/lstm/limits/valve-7/pressure", null)
                .get("limits")
                .get("high")
                .isNull());

        JsonNode fleet = ok("GET", "/api/v1/lstm/fleet", null);
        JsonNode row = null;
        for (JsonNode r : fleet.get("sensors")) {
            if (r.get("device_id").asText().equals("valve-7")) {
                row = r;
            }
        }
        assertTrue(row != null, fleet.toString());
        assertEquals(risk.get("risk_level"), row.get("risk_level"));
        assertEquals(fleet.get("sensor_count").asInt(), fleet.get("sensors").size());
        int counted = 0;
        for (JsonNode n : fleet.get("level_counts")) {
            counted += n.asInt();
        }
        assertEquals(fleet.get("sensors").size(), counted, "every sensor counted once");

        JsonNode api = ok("GET", "/openapi.json", null);
        List<String> undocumented = new ArrayList<>();
        undocumented.addAll(HostFixture.undescribed(api, "Fleet", fleet));
        undocumented.addAll(HostFixture.undescribed(api, "FleetRow", row));
        undocumented.addAll(HostFixture.undescribed(api, "SensorView", view));
        undocumented.addAll(HostFixture.undescribed(api, "LimitsSet", set));
        assertTrue(undocumented.isEmpty(), "fields missing from openapi.json: " + undocumented);
    }

    @Test
    void aSecondTrainingOfTheSameModelIs409() throws Exception {
        String body = "{\"device_id\": \"busy\", \"sensor_key\": \"temperature\", \"epochs\": 150, \"patience\": 150}";
        java.util.function.Supplier<HostFixture.Response> train = () -> {
            try {
                return HostFixture.call(port, "POST", "/api/v1/lstm/train", body, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        // Two requests for one model, the second while the first trains (several seconds): whichever
        // reaches the plugin second is refused with 409, the other trains.
        CompletableFuture<HostFixture.Response> first = CompletableFuture.supplyAsync(train);
        Thread.sleep(500);
        CompletableFuture<HostFixture.Response> second = CompletableFuture.supplyAsync(train);
        List<HostFixture.Response> both = List.of(first.get(), second.get());
        List<Integer> statuses =
                both.stream().map(HostFixture.Response::status).sorted().toList();
        assertEquals(List.of(200, 409), statuses, both.toString());
        HostFixture.Response refused =
                both.stream().filter(r -> r.status() == 409).findFirst().orElseThrow();
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertEquals("model_busy", JSON.readTree(refused.body()).get("reason").asText());
    }

    /** Beyond the REST training cap a request is refused at once with 503 and Retry-After, not queued on a thread. */
    @Test
    void trainingsBeyondTheCapAreRefusedNotQueued() throws Exception {
        List<CompletableFuture<HostFixture.Response>> running = new ArrayList<>();
        for (int i = 0; i < RestApi.TRAININGS; i++) {
            SensorId s = SensorId.of("cap-" + i, "temperature");
            HostFixture.store(host, s, HostFixture.hourly(300, 0, 20 + i));
            // 200 epochs: each training took 2.8-3.3 s here. With 100 (1.4-1.8 s) the first could end before
            // the refused request, then sent 1.5 s on, freeing its place (seen once, in a fresh clone's CI).
            String body = "{\"device_id\": \"" + s.deviceId() + "\", \"sensor_key\": \"temperature\", \"epochs\": 200,"
                    + " \"patience\": 200}";
            running.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return HostFixture.call(port, "POST", "/api/v1/lstm/train", body, null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Thread.sleep(1000); // the trainings run one at a time (prognos.threads=1): all are in flight now
        long t0 = System.nanoTime();
        HostFixture.Response refused = HostFixture.call(
                port, "POST", "/api/v1/lstm/train", "{\"device_id\": \"busy\", \"sensor_key\": \"temperature\"}", null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(503, refused.status(), refused.body());
        assertEquals("capacity", JSON.readTree(refused.body()).get("reason").asText());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertTrue(seconds < 2, "refused at once, not after waiting: " + seconds + " s");
        for (CompletableFuture<HostFixture.Response> r : running) {
            assertEquals(200, r.get().status(), r.get().body());
        }
    }

    /**
     * A client that closes its connection while its training runs (a script stopped with Ctrl-C)
     * gets the training cancelled: the sensor can be trained again at once, where a training of
     * 1,000 epochs would otherwise hold it for minutes (409 model_busy meanwhile).
     */
    @Test
    void aTrainingIsCancelledWhenItsClientGoesAway() throws Exception {
        SensorId s = SensorId.of("gone", "temperature");
        HostFixture.store(host, s, HostFixture.hourly(2000, 0, 30));
        // The most the plugin accepts: minutes of training on 2,000 readings.
        byte[] body = "{\"device_id\": \"gone\", \"sensor_key\": \"temperature\", \"epochs\": 1000, \"patience\": 1000}"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
            client.getOutputStream()
                    .write(("POST /api/v1/lstm/train HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: " + body.length + "\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            client.getOutputStream().write(body);
            client.getOutputStream().flush();
            Thread.sleep(2000);
            HostFixture.Response busy = HostFixture.call(
                    port,
                    "POST",
                    "/api/v1/lstm/train",
                    "{\"device_id\": \"gone\", \"sensor_key\": \"temperature\", \"epochs\": 1}",
                    null);
            assertEquals(409, busy.status(), "the long training runs: " + busy.body());
        }
        String again = "{\"device_id\": \"gone\", \"sensor_key\": \"temperature\", \"epochs\": 1}";
        HostFixture.Response r = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            if (r != null) {
                Thread.sleep(250);
            }
            r = HostFixture.call(port, "POST", "/api/v1/lstm/train", again, null);
        } while (r.status() == 409 && System.nanoTime() < deadline);
        assertEquals(200, r.status(), "the abandoned training still held the sensor: " + r.body());
        String metrics = HostFixture.call(port, "GET", "/metrics", null, null).body();
        assertTrue(metrics.contains("status=\"499\""), "the abandoned request is counted as 499");
    }

    @Test
    void metricsAndOpenApiAreServed() throws Exception {
        ok("GET", "/api/v1/lstm/status", null);
        HostFixture.Response m = HostFixture.call(port, "GET", "/metrics", null, null);
        assertEquals(200, m.status());
        assertTrue(m.body().contains("prognos_http_requests_seconds_count"), m.body());
        assertTrue(m.body().contains("prognos_models"), m.body());
        assertTrue(m.body().contains("prognos_readings_received_total"), m.body());
        JsonNode spec = ok("GET", "/openapi.json", null);
        for (String p : List.of("status", "train", "predict", "models", "maintenance-schedule", "test")) {
            assertTrue(spec.get("paths").has("/api/v1/lstm/" + p), p);
        }
        JsonNode health = ok("GET", "/health", null);
        assertEquals("UP", health.get("status").asText());
    }
}
