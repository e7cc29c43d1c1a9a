package io.prognos.kafka;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.prognos.api.BadRequestException;
import io.prognos.api.RiskLevel;
import io.prognos.host.core.CloseNote;
import io.prognos.host.core.wire.BadPayloadException;
import io.prognos.host.core.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A sensor's alert closed by a request, on the readings topic under the sensor's key: the task that
 * owns the key ends the episode its store holds (it would otherwise go on with it, raising nothing
 * while the level stands) and publishes the close on the alerts topic, in its transaction. Told apart
 * from readings by its header, which a plant's producers of readings do not set; its value names
 * the close, the level the alert was open at and the request's note, when it gave one: {@code
 * {"alert_id": "...", "level": "high", "note": "bearing replaced"}} (a record without a note, as
 * written before notes, is a close without one).
 */
final class AlertCloseRecord {

    /** The header that makes a readings-topic record a close; its value is {@code 1}. */
    static final String HEADER = "prognos-close-alert";

    /**
     * The record's value. Without a note, the key is left out: a task of the release before notes
     * (a rolling upgrade) refuses a key it does not know, {@code null} or not, and reads such a
     * close as it did; one with a note it refuses to its errors topic.
     */
    record Close(
            String alertId,
            String level,
            @JsonInclude(JsonInclude.Include.NON_NULL) String note) {}

    private AlertCloseRecord() {}

    static ProducerRecord<String, byte[]> of(String topic, String key, String alertId, RiskLevel level, String note) {
        ProducerRecord<String, byte[]> r =
                new ProducerRecord<>(topic, key, Json.bytes(new Close(alertId, level.wireName(), note)));
        r.headers().add(HEADER, "1".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    static boolean isClose(Headers headers) {
        return headers.lastHeader(HEADER) != null;
    }

    /** Whether {@code wire} names a level an alert is open at. */
    private static boolean openLevel(String wire) {
        for (RiskLevel l : RiskLevel.values()) {
            if (l.atLeast(RiskLevel.MEDIUM) && l.wireName().equals(wire)) {
                return true;
            }
        }
        return false;
    }

    /** The close a record carries. */
    static Close parse(byte[] value) throws BadPayloadException {
        Close c;
        try {
            c = value == null ? null : Json.mapper().readValue(value, Close.class);
        } catch (IOException e) {
            throw new BadPayloadException(
                    "malformed_json",
                    "an alert close record's value is not {\"alert_id\", \"level\", \"note\"}: " + e.getMessage());
        }
        if (c == null || c.alertId() == null || c.alertId().isBlank() || !openLevel(c.level())) {
            throw new BadPayloadException(
                    "malformed_json",
                    "an alert close record needs its alert_id and the level it was open at (medium, high or"
                            + " critical), got " + c);
        }
        try {
            CloseNote.check(c.note());
        } catch (BadRequestException e) {
            throw new BadPayloadException("malformed_json", "an alert close record's " + e.getMessage());
        }
        return c;
    }
}
