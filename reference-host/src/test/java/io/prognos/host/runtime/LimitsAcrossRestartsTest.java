package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.host.HostFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Operating limits set over REST (the dashboard's form) are kept across a restart; clearing them
 * returns the sensor to its configured ones for good; and while the database cannot keep a change,
 * the change is refused rather than made until the next restart.
 */
class LimitsAcrossRestartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALVE = "/api/v1/lstm/limits/valve-9/pressure";
    private static final String PUMP = "/api/v1/lstm/limits/pump-3/t";

    private static JsonNode call(HostRuntime host, String method, String path, String body, int status)
            throws Exception {
        HostFixture.Response r = HostFixture.call(host.rest().port(), method, path, body, null);
        assertEquals(status, r.status(), method + " " + path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode limits(HostRuntime host, String path) throws Exception {
        return call(host, "GET", path, null, 200).get("limits");
    }

    @Test
    void limitsSetOverRestAreKeptAcrossARestartAndAChangeTheDatabaseCannotKeepIsRefused() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dir);
        config.put("prognos.mqtt.enabled", "false");
        config.put("prognos.limits", "pump-3/t=::80:95");
        config.put("jdbc.connect-timeout", "2s");
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            call(host, "PUT", VALVE, "{\"low\": 40, \"high\": 60}", 200);
            call(host, "PUT", PUMP, "{\"high\": 90}", 200);
            assertEquals(90.0, limits(host, PUMP).get("high").asDouble());
            call(host, "PUT", PUMP, "{}", 200);
            assertEquals(95.0, limits(host, PUMP).get("high").asDouble(), "back to the configured ones");
            // PostgreSQL stopped (a fast shutdown, as an operator's restart of it begins).
            long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("postgres/postmaster.pid"))
                    .get(0)
                    .trim());
            ProcessHandle pg = ProcessHandle.of(postmaster).orElseThrow();
            new ProcessBuilder("kill", "-INT", Long.toString(postmaster))
                    .start()
                    .waitFor();
            pg.onExit().get(30, TimeUnit.SECONDS);
            JsonNode refused = call(host, "PUT", VALVE, "{\"low\": 40, \"high\": 70}", 503);
            assertTrue(refused.toString().contains("limits of valve-9/pressure"), refused.toString());
            assertEquals(60.0, limits(host, VALVE).get("high").asDouble(), "not set in memory only");
        }
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            JsonNode valve = limits(host, VALVE);
            assertEquals(40.0, valve.get("low").asDouble(), valve.toString());
            assertEquals(60.0, valve.get("high").asDouble(), valve.toString());
            JsonNode pump = limits(host, PUMP);
            assertEquals(80.0, pump.get("warning_high").asDouble(), pump.toString());
            assertEquals(95.0, pump.get("high").asDouble(), "cleared stays cleared: " + pump);
        }
    }
}
