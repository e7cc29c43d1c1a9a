package io.prognos.kafka;

import io.prognos.host.core.wire.Json;
import java.time.Clock;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** A record refused to the errors topic, with its reason and where it was, and counted by reason. */
final class Rejections {

    private final KafkaMeters meters;
    private final Clock clock;

    Rejections(KafkaMeters meters, Clock clock) {
        this.meters = meters;
        this.clock = clock;
    }

    /** {@code sink}: the processor's own sink of the errors topic. */
    void reject(
            ProcessorContext<String, byte[]> context,
            Record<String, byte[]> record,
            String reason,
            String message,
            String sink) {
        meters.rejected(reason);
        RecordMetadata where = context.recordMetadata().orElse(null);
        RejectedRecord r = new RejectedRecord(
                reason,
                message,
                record.key(),
                where == null ? null : where.topic(),
                where == null ? -1 : where.partition(),
                where == null ? -1 : where.offset(),
                Instant.now(clock));
        context.forward(new Record<>(record.key(), Json.bytes(r), record.timestamp()), sink);
    }
}
