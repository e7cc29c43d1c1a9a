package io.prognos.host.core.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prognos.api.BadRequestException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a payload into readings: {@code {"ts": ISO-8601 or an epoch number, "value": number}} or an array of
 * those, or a bare number; the field names are configurable for other JSON shapes. A missing
 * timestamp (and a bare number) means "now". A number may come as a JSON string ({@code "23.5"}),
 * as many devices and gateways send it. A device's payload with several sensors is read by
 * {@link #parseDevice}.
 * Every rejection names its reason: oversized, malformed JSON, missing or non-numeric value,
 * non-finite value, unreadable or far-future timestamp.
 */
public final class ReadingParser {

    /** No sensor reading is older than this; earlier timestamps come from unset clocks. */
    public static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");

    private final ObjectMapper json;
    private final String tsField;
    private final String valueField;
    private final Set<String> ignoredKeys;
    private final int maxBytes;
    private final Duration maxFutureSkew;
    private final Duration maxAge;
    private final Clock clock;

    /**
     * {@code ignoredKeys}: keys of a device's payload that are not sensors (a sequence number, an
     * uptime counter); see {@link #ignoredKeys(String)}. {@code maxAge}: readings stamped longer
     * ago are refused, as a clock that is not set stamps them (1970, or a real-time clock's 2000).
     */
    public ReadingParser(
            ObjectMapper json,
            String tsField,
            String valueField,
            Set<String> ignoredKeys,
            int maxBytes,
            Duration maxFutureSkew,
            Duration maxAge,
            Clock clock) {
        this.json = json;
        this.tsField = tsField;
        this.valueField = valueField;
        this.ignoredKeys = Set.copyOf(ignoredKeys);
        this.maxBytes = maxBytes;
        this.maxFutureSkew = maxFutureSkew;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** A comma-separated list of keys as configured ({@code "seq, uptime"}), blank items left out; null: none. */
    public static Set<String> ignoredKeys(String commaSeparated) {
        Set<String> out = new LinkedHashSet<>();
        if (commaSeparated != null) {
            for (String k : commaSeparated.split(",")) {
                if (!k.isBlank()) {
                    out.add(k.strip());
                }
            }
        }
        return out;
    }

    /** The good readings of a payload, and why each bad one in an array was refused. */
    public record Parsed(List<Reading> readings, List<BadPayloadException> refused) {}

    /** The good readings of a device's payload by sensor key, in the payload's order, and why each bad one was refused. */
    public record DeviceParsed(Map<String, List<Reading>> readings, List<BadPayloadException> refused) {

        /**
         * The readings as the device's sensors, for MQTT's device topic and Kafka's device topic
         * alike: a key no sensor may have is refused as {@code bad_sensor_key}, and a device id no
         * sensor may have with {@code deviceFault} (the adapter's word for where the id came from).
         */
        public BySensor bySensor(String deviceId, String deviceFault) {
            Map<SensorId, List<Reading>> out = new LinkedHashMap<>();
            List<BadPayloadException> all = new ArrayList<>(refused);
            for (Map.Entry<String, List<Reading>> e : readings.entrySet()) {
                try {
                    out.put(SensorId.of(deviceId, e.getKey()), e.getValue());
                } catch (BadRequestException bad) {
                    all.add(new BadPayloadException(
                            "sensor_key".equals(bad.field()) ? "bad_sensor_key" : deviceFault,
                            "'" + e.getKey() + "' of device '" + deviceId + "': " + bad.getMessage()));
                }
            }
            return new BySensor(out, all);
        }
    }

    /** A device's good readings by sensor, and why each bad one was refused. */
    public record BySensor(Map<SensorId, List<Reading>> readings, List<BadPayloadException> refused) {}

    /**
     * The field of ThingsBoard's telemetry shape that holds a device's values: {@code {"ts": t,
     * "values": {...}}}.
     */
    private static final String VALUES_FIELD = "values";

    /**
     * A payload's readings. A payload that is not JSON, too large or a single bad reading throws;
     * in an array a bad reading is refused alone and the others are kept.
     */
    public Parsed parse(byte[] payload) throws BadPayloadException {
        JsonNode root = tree(payload);
        List<Reading> out = new ArrayList<>();
        List<BadPayloadException> refused = new ArrayList<>();
        if (root.isArray()) {
            int i = 0;
            for (JsonNode n : root) {
                i++;
                try {
                    out.add(reading(n));
                } catch (BadPayloadException e) {
                    refused.add(at(e, "reading", i, root.size()));
                }
            }
        } else if (root.isNumber() || root.isTextual()) {
            // Many devices publish the bare value on a topic of its own (Shelly's sensor topics,
            // Home Assistant's state topics: "23.5"): a reading of now.
            out.add(reading(json.createObjectNode().set(valueField, root)));
        } else {
            out.add(reading(root));
        }
        return new Parsed(out, refused);
    }

    /** One sensor's payload ({@link #parse(byte[])}) as that sensor's readings, for callers that take devices' too. */
    public BySensor parse(SensorId sensor, byte[] payload) throws BadPayloadException {
        Parsed p = parse(payload);
        return new BySensor(p.readings().isEmpty() ? Map.of() : Map.of(sensor, p.readings()), p.refused());
    }

    /**
     * The readings of a payload that carries several sensors of one device, as most devices
     * publish their measurements: {@code {"ts": t, "values": {"temp": 61.2, "rpm": 1480}}}
     * (ThingsBoard's telemetry shape), the same without {@code values} ({@code {"ts": t, "temp":
     * 61.2, "rpm": 1480}}), or an array of those; no {@code ts} means now. The ignored keys are
     * not sensors and are skipped (a message of only those has no readings). A bad value is refused
     * alone, naming its key; an object whose time is bad is refused whole (in an array, alone). A
     * payload that is not JSON, too large, or a single object that is refused throws.
     */
    public DeviceParsed parseDevice(byte[] payload) throws BadPayloadException {
        JsonNode root = tree(payload);
        Map<String, List<Reading>> out = new LinkedHashMap<>();
        List<BadPayloadException> refused = new ArrayList<>();
        if (root.isArray()) {
            int i = 0;
            for (JsonNode n : root) {
                i++;
                try {
                    deviceReadings(n, out, refused, i, root.size());
                } catch (BadPayloadException e) {
                    refused.add(at(e, "object", i, root.size()));
                }
            }
        } else {
            deviceReadings(root, out, refused, 0, 1);
        }
        return new DeviceParsed(out, refused);
    }

    /**
     * The refusal of an array's element, saying which: a device that sends 40 readings a message
     * is found at fault by its position, which the reason alone does not give.
     */
    private static BadPayloadException at(BadPayloadException e, String what, int position, int of) {
        return new BadPayloadException(e.reason(), what + " " + position + " of " + of + ": " + e.getMessage());
    }

    /**
     * One object's readings into {@code out}, a bad value's refusal into {@code refused} (named by
     * the object's {@code position} of {@code of} in an array; 0: not in one); a bad object is thrown.
     */
    private void deviceReadings(
            JsonNode n, Map<String, List<Reading>> out, List<BadPayloadException> refused, int position, int of)
            throws BadPayloadException {
        if (!n.isObject()) {
            throw new BadPayloadException(
                    "malformed_json",
                    "a device's readings must be a JSON object of sensor keys and numbers, as {\"ts\": ...,"
                            + " \"values\": {\"temp\": 61.2}} or {\"temp\": 61.2}");
        }
        Instant ts = checkedTime(n.get(tsField));
        JsonNode values = n.get(VALUES_FIELD);
        boolean nested = values != null && values.isObject();
        JsonNode fields = nested ? values : n;
        boolean any = false;
        for (Map.Entry<String, JsonNode> e : fields.properties()) {
            if (!nested && e.getKey().equals(tsField)) {
                continue;
            }
            any = true;
            if (ignoredKeys.contains(e.getKey())) {
                continue;
            }
            try {
                if (e.getValue().isNull()) {
                    throw new BadPayloadException("missing_value", "'" + e.getKey() + "' has no value (null)");
                }
                double v = number(e.getKey(), e.getValue());
                out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Reading(ts, v));
            } catch (BadPayloadException bad) {
                refused.add(position == 0 ? bad : at(bad, "object", position, of));
            }
        }
        if (nested) {
            // A key beside "values" is no sensor of the nested shape, but may be a reading all the
            // same ({"ts": .., "values": {"temp": 61}, "rpm": 1480}): said, not dropped unread.
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                String key = e.getKey();
                if (!key.equals(tsField) && !key.equals(VALUES_FIELD) && !ignoredKeys.contains(key)) {
                    BadPayloadException beside = new BadPayloadException(
                            "malformed_json",
                            "'" + key + "' beside '" + VALUES_FIELD + "' was not read: a device's readings are"
                                    + " all in '" + VALUES_FIELD + "' or all at the top level (the device's"
                                    + " ignored keys setting names keys that are no sensor)");
                    refused.add(position == 0 ? beside : at(beside, "object", position, of));
                }
            }
        }
        if (!any) {
            throw new BadPayloadException(
                    "missing_value",
                    "no sensor values: expected {\"ts\": ..., \"values\": {\"temp\": 61.2}} or {\"temp\": 61.2}");
        }
    }

    private JsonNode tree(byte[] payload) throws BadPayloadException {
        if (payload.length > maxBytes) {
            throw new BadPayloadException("oversized", "payload of " + payload.length + " bytes exceeds " + maxBytes);
        }
        // Some device libraries send a C string's terminating NUL along; it ends the payload.
        int length = payload.length;
        while (length > 0 && payload[length - 1] == 0) {
            length--;
        }
        JsonNode root;
        try (JsonParser p = json.createParser(payload, 0, length)) {
            root = json.readTree(p);
        } catch (JsonProcessingException e) {
            throw new BadPayloadException("malformed_json", "not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadPayloadException("malformed_json", "not JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new BadPayloadException("malformed_json", "empty payload");
        }
        return root;
    }

    private Reading reading(JsonNode n) throws BadPayloadException {
        if (!n.isObject()) {
            throw new BadPayloadException(
                    "malformed_json",
                    "a reading must be a JSON object, as {\"" + tsField + "\": ..., \"" + valueField + "\": 61.2}"
                            + (n.isValueNode() ? " (a bare value is a reading of now only as a whole payload)" : ""));
        }
        JsonNode v = n.get(valueField);
        if (v == null || v.isNull()) {
            throw new BadPayloadException("missing_value", "no '" + valueField + "' field");
        }
        double value = number(valueField, v);
        return new Reading(checkedTime(n.get(tsField)), value);
    }

    /** A finite number, or a JSON string that holds one in decimal notation ("23.5", "-1e3"; not "NaN"). */
    private static double number(String field, JsonNode v) throws BadPayloadException {
        double value;
        if (v.isNumber()) {
            value = v.asDouble();
        } else if (v.isTextual()) {
            try {
                value = new BigDecimal(v.asText().strip()).doubleValue();
            } catch (NumberFormatException e) {
                throw new BadPayloadException("non_numeric_value", "'" + field + "' is not a number: " + v);
            }
        } else {
            throw new BadPayloadException("non_numeric_value", "'" + field + "' is not a number: " + v);
        }
        if (!Double.isFinite(value)) {
            throw new BadPayloadException("non_finite_value", "'" + field + "' is not finite");
        }
        if (!Reading.usable(value)) {
            throw new BadPayloadException(
                    "non_finite_value",
                    "'" + field + "' is " + value + ", beyond +-" + Reading.MAX_MAGNITUDE
                            + ": no measurement is (a device's code for no value?), and a model's arithmetic overflows");
        }
        return value;
    }

    /** A reading's time: now when there is none; refused before {@link #EARLIEST}, too old or too far ahead. */
    private Instant checkedTime(JsonNode t) throws BadPayloadException {
        Instant now = clock.instant();
        Instant ts = timestamp(t, now);
        if (ts.isBefore(EARLIEST)) {
            throw new BadPayloadException(
                    "bad_timestamp",
                    "timestamp " + ts + " is before " + EARLIEST
                            + ": a clock that is not set (PostgreSQL cannot even store some such times)");
        }
        if (ts.isBefore(now.minus(maxAge))) {
            // Taken, a device without a set clock stored its readings in 1970, where no forecast,
            // view or training of the sensor looks, and its sensor forecast for 1970.
            throw new BadPayloadException(
                    "bad_timestamp",
                    "timestamp " + ts + " is more than " + maxAge.toDays() + " days ago: a device clock that is"
                            + " not set? Send no timestamp and the reading is stamped on arrival (a larger"
                            + " max-age takes older ones)");
        }
        if (ts.isAfter(now.plus(maxFutureSkew))) {
            throw new BadPayloadException(
                    "future_timestamp", "timestamp " + ts + " is more than " + maxFutureSkew + " in the future");
        }
        return ts;
    }

    private Instant timestamp(JsonNode t, Instant now) throws BadPayloadException {
        if (t == null || t.isNull()) {
            return now;
        }
        if (t.isNumber()) {
            return epoch(t);
        }
        if (t.isTextual()) {
            try {
                return Timestamps.parse(t.asText(), false);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new BadPayloadException(
                        "bad_timestamp", "'" + tsField + "' is neither ISO-8601 nor an epoch number: " + t.asText());
            } catch (IllegalArgumentException e) {
                throw new BadPayloadException("bad_timestamp", "'" + tsField + "': " + e.getMessage());
            }
        }
        throw new BadPayloadException(
                "bad_timestamp", "'" + tsField + "' is neither ISO-8601 nor an epoch number: " + t);
    }

    private Instant epoch(JsonNode t) throws BadPayloadException {
        try {
            return Timestamps.epoch(t.decimalValue());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new BadPayloadException("bad_timestamp", "'" + tsField + "' is not a time: " + t);
        }
    }
}
