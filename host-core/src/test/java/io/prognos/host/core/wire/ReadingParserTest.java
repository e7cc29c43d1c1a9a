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
            Json.mapper(),
            "ts",
            "value",
            ReadingParser.ignoredKeys(" seq, uptime ,,"),
            65_536,
            Duration.ofMinutes(5),
            Duration.ofDays(3650),
            Clock.fixed(NOW, ZoneOffset.UTC));

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

    /**
     * A clock that was never set stamps 1970 (Unix) or 2000 (many real-time clocks): refused, saying
     * how to have the reading stamped instead; a reading nine years old, a historian's backfill, is taken.
     */
    @Test
    void aReadingOlderThanTheMaximumAgeIsRefused() throws Exception {
        for (String ts : List.of("0", "946684800", "\"2000-01-01T00:00:00Z\"", "\"2016-04-30T12:00:00Z\"")) {
            BadPayloadException e =
                    assertThrows(BadPayloadException.class, () -> parse("{\"ts\": " + ts + ", \"value\": 1}"));
            assertEquals("bad_timestamp", e.reason(), ts);
            assertTrue(e.getMessage().contains("is more than 3650 days ago: a device clock that is not set?"), ts);
            assertTrue(e.getMessage().contains("Send no timestamp and the reading is stamped on arrival"), ts);
        }
        Instant nineYears = NOW.minus(Duration.ofDays(9 * 365));
        assertEquals(
                List.of(new Reading(nineYears, 1)),
                parse("{\"ts\": \"" + nineYears + "\", \"value\": 1}").readings());
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
        // Finite, but beyond any measurement: a model's squares and differences of it overflow.
        assertEquals("non_finite_value", refusedReason("1.7976931348623157e308"));
        assertEquals("non_finite_value", refusedReason("{\"value\": -1e151}"));
        assertEquals(List.of(new Reading(NOW, 1e150)), parse("1e150").readings());
        assertEquals(List.of(new Reading(NOW, 23.5)), parse("\"23.5\"").readings(), "a number as a string");
        assertEquals("malformed_json", refusedReason("23.5 kelvin"));
        assertEquals("malformed_json", refusedReason("{\"value\": 1} {\"value\": 2}"));
        // A field twice says two things; Jackson kept the last without a word.
        BadPayloadException twice =
                assertThrows(BadPayloadException.class, () -> parse("{\"value\": 1, \"value\": 2}"));
        assertEquals("malformed_json", twice.reason());
        assertTrue(twice.getMessage().contains("'value'"), twice.getMessage());
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
        assertEquals(
                List.of("malformed_json", "non_numeric_value"),
                mixed.refused().stream().map(BadPayloadException::reason).toList());
        // Which of a message's readings was refused: the device's operator finds it by its place.
        assertTrue(
                mixed.refused().get(0).getMessage().startsWith("reading 2 of 3: "),
                mixed.refused().toString());
        assertTrue(
                mixed.refused().get(1).getMessage().startsWith("reading 3 of 3: "),
                mixed.refused().toString());
        assertTrue(
                mixed.refused().get(0).getMessage().contains("{\"ts\": ..., \"value\": 61.2}"),
                "a bare value in an array is told what a reading looks like: "
                        + mixed.refused().get(0));
    }

    /**
     * Many devices and gateways send numbers as JSON strings ({"value": "23.5"}); they were
     * refused as non_numeric_value. Only decimal notation is a number: not "NaN", hexadecimal or
     * Java's "1.5d".
     */
    @Test
    void aNumberMayComeAsAString() throws Exception {
        for (String v : List.of("\"23.5\"", "\" 23.5 \"", "\"2.35e1\"", "\"+23.50\"")) {
            assertEquals(
                    List.of(new Reading(NOW, 23.5)),
                    parse("{\"value\": " + v + "}").readings(),
                    v);
        }
        for (String v : List.of("\"NaN\"", "\"hot\"", "\"0x17\"", "\"1.5d\"", "\"\"", "\"23.5 C\"", "true", "[1]")) {
            assertEquals("non_numeric_value", refusedReason("{\"value\": " + v + "}"), v);
        }
        assertEquals("non_finite_value", refusedReason("{\"value\": \"1e400\"}"));
    }

    private ReadingParser.DeviceParsed device(String payload) throws BadPayloadException {
        return parser.parseDevice(payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A device's payload names its sensors: ThingsBoard's telemetry shape, the same without
     * "values", arrays of either; every sensor gets its readings in order, and a message's time is
     * every value's.
     */
    @Test
    void aDevicesPayloadGivesEachSensorItsReadings() throws Exception {
        Instant t1 = Instant.parse("2026-05-01T11:00:00Z");
        Instant t2 = Instant.parse("2026-05-01T11:05:00Z");
        ReadingParser.DeviceParsed p =
                device("[{\"ts\": \"" + t1 + "\", \"values\": {\"temp\": 61.2, \"rpm\": \"1480\"}}," + " {\"ts\": \""
                        + t2 + "\", \"rpm\": 1490, \"temp\": 61.4}]");
        assertEquals(List.of("temp", "rpm"), List.copyOf(p.readings().keySet()));
        assertEquals(
                List.of(new Reading(t1, 61.2), new Reading(t2, 61.4)),
                p.readings().get("temp"));
        assertEquals(
                List.of(new Reading(t1, 1480), new Reading(t2, 1490)),
                p.readings().get("rpm"));
        assertEquals(List.of(), p.refused());
        assertEquals(
                java.util.Map.of("temp", List.of(new Reading(NOW, 3.0))),
                device("{\"temp\": 3}").readings(),
                "no ts: now");
    }

    /**
     * Keys configured as not sensors (a sequence number, an uptime counter: every reading beyond
     * the range seen, so an alert that never clears) are skipped, nested or not; a heartbeat of
     * only those is no error. The list is read as a user writes it.
     */
    @Test
    void ignoredKeysAreNotSensors() throws Exception {
        assertEquals(
                java.util.Map.of("temp", List.of(new Reading(NOW, 61.2))),
                device("{\"values\": {\"seq\": 41, \"temp\": 61.2, \"uptime\": 86400}}")
                        .readings());
        ReadingParser.DeviceParsed flat = device("{\"seq\": \"x\", \"temp\": 61.4}");
        assertEquals(java.util.Map.of("temp", List.of(new Reading(NOW, 61.4))), flat.readings());
        assertEquals(List.of(), flat.refused(), "an ignored key's value is not read at all");
        // Beside "values", a key is refused saying so (it was dropped unread), the others kept; an
        // ignored key there is still skipped without a word.
        ReadingParser.DeviceParsed mixed = device(
                "[{\"values\": {\"temp\": 61.2}, \"rpm\": 1480, \"uptime\": 5}," + " {\"values\": {\"temp\": 61.3}}]");
        assertEquals(
                java.util.Map.of("temp", List.of(new Reading(NOW, 61.2), new Reading(NOW, 61.3))), mixed.readings());
        assertEquals(1, mixed.refused().size(), mixed.refused().toString());
        assertEquals("malformed_json", mixed.refused().get(0).reason());
        assertTrue(
                mixed.refused().get(0).getMessage().startsWith("object 1 of 2: 'rpm' beside 'values' was not read"),
                mixed.refused().get(0).getMessage());
        ReadingParser.DeviceParsed heartbeat = device("{\"ts\": \"2026-05-01T11:00:00Z\", \"seq\": 42}");
        assertEquals(java.util.Map.of(), heartbeat.readings());
        assertEquals(List.of(), heartbeat.refused());
        assertEquals(
                java.util.Map.of("Seq", List.of(new Reading(NOW, 1.0))),
                device("{\"Seq\": 1}").readings(),
                "keys match exactly, as sensor keys do");
        assertEquals(java.util.Set.of(), ReadingParser.ignoredKeys(null));
        assertEquals(java.util.Set.of("a b", "c"), ReadingParser.ignoredKeys(" a b ,c,, "));
    }

    /** A bad value is refused alone, naming its key; a bad time refuses its object; a message with nothing usable throws. */
    @Test
    void aDevicesBadValueIsRefusedAloneAndABadTimeWithItsObject() throws Exception {
        ReadingParser.DeviceParsed p =
                device("{\"temp\": 61.2, \"state\": \"running\", \"fault\": null, \"cfg\": {\"a\": 1}}");
        assertEquals(java.util.Map.of("temp", List.of(new Reading(NOW, 61.2))), p.readings());
        assertEquals(
                List.of("non_numeric_value", "missing_value", "non_numeric_value"),
                p.refused().stream().map(BadPayloadException::reason).toList());
        assertTrue(
                p.refused().get(0).getMessage().contains("'state'"),
                p.refused().get(0).getMessage());
        assertTrue(
                p.refused().get(1).getMessage().contains("'fault'"),
                p.refused().get(1).getMessage());

        ReadingParser.DeviceParsed arr = device("[{\"ts\": \"yesterday\", \"temp\": 1}, {\"temp\": 2}]");
        assertEquals(java.util.Map.of("temp", List.of(new Reading(NOW, 2.0))), arr.readings());
        assertEquals("bad_timestamp", arr.refused().get(0).reason());
        assertTrue(
                arr.refused().get(0).getMessage().startsWith("object 1 of 2: "),
                arr.refused().toString());
        ReadingParser.DeviceParsed second = device("[{\"temp\": 1}, {\"temp\": 2, \"state\": \"on\"}]");
        assertEquals(1, second.refused().size(), second.refused().toString());
        assertTrue(
                second.refused().get(0).getMessage().startsWith("object 2 of 2: ")
                        && second.refused().get(0).getMessage().contains("'state'"),
                second.refused().toString());

        for (String[] bad : new String[][] {
            {"{\"ts\": \"yesterday\", \"temp\": 1}", "bad_timestamp"},
            {"{\"ts\": \"2026-05-01T11:00:00Z\"}", "missing_value"},
            {"{\"ts\": \"2026-05-01T11:00:00Z\", \"values\": {}}", "missing_value"},
            {"23.5", "malformed_json"},
            {"{\"temp\": 1} x", "malformed_json"}
        }) {
            assertEquals(
                    bad[1],
                    assertThrows(BadPayloadException.class, () -> device(bad[0]))
                            .reason(),
                    bad[0]);
        }
    }

    @Test
    void whatReadingsJsonWritesIsReadBackAsItWas() throws Exception {
        List<Reading> readings = List.of(
                new Reading(Instant.parse("2026-05-01T11:00:00.250Z"), 61.25),
                new Reading(Instant.parse("2026-05-01T11:05:00Z"), -0.1));
        assertEquals(readings, parser.parse(ReadingsJson.of(readings)).readings());
        assertEquals(
                List.of(readings.get(0)),
                parser.parse(ReadingsJson.one(readings.get(0))).readings());
    }
}
