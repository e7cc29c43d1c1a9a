package io.prognos.host.core.wire;

import io.prognos.api.Reading;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readings as a device sends them, what {@link ReadingParser} reads: {@code [{"ts": ISO-8601,
 * "value": n}, ...]}, for those who send readings themselves (a Kafka host writing its readings
 * topic, the demo's devices).
 */
public final class ReadingsJson {

    private ReadingsJson() {}

    /** With the default field names, {@code ts} and {@code value}. */
    public static byte[] of(List<Reading> readings) {
        return of(readings, "ts", "value");
    }

    public static byte[] of(List<Reading> readings, String tsField, String valueField) {
        List<Map<String, Object>> out = new ArrayList<>(readings.size());
        for (Reading r : readings) {
            out.add(fields(r, tsField, valueField));
        }
        return Json.bytes(out);
    }

    /** One reading as a device sends one alone, {@code {"ts": ISO-8601, "value": n}}. */
    public static byte[] one(Reading reading) {
        return Json.bytes(fields(reading, "ts", "value"));
    }

    private static Map<String, Object> fields(Reading r, String tsField, String valueField) {
        Map<String, Object> m = new LinkedHashMap<>(4);
        m.put(tsField, r.timestamp().toString());
        m.put(valueField, r.value());
        return m;
    }
}
