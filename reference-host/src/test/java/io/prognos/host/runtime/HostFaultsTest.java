package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.host.HostFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A host whose database is down, with an API token: it starts, says why it cannot serve, and keeps secrets. */
class HostFaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static HostRuntime host;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> config = HostFixture.config(HostFixture.dataDir());
        config.put("jdbc.url", "jdbc:postgresql://127.0.0.1:1/nothing-listens-here");
        config.put("jdbc.password", "hunter2");
        config.put("jdbc.connect-timeout", "1s");
        config.put("prognos.mqtt.enabled", "false");
        config.put("prognos.api-token", "s3cret");
        host = HostFixture.start(config, HostRuntime.Parts.ALL);
        port = host.rest().port();
    }

    @AfterAll
    static void stop() {
        host.close();
    }

    @Test
    void aDatabaseThatIsDownGives503WithRetryAfter() throws Exception {
        HostFixture.Response r = HostFixture.call(
                port, "POST", "/api/v1/lstm/train", "{\"device_id\": \"d\", \"sensor_key\": \"s\"}", "s3cret");
        assertEquals(503, r.status(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertEquals("store_unavailable", JSON.readTree(r.body()).get("reason").asText());
        HostFixture.Response health = HostFixture.call(port, "GET", "/health", null, null);
        assertEquals(503, health.status());
        assertEquals(
                "DOWN",
                JSON.readTree(health.body()).get("components").get("database").asText());
    }

    @Test
    void theTokenIsRequiredExceptForHealth() throws Exception {
        assertEquals(
                401,
                HostFixture.call(port, "GET", "/api/v1/lstm/status", null, null).status());
        assertEquals(
                401,
                HostFixture.call(port, "GET", "/api/v1/lstm/status", null, "wrong")
                        .status());
        assertEquals(401, HostFixture.call(port, "GET", "/metrics", null, null).status());
        // A device's large batch without the token hears why: its body is read before the answer
        // (left unread, the connection was reset under the 401 and the client saw only that).
        String[] big = HostFixture.postAllThenRead(port, "/api/v1/lstm/readings/pump-1/temp", new byte[16 << 20]);
        assertEquals("HTTP/1.1 401 Unauthorized", big[0], big[1]);
        assertTrue(big[1].contains("missing or wrong API token"), big[1]);
        assertEquals(
                200,
                HostFixture.call(port, "GET", "/api/v1/lstm/status", null, "s3cret")
                        .status());
    }

    @Test
    void secretsAreMaskedInStatus() throws Exception {
        HostFixture.Response r = HostFixture.call(port, "GET", "/api/v1/lstm/status", null, "s3cret");
        assertFalse(r.body().contains("hunter2"), r.body());
        assertFalse(r.body().contains("s3cret"), r.body());
        JsonNode c = JSON.readTree(r.body()).get("configuration");
        assertEquals("******", c.get("jdbc.password").asText());
        assertEquals("******", c.get("prognos.api-token").asText());
    }
}
