package io.prognos.kafka;

import io.prognos.host.core.wire.BadPayloadException;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.RefusalReports;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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
        reject(context, record, new RefusalReports.Report(reason, message, 1), sink);
    }

    /** The refused readings of a record's array, as {@link RefusalReports} reports them. */
    void reject(
            ProcessorContext<String, byte[]> context,
            Record<String, byte[]> record,
            List<BadPayloadException> refused,
            String note,
            String sink) {
        for (RefusalReports.Report r : RefusalReports.of(refused, note)) {
            reject(context, record, r, sink);
        }
    }

    private void reject(
            ProcessorContext<String, byte[]> context,
            Record<String, byte[]> record,
            RefusalReports.Report report,
            String sink) {
        String reason = report.reason();
        String message = report.message();
        meters.rejected(reason, report.readings());
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
