package io.prognos.kafka;

import java.time.Instant;

/**
 * A record that could not be used, on the errors topic: why (the same reason codes as the MQTT
 * adapter's), the details, and where it was, so that it can be found and replayed.
 */
public record RejectedRecord(
        String reason, String message, String key, String topic, int partition, long offset, Instant receivedAt) {}
