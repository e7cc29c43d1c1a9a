package io.prognos.host.core.wire;

import java.time.Instant;

/**
 * A message that could not be used, published on the errors topic: why (a short reason code), the
 * details, where it came from, and how many of that reason were refused so far.
 */
public record RejectedMessage(String reason, String message, String topic, Instant receivedAt, long count) {}
