package io.prognos.host.core.wire;

/**
 * One reading as it arrives (MQTT readings topic, Kafka readings topic): {@code ts} is ISO-8601 or
 * epoch milliseconds, missing means "now"; the field names are configurable per adapter.
 */
public record ReadingMessage(Object ts, double value) {}
