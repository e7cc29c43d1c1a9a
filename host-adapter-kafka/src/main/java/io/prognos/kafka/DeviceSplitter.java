package io.prognos.kafka;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.BadPayloadException;
import io.prognos.host.core.wire.ReadingParser;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A device's record of several sensors, split into one readings record per sensor, keyed {@code
 * device/sensor}, on the readings topic: a sensor's readings then meet in one task, its state and
 * model work in one place, whichever topic they came by (the device's key hashes to another
 * partition than the sensor's). A bad value or sensor key is refused alone to the errors topic,
 * naming its key; the record's others are kept.
 */
final class DeviceSplitter implements Processor<String, byte[], String, byte[]> {

    private final ReadingsPayload payload;
    private final SensorKeys keys;
    private final ReadingParser parser;
    private final Rejections rejections;
    private ProcessorContext<String, byte[]> context;

    DeviceSplitter(KafkaSettings settings, ReadingsPayload payload, KafkaMeters meters, Clock clock) {
        this.payload = payload;
        this.keys = new SensorKeys(settings.keySeparator());
        this.parser = settings.readingParser(clock);
        this.rejections = new Rejections(meters, clock);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        ReadingParser.BySensor parsed;
        try {
            String device = keys.device(record.key());
            parsed = parser.parseDevice(ReadingsProcessor.value(record)).bySensor(device, "bad_key");
        } catch (BadPayloadException e) {
            rejections.reject(context, record, e.reason(), e.getMessage(), PrognosTopology.SPLIT_ERRORS);
            return;
        }
        Map<SensorId, List<Reading>> out = parsed.readings();
        rejections.reject(
                context,
                record,
                parsed.refused(),
                out.isEmpty() ? "" : " (the record's other readings were kept)",
                PrognosTopology.SPLIT_ERRORS);
        for (Map.Entry<SensorId, List<Reading>> e : out.entrySet()) {
            for (byte[] value : payload.records(e.getValue())) {
                context.forward(
                        new Record<>(keys.format(e.getKey()), value, record.timestamp()), PrognosTopology.SPLIT);
            }
        }
    }
}
