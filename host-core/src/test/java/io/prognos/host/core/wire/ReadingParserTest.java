package io.prognos.host.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prognos.api.Reading;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The payloads devices send, as the MQTT and Kafka adapters read them. */
class ReadingParserTest {

    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private final ReadingParser parser = new ReadingParser(
            Json.mapper(), "ts", "value", 65_536, Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));

    private ReadingParser.Parsed parse(String payload) throws BadPayloadException {
        return parser.parse(payload.getBytes(StandardCharsets.UTF_8));
    }

    private String refusedReason(String payload) {
        return assertThrows(BadPayloadException.class, () -> parse(payload)).reason();
    }

    @Test
    void aBareNumberIsAReadingOfNow() throws Exception {
        assertEquals(List.of(new Reading(NOW, 23.5)), parse("23.5").readings());
        assertEquals(List.of(new Reading(NOW, -4.0)), parse(" -4 \n").readings());
        // The same checks as a value in an object.
        assertEquals("non_finite_value", refusedReason("1e400"));
        assertEquals("malformed_json", refusedReason("\"23.5\""));
        assertEquals("malformed_json", refusedReason("23.5 kelvin"));
        assertEquals("malformed_json", refusedReason("{\"value\": 1} {\"value\": 2}"));
        // A C string's terminating NUL, which some device libraries send along.
        assertEquals(List.of(new Reading(NOW, 23.5)), parse("23.5\u0000").readings());
        assertEquals(
                List.of(new Reading(NOW, 23.5)),
                parse("{\"value\": 23.5}\u0000").readings());
    }

    @Test
    void objectsAndArraysOfThemAsBefore() throws Exception {
        assertEquals(
                List.of(new Reading(Instant.parse("2026-05-01T11:00:00Z"), 61.2)),
                parse("{\"ts\": \"2026-05-01T11:00:00Z\", \"value\": 61.2}").readings());
        ReadingParser.Parsed mixed = parse("[{\"value\": 1}, 2, {\"value\": \"x\"}]");
        assertEquals(List.of(new Reading(NOW, 1.0)), mixed.readings());
        assertEquals(2, mixed.refused().size());
    }
}
