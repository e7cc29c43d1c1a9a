package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A restarted host's dashboard shows what it showed before: each sensor's newest risk, forecast and
 * anomaly scores, read back from the database, without waiting for the sensor's next reading.
 */
class DashboardRestoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEW = "/api/v1/lstm/sensors/pump-7/temperature";

    private static JsonNode get(HostRuntime host, String path) throws Exception {
        HostFixture.Response r = HostFixture.call(host.rest().port(), "GET", path, null, null);
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body());
    }

    /** The sensor view once it has a risk, or the last one seen after {@code wait}. */
    private static JsonNode viewWithRisk(HostRuntime host, Duration wait) throws Exception {
        long until = System.nanoTime() + wait.toNanos();
        JsonNode view = get(host, VIEW);
        while (view.get("risk").isNull() && System.nanoTime() < until) {
            Thread.sleep(100);
            view = get(host, VIEW);
        }
        return view;
    }

    private static JsonNode withoutAssessedAt(JsonNode risk) {
        ObjectNode copy = risk.deepCopy();
        copy.remove("assessed_at");
        return copy;
    }

    @Test
    void afterARestartTheDashboardShowsEachSensorsNewestResultsBeforeItsNextReading() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dir);
        config.put("prognos.mqtt.enabled", "false");
        SensorId sensor = SensorId.of("pump-7", "temperature");
        List<Reading> history = HostFixture.hourly(236, 0.01, 7);
        JsonNode before;
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            int port = host.rest().port();
            String path = "/api/v1/lstm/readings/pump-7/temperature";
            HostFixture.Response first =
                    HostFixture.call(port, "POST", path, HostFixture.json(history.subList(0, 230)), null);
            assertEquals(200, first.status(), first.body());
            long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (host.plugin().model(sensor).isEmpty() && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            assertTrue(host.plugin().model(sensor).isPresent(), "trained");
            // Readings one by one, as a device sends them: each scored and forecast.
            for (Reading r : history.subList(230, history.size())) {
                HostFixture.Response next = HostFixture.call(port, "POST", path, HostFixture.json(List.of(r)), null);
                assertEquals(200, next.status(), next.body());
            }
            before = viewWithRisk(host, Duration.ofSeconds(30));
        }
        assertFalse(before.get("risk").isNull(), before.toString());
        assertTrue(before.get("anomaly_scores").size() >= 5, before.toString());

        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            JsonNode after = viewWithRisk(host, Duration.ofSeconds(30));
            // As it was shown, to the microsecond PostgreSQL rounds its time to.
            assertEquals(
                    withoutAssessedAt(before.get("risk")), withoutAssessedAt(after.get("risk")), "the newest risk");
            Duration assessed = Duration.between(
                    Instant.parse(before.get("risk").get("assessed_at").asText()),
                    Instant.parse(after.get("risk").get("assessed_at").asText()));
            assertTrue(Math.abs(assessed.toNanos()) <= 1_000, "assessed_at moved by " + assessed);
            assertEquals(
                    before.get("forecast").get("forecasts"),
                    after.get("forecast").get("forecasts"),
                    "the forecast it came from");
            assertEquals(
                    before.get("forecast").get("last_value"),
                    after.get("forecast").get("last_value"));
            assertEquals(before.get("anomaly_scores"), after.get("anomaly_scores"), "the newest scores");
            JsonNode row = get(host, "/api/v1/lstm/fleet").get("sensors").get(0);
            assertEquals(before.get("risk").get("risk_level"), row.get("risk_level"), row.toString());
            // Not claimed: the newest reading since the restart, which none has come yet.
            assertTrue(row.get("last_reading_at").isNull(), row.toString());
        }
    }
}
