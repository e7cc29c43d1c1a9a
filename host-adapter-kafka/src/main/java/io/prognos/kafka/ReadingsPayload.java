package io.prognos.kafka;

import io.prognos.api.Reading;
import io.prognos.host.core.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sensor's readings as a record of the readings topic carries them, for readings Prognos
 * writes there itself (a device's record split by sensor, readings sent to a host over REST): an
 * array of time and value in the configured field names, which the readings topic's parser reads
 * back as they were.
 */
final class ReadingsPayload {

    private ReadingsPayload() {}

    static byte[] of(KafkaSettings settings, List<Reading> readings) {
        List<Map<String, Object>> out = new ArrayList<>(readings.size());
        for (Reading r : readings) {
            Map<String, Object> m = new LinkedHashMap<>(4);
            m.put(settings.tsField(), r.timestamp().toString());
            m.put(settings.valueField(), r.value());
            out.add(m);
        }
        return Json.bytes(out);
    }
}
