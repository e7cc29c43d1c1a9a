package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.Reading;
import io.prognos.host.core.wire.ReadingParser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadingsPayloadTest {

    @Test
    void readingsTooManyForOneRecordAreWrittenAsSeveralThatTheReadingsTopicTakes() throws Exception {
        KafkaSettings s = KafkaSettings.from(Map.of());
        List<Reading> readings = new ArrayList<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 40; i++) {
            readings.add(new Reading(t0.plus(Duration.ofMinutes(i)), 20 + i / 7.0));
        }
        List<byte[]> records = new ReadingsPayload(s, 300).records(readings);
        assertTrue(records.size() > 1, "40 readings do not fit in 300 bytes");
        ReadingParser parser = s.readingParser(Clock.systemUTC());
        List<Reading> back = new ArrayList<>();
        for (byte[] r : records) {
            assertTrue(r.length <= 300, r.length + " bytes");
            ReadingParser.Parsed p = parser.parse(r);
            assertEquals(List.of(), p.refused());
            back.addAll(p.readings());
        }
        assertEquals(readings, back, "every reading, in order, as it was");
    }
}
