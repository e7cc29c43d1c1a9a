package io.prognos.kafka;

import io.prognos.api.Reading;
import io.prognos.host.core.wire.ReadingsJson;
import java.util.ArrayList;
import java.util.List;

/**
 * One sensor's readings as a record of the readings topic carries them, for readings Prognos
 * writes there itself (a device's record split by sensor, readings sent to a host over REST): an
 * array of time and value in the configured field names, which the readings topic's parser reads
 * back as they were.
 */
final class ReadingsPayload {

    private ReadingsPayload() {}

    /**
     * The readings as records of at most {@code kafka.max-record-bytes} each, in order, so that
     * none is refused as oversized where it is read (a device's record written with epoch times
     * may grow with ISO ones; a REST body may hold 1 MB): halved until each fits, one reading at
     * the least.
     */
    static List<byte[]> records(KafkaSettings settings, List<Reading> readings) {
        List<byte[]> out = new ArrayList<>();
        add(settings, readings, out);
        return out;
    }

    private static void add(KafkaSettings settings, List<Reading> readings, List<byte[]> out) {
        byte[] whole = of(settings, readings);
        if (whole.length <= settings.maxRecordBytes() || readings.size() == 1) {
            out.add(whole);
            return;
        }
        int half = readings.size() / 2;
        add(settings, readings.subList(0, half), out);
        add(settings, readings.subList(half, readings.size()), out);
    }

    private static byte[] of(KafkaSettings settings, List<Reading> readings) {
        return ReadingsJson.of(readings, settings.tsField(), settings.valueField());
    }
}
