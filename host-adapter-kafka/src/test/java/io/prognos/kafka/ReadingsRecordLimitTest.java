package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadingsRecordLimitTest {

    private static final int REQUEST = 1_048_576;

    @Test
    void theConfiguredLimitHoldsWhereTheTopicAndTheProducerTakeMore() {
        assertEquals(65_536, ReadingsRecordLimit.limit(65_536, 1_048_588, REQUEST));
        assertEquals(65_536, ReadingsRecordLimit.limit(65_536, null, REQUEST), "the topic's limit not known");
    }

    @Test
    void aTopicOrAProducerTakingLessLowersItByTheRecordsFraming() {
        assertEquals(8_192 - ReadingsRecordLimit.FRAMING_BYTES, ReadingsRecordLimit.limit(65_536, 8_192, REQUEST));
        assertEquals(
                REQUEST - ReadingsRecordLimit.FRAMING_BYTES,
                ReadingsRecordLimit.limit(4_000_000, null, REQUEST),
                "kafka.max-record-bytes above the producer's max.request.size");
    }
}
