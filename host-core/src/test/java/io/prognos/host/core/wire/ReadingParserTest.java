package io.prognos.host.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Epoch seconds (Unix time, what many devices send) were read as milliseconds: a reading of
     * January 1970, taken in and dropped as late. Seconds, milliseconds, microseconds and
     * nanoseconds are told apart by size, and a fraction is kept to the microsecond.
     */
    @Test
    void anEpochTimeIsReadInWhicheverUnitItIsIn() throws Exception {
        Instant t = Instant.parse("2026-05-01T11:58:20.123Z");
        for (String ts : List.of("1777636700.123", "1777636700123", "1777636700123000", "1777636700123000000")) {
            assertEquals(
                    List.of(new Reading(t, 1)),
                    parse("{\"ts\": " + ts + ", \"value\": 1}").readings(),
                    ts);
        }
        assertEquals(
                List.of(new Reading(t.minusMillis(123), 1)),
                parse("{\"ts\": 1777636700, \"value\": 1}").readings(),
                "whole seconds");
        assertEquals("bad_timestamp", refusedReason("{\"ts\": -5, \"value\": 1}"));
        assertEquals("future_timestamp", refusedReason("{\"ts\": 1777640000, \"value\": 1}"));
    }

    /** RFC 3339 with a space, an offset, a lower-case z; a time without a zone is refused saying so. */
    @Test
    void aDateTimeNeedsItsZoneAndMayHaveASpace() throws Exception {
        Instant t = Instant.parse("2026-05-01T11:58:20Z");
        for (String ts : List.of("2026-05-01 11:58:20Z", "2026-05-01T13:58:20+02:00", "2026-05-01t11:58:20z")) {
            assertEquals(
                    List.of(new Reading(t, 1)),
                    parse("{\"ts\": \"" + ts + "\", \"value\": 1}").readings(),
                    ts);
        }
        BadPayloadException local =
                assertThrows(BadPayloadException.class, () -> parse("{\"ts\": \"2026-05-01T11:58:20\", \"value\": 1}"));
        assertEquals("bad_timestamp", local.reason());
        assertTrue(local.getMessage().contains("has no time zone: add Z for UTC or an offset"), local.getMessage());
        assertEquals("bad_timestamp", refusedReason("{\"ts\": \"yesterday\", \"value\": 1}"));
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
