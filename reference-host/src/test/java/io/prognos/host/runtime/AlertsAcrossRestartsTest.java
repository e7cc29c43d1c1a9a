package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.host.Logged;
import io.prognos.host.core.CloseNote;
import io.prognos.host.demo.OnMessage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/**
 * An alert open when the host stops is the same alert after it starts again: it is not raised a
 * second time while its sensor's risk stands (a subscriber that opens a work order per alert opened
 * two), and it is cleared once the sensor calms (it never was: the restarted host knew of no open
 * alert). Alerts are kept in the {@code alerts} table, which says both, and the restarted host's
 * dashboard lists those from before (its lists started empty). A database that does not answer as
 * a sensor starts is waited for once.
 */
class AlertsAcrossRestartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SensorId STANDS = SensorId.of("press-1", "stands");
    private static final SensorId CALMS = SensorId.of("press-1", "calms");
    /** Hours of readings before the newest sent: the model's history, then one a host hour by hour. */
    private static final int HISTORY = 300;

    /** A close's note as a user writes it, and as the query sends it. */
    private static final String NOTE = "press retired: moved to line 2 (work order 4711)";

    private static final String NOTE_SENT = URLEncoder.encode(NOTE, StandardCharsets.UTF_8);

    /**
     * A host whose database the test suspends: a statement or connection it makes meanwhile gives up
     * within 2 s (60 s and 10 s by default).
     */
    private static Map<String, String> suspendable(Path dir) {
        Map<String, String> config = HostFixture.config(dir);
        config.put("jdbc.socket-timeout", "2s");
        config.put("jdbc.connect-timeout", "2s");
        return config;
    }

    private static void call(HostRuntime host, String method, String path, String body) throws Exception {
        HostFixture.Response r = HostFixture.call(host.rest().port(), method, path, body, null);
        assertEquals(200, r.status(), method + " " + path + ": " + r.body());
    }

    private static JsonNode get(HostRuntime host, String path) throws Exception {
        HostFixture.Response r = HostFixture.call(host.rest().port(), "GET", path, null, null);
        assertEquals(200, r.status(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static void send(HostRuntime host, SensorId s, Reading r) throws Exception {
        call(host, "POST", "/api/v1/lstm/readings/" + s.deviceId() + "/" + s.sensorKey(), HostFixture.json(List.of(r)));
    }

    private static String limits(SensorId s) {
        return "/api/v1/lstm/limits/" + s.deviceId() + "/" + s.sensorKey();
    }

    /**
     * The sensor trained on {@code history} (stored first), with a high limit of 40: every reading
     * of {@link HostFixture#hourly} (50 +- 3) is far above it, the risk stands at medium or above.
     */
    private static void trainedBelowItsReadings(HostRuntime host, SensorId s, List<Reading> history) throws Exception {
        HostFixture.store(host, s, history);
        call(
                host,
                "POST",
                "/api/v1/lstm/train",
                "{\"device_id\": \"" + s.deviceId() + "\", \"sensor_key\": \"" + s.sensorKey() + "\"}");
        call(host, "PUT", limits(s), "{\"high\": 40}");
    }

    /** Each stored alert of {@code s}, oldest first, as "state level previous_level". */
    private static List<String> alerts(HostRuntime host, SensorId s) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = host.jdbc().dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT state, level, previous_level FROM prognos.alerts"
                        + " WHERE device_id = '" + s.deviceId() + "' AND sensor_key = '" + s.sensorKey()
                        + "' ORDER BY based_on, assessed_at")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        return out;
    }

    /** {@code GET /api/v1/lstm/alerts}: each open alert as "device/sensor alert_id", sorted. */
    private static List<String> open(HostRuntime host) throws Exception {
        JsonNode listed = get(host, "/api/v1/lstm/alerts");
        List<String> out = new ArrayList<>();
        for (JsonNode a : listed.get("alerts")) {
            out.add(a.get("device_id").asText() + "/" + a.get("sensor_key").asText() + " "
                    + a.get("alert_id").asText());
            assertEquals("raised", alertState(host, a.get("alert_id").asText()));
            assertFalse(a.get("why").asText().isEmpty(), a.toString());
        }
        assertEquals(out.size(), listed.get("count").asInt());
        out.sort(null);
        return out;
    }

    private static String raisedId(HostRuntime host, SensorId s) throws Exception {
        return query(
                host,
                "SELECT alert_id FROM prognos.alerts WHERE device_id = '" + s.deviceId() + "' AND sensor_key = '"
                        + s.sensorKey() + "' AND state = 'raised' ORDER BY based_on DESC LIMIT 1");
    }

    private static String alertState(HostRuntime host, String alertId) throws Exception {
        return query(host, "SELECT state FROM prognos.alerts WHERE alert_id = '" + alertId + "'");
    }

    private static String query(HostRuntime host, String sql) throws Exception {
        try (Connection c = host.jdbc().dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    /**
     * A sensor retired with an alert open: no assessment will ever clear it, so a request closes it.
     * Closed for {@code GET alerts}, in the table's history, on the alerts topic (with its id and
     * the sensor's risk) and in the dashboard's list, and after a restart: a host that serves the
     * sensor again does not go on with the closed episode. A sensor still at risk whose alert is
     * closed raises a new one at its next assessment: a close does not hide it.
     */
    @Test
    void anAlertNoAssessmentWillClearIsClosedByRequestForGood() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = suspendable(dir);
        SensorId retired = SensorId.of("press-3", "retired");
        SensorId still = SensorId.of("press-3", "still");
        List<Reading> readings = HostFixture.hourly(HISTORY + 30, 0, 13);
        List<String> published = new CopyOnWriteArrayList<>();
        String level;
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            MqttClient watcher = new MqttClient(host.broker().url(), "watcher-" + System.nanoTime(), null);
            watcher.setCallback((OnMessage)
                    (topic, m) -> published.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
            watcher.connect(host.broker().asDevice(new MqttConnectionOptions()));
            watcher.subscribe("prognos/alerts/#", 1);
            for (SensorId s : List.of(retired, still)) {
                trainedBelowItsReadings(host, s, readings.subList(0, HISTORY));
                send(host, s, readings.get(HISTORY));
            }
            // Its last reading: assessed at the same level, no alert; the close is at this one.
            send(host, retired, readings.get(HISTORY + 1));
            String raised = raisedId(host, retired);
            level = alerts(host, retired).get(0).split(" ")[1];
            assertEquals(List.of("raised " + level + " low"), alerts(host, retired));

            // Listed open, with the reading its newest assessment was based on (after the raise's).
            JsonNode listed = get(host, "/api/v1/lstm/alerts");
            JsonNode itsOpen = null;
            for (JsonNode a : listed.get("alerts")) {
                itsOpen = a.get("sensor_key").asText().equals("retired") ? a : itsOpen;
            }
            assertEquals(
                    readings.get(HISTORY).timestamp().toString(),
                    itsOpen.get("at").asText(),
                    listed.toString());
            assertEquals(
                    readings.get(HISTORY + 1).timestamp().toString(),
                    itsOpen.get("latest_based_on").asText(),
                    listed.toString());
            JsonNode api = get(host, "/openapi.json");
            assertEquals(List.of(), HostFixture.undescribed(api, "OpenAlert", itsOpen));

            // Asked while the database does not answer: refused, not stored, and taken when asked again.
            try (HostFixture.Suspended db = HostFixture.suspendDatabase(dir)) {
                HostFixture.Response down = HostFixture.call(
                        host.rest().port(), "DELETE", "/api/v1/lstm/alerts/press-3/retired", null, null);
                assertEquals(503, down.status(), down.body());
            }
            assertEquals(List.of("raised " + level + " low"), alerts(host, retired));
            // A note that is no line of text is refused naming it, and nothing is closed.
            for (String bad : List.of("", "%20%20", "two%0Alines", "x".repeat(CloseNote.MAX + 1))) {
                HostFixture.Response refused = HostFixture.call(
                        host.rest().port(), "DELETE", "/api/v1/lstm/alerts/press-3/retired?note=" + bad, null, null);
                assertEquals(400, refused.status(), refused.body());
                assertEquals("note", JSON.readTree(refused.body()).get("field").asText(), refused.body());
            }
            assertEquals(List.of("raised " + level + " low"), alerts(host, retired));
            HostFixture.Response listWithNote =
                    HostFixture.call(host.rest().port(), "GET", "/api/v1/lstm/alerts?note=x", null, null);
            assertEquals(400, listWithNote.status(), "a note is a close's: " + listWithNote.body());
            HostFixture.Response r = HostFixture.call(
                    host.rest().port(), "DELETE", "/api/v1/lstm/alerts/press-3/retired?note=" + NOTE_SENT, null, null);
            assertEquals(200, r.status(), r.body());
            JsonNode closed = JSON.readTree(r.body());
            assertEquals(NOTE, closed.get("why").asText(), "why it was closed: " + closed);
            assertEquals(List.of(), HostFixture.undescribed(api, "ClosedAlert", closed));
            String closeId = closed.get("alert_id").asText();
            assertFalse(closeId.isEmpty() || closeId.equals(raised), closed.toString());
            assertEquals("closed", closed.get("state").asText());
            assertEquals(level, closed.get("risk_level").asText());
            assertEquals(
                    readings.get(HISTORY + 1).timestamp().toString(),
                    closed.get("at").asText());
            assertEquals(List.of("raised " + level + " low", "closed " + level + " " + level), alerts(host, retired));
            assertEquals(List.of("press-3/still " + raisedId(host, still)), open(host), "closed: no longer open");
            // Once: a second close finds none open.
            HostFixture.Response again =
                    HostFixture.call(host.rest().port(), "DELETE", "/api/v1/lstm/alerts/press-3/retired", null, null);
            assertEquals(404, again.status(), again.body());
            assertTrue(again.body().contains("press-3/retired has no open alert"), again.body());
            assertEquals(
                    405,
                    HostFixture.call(host.rest().port(), "GET", "/api/v1/lstm/alerts/press-3/retired", null, null)
                            .status());

            // Published on the sensor's alerts topic with the close's id and the sensor's risk.
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (published.stream().noneMatch(m -> m.contains(closeId)) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            String message = published.stream()
                    .filter(m -> m.contains(closeId))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no close published: " + published));
            assertTrue(message.startsWith("prognos/alerts/press-3/retired "), message);
            JsonNode payload = JSON.readTree(message.substring(message.indexOf(' ') + 1));
            assertEquals("closed", payload.get("state").asText(), message);
            assertEquals(level, payload.get("previous_level").asText(), message);
            assertEquals("retired", payload.get("sensor_key").asText(), message);
            assertEquals(level, payload.get("risk_level").asText(), message);
            assertEquals(NOTE, payload.path("note").asText(), message);
            // The dashboard lists it after the raise, with its note.
            JsonNode fleet = get(host, "/api/v1/lstm/fleet").get("alerts");
            assertEquals("closed", fleet.get(0).get("state").asText(), fleet.toString());
            assertEquals("retired", fleet.get(0).get("sensor_key").asText(), fleet.toString());
            assertEquals(NOTE, fleet.get(0).get("why").asText(), fleet.toString());
            assertEquals(List.of(), HostFixture.undescribed(api, "AlertEvent", fleet.get(0)));

            // Still above its limit: closed, then raised again at its next reading. Closed over MQTT
            // (a subscriber that acts on alerts may reach only the broker), answered as over REST.
            watcher.subscribe("prognos/replies/#", 1);
            String stillOpen = "press-3/still " + raisedId(host, still);
            // Listed over MQTT as over REST (a subscriber that starts again learns what is open).
            JsonNode openOverMqtt = requestOverMqtt(watcher, published, "open-alerts", "", 4);
            assertEquals(get(host, "/api/v1/lstm/alerts"), openOverMqtt);
            assertEquals(1, openOverMqtt.get("count").asInt(), openOverMqtt.toString());
            assertEquals(
                    "still", openOverMqtt.get("alerts").get(0).get("sensor_key").asText());
            JsonNode withField = requestOverMqtt(watcher, published, "open-alerts", "{\"device_id\":\"press-3\"}", 5);
            assertEquals("device_id", withField.path("field").asText(), "a field it would ignore: " + withField);
            JsonNode badNote = closeOverMqtt(watcher, published, "two\nlines", 1);
            assertEquals("note", badNote.path("field").asText(), badNote.toString());
            assertEquals(List.of(stillOpen), open(host), "a bad note closes nothing");
            JsonNode closedOverMqtt = closeOverMqtt(watcher, published, NOTE, 2);
            assertTrue(closedOverMqtt.path("success").asBoolean(), closedOverMqtt.toString());
            assertEquals("closed", closedOverMqtt.path("state").asText(), closedOverMqtt.toString());
            assertEquals("still", closedOverMqtt.path("sensor_key").asText(), closedOverMqtt.toString());
            assertEquals(NOTE, closedOverMqtt.path("why").asText(), closedOverMqtt.toString());
            assertEquals(List.of(), HostFixture.undescribed(api, "ClosedAlert", closedOverMqtt));
            assertEquals(List.of(), open(host));
            assertEquals(
                    "closed",
                    alerts(host, still).get(1).split(" ")[0],
                    alerts(host, still).toString());
            String stillCloseId = closedOverMqtt.get("alert_id").asText();
            assertTrue(
                    published.stream()
                            .anyMatch(m -> m.startsWith("prognos/alerts/press-3/still ") && m.contains(stillCloseId)),
                    "published as a close over REST is: " + published);
            JsonNode noneOpen = closeOverMqtt(watcher, published, null, 3);
            assertFalse(noneOpen.path("success").asBoolean(), noneOpen.toString());
            assertTrue(
                    noneOpen.path("error").asText().contains("press-3/still has no open alert"), noneOpen.toString());
            send(host, still, readings.get(HISTORY + 1));
            List<String> stillAlerts = alerts(host, still);
            assertEquals(3, stillAlerts.size(), stillAlerts.toString());
            assertTrue(stillAlerts.get(2).startsWith("raised "), stillAlerts.toString());
            assertEquals(List.of("press-3/still " + raisedId(host, still)), open(host));
            watcher.disconnectForcibly(0, 300, true);
            watcher.close(true);
        }
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            // The close's note is kept: listed as stored once the dashboard has read its alerts back
            // (in the background, at the start).
            String listed = null;
            long restored = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (listed == null && System.nanoTime() < restored) {
                for (JsonNode a : get(host, "/api/v1/lstm/fleet").get("alerts")) {
                    if (a.get("sensor_key").asText().equals("retired")
                            && a.get("state").asText().equals("closed")) {
                        listed = a.get("why").asText();
                    }
                }
                Thread.sleep(listed == null ? 100 : 0);
            }
            assertEquals(NOTE, listed, "the close's note as listed after the restart");
            // The retired sensor reports again after the restart, still above its limit: a new
            // alert (the host did not go on with the closed one, which would have raised none).
            send(host, retired, readings.get(HISTORY + 2));
            List<String> told = alerts(host, retired);
            assertEquals(3, told.size(), told.toString());
            assertTrue(told.get(2).startsWith("raised "), told.toString());
        }
    }

    /**
     * Closes press-3/still over MQTT ({@code prognos/requests/close-alert}, {@code note} null for
     * none) and returns the reply.
     */
    private static JsonNode closeOverMqtt(MqttClient client, List<String> published, String note, int n)
            throws Exception {
        String body = "{\"device_id\":\"press-3\",\"sensor_key\":\"still\""
                + (note == null ? "" : ",\"note\":\"" + note + "\"") + "}";
        return requestOverMqtt(client, published, "close-alert", body, n);
    }

    /**
     * Asks {@code prognos/requests/{kind}} and returns the reply, which comes on its own response
     * topic ({@code n}'s).
     */
    private static JsonNode requestOverMqtt(MqttClient client, List<String> published, String kind, String body, int n)
            throws Exception {
        String replyTopic = "prognos/replies/closer-" + n;
        MqttProperties properties = new MqttProperties();
        properties.setResponseTopic(replyTopic);
        properties.setCorrelationData(new byte[] {(byte) n});
        MqttMessage request = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
        request.setQos(1);
        request.setProperties(properties);
        client.publish("prognos/requests/" + kind, request);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            for (String m : published) {
                if (m.startsWith(replyTopic + " ")) {
                    return JSON.readTree(m.substring(m.indexOf(' ') + 1));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no reply on " + replyTopic + ": " + published);
    }

    /**
     * A sensor first seen while the database does not answer starts without its stored readings,
     * told once, and without asking for its open alert: that was a second wait (a socket timeout,
     * 60 s by default, for a suspended database) for every such sensor, and a second warning.
     */
    @Test
    void aSensorFirstSeenWhileTheDatabaseDoesNotAnswerWaitsForItOnce() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = suspendable(dir);
        config.put("prognos.mqtt.enabled", "false");
        SensorId fresh = SensorId.of("press-2", "first-seen");
        List<String> warned;
        try (Logged logged = Logged.by(HostRuntime.class);
                HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            try (HostFixture.Suspended db = HostFixture.suspendDatabase(dir)) {
                assertEquals(0, host.contexts().get(fresh).buffered());
            }
            warned = logged.at(ch.qos.logback.classic.Level.WARN);
        }
        List<String> told =
                warned.stream().filter(m -> m.startsWith(fresh.toString())).toList();
        assertEquals(1, told.size(), told.toString());
        assertTrue(told.get(0).startsWith(fresh + " starts without its stored readings"), told.get(0));
    }

    @Test
    void anAlertOpenAtARestartIsNotRaisedAgainAndIsClearedOnceItsSensorCalms() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dir);
        config.put("prognos.mqtt.enabled", "false");
        // Readings of 50 +- 3 hour by hour, ending 30 hours ago: the hours after are sent one by one.
        List<Reading> stands = HostFixture.hourly(HISTORY + 30, 0, 11);
        List<Reading> calms = HostFixture.hourly(HISTORY + 30, 0, 12);
        String raised;
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            for (SensorId s : List.of(STANDS, CALMS)) {
                trainedBelowItsReadings(host, s, (s == STANDS ? stands : calms).subList(0, HISTORY));
            }
            send(host, STANDS, stands.get(HISTORY));
            send(host, CALMS, calms.get(HISTORY));
            raised = alerts(host, STANDS).get(0);
            assertTrue(raised.startsWith("raised "), raised);
            assertEquals(List.of(raised), alerts(host, STANDS));
            assertTrue(
                    alerts(host, CALMS).get(0).startsWith("raised "),
                    alerts(host, CALMS).toString());
            // This one's limit taken back before the restart: its next readings are well within.
            call(host, "PUT", limits(CALMS), "{}");
        }
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            // The dashboard lists them as before (read back in the background; its list of the
            // fleet's last, after each sensor's): it started empty.
            JsonNode listed = get(host, "/api/v1/lstm/fleet").get("alerts");
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (listed.size() < 2 && System.nanoTime() < until) {
                Thread.sleep(100);
                listed = get(host, "/api/v1/lstm/fleet").get("alerts");
            }
            assertEquals(2, listed.size(), listed.toString());
            JsonNode its = get(host, "/api/v1/lstm/sensors/press-1/stands").get("alerts");
            assertEquals(1, its.size(), its.toString());
            assertEquals("raised " + its.get(0).get("risk_level").asText() + " low", raised);
            assertEquals(
                    stands.get(HISTORY).timestamp().toString(),
                    its.get(0).get("at").asText());
            assertFalse(its.get(0).get("why").asText().isEmpty(), its.toString());
            // Both open, listed from the database with the ids they were published under.
            assertEquals(
                    List.of("press-1/calms " + raisedId(host, CALMS), "press-1/stands " + raisedId(host, STANDS)),
                    open(host));
            send(host, STANDS, stands.get(HISTORY + 1));
            send(host, STANDS, stands.get(HISTORY + 2));
            assertEquals(List.of(raised), alerts(host, STANDS), "the open alert goes on: not raised again");
            // Cleared once the level has stayed below medium for a horizon (12 hours) after the last
            // assessment at medium or above, the one before the restart.
            for (int h = 1; h <= 12; h++) {
                send(host, CALMS, calms.get(HISTORY + h));
            }
            List<String> told = alerts(host, CALMS);
            assertEquals(2, told.size(), told.toString());
            String level = told.get(0).split(" ")[1];
            assertEquals("cleared low " + level, told.get(1), "cleared, from the level it was raised at");
            assertEquals(List.of("press-1/stands " + raisedId(host, STANDS)), open(host), "the cleared one is not");
        }
    }
}
