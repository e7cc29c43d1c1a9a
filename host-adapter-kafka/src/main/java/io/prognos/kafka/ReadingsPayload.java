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

    private final KafkaSettings settings;
    private volatile int maxBytes;

    /** Records of at most {@code maxBytes} ({@link ReadingsRecordLimit}). */
    ReadingsPayload(KafkaSettings settings, int maxBytes) {
        this.settings = settings;
        this.maxBytes = maxBytes;
    }

    /** The largest record written. */
    int maxBytes() {
        return maxBytes;
    }

    /** Records of at most {@code limit} from now on, when that is smaller (the topic's limit was lowered). */
    void lowerTo(int limit) {
        if (limit < maxBytes) {
            maxBytes = limit;
        }
    }

    /**
     * The readings as records of at most {@link #maxBytes} each, in order, so that none is refused
     * as oversized where it is read or written (a device's record written with epoch times may
     * grow with ISO ones; a REST body may hold 1 MB): halved until each fits, one reading at the
     * least.
     */
    List<byte[]> records(List<Reading> readings) {
        List<byte[]> out = new ArrayList<>();
        add(readings, out);
        return out;
    }

    private void add(List<Reading> readings, List<byte[]> out) {
        byte[] whole = ReadingsJson.of(readings, settings.tsField(), settings.valueField());
        if (whole.length <= maxBytes() || readings.size() == 1) {
            out.add(whole);
            return;
        }
        int half = readings.size() / 2;
        add(readings.subList(0, half), out);
        add(readings.subList(half, readings.size()), out);
    }
}
