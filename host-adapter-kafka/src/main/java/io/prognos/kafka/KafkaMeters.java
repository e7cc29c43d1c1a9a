package io.prognos.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The adapter's own counters, beside Kafka Streams' metrics (state, lag, rates) bound to the same registry. */
final class KafkaMeters {

    private final MeterRegistry registry;
    private final Counter received;
    private final Counter forecasts;
    private final Timer commitWait;
    private final Counter commitsRefused;

    KafkaMeters(MeterRegistry registry) {
        this.registry = registry;
        this.received = Counter.builder("prognos.kafka.records.received")
                .description(
                        "reading records taken from the readings topic (a device's record once per sensor it held)")
                .register(registry);
        this.forecasts = Counter.builder("prognos.kafka.forecasts")
                .description("forecasts written to the forecasts topic")
                .register(registry);
        this.commitWait = Timer.builder(KafkaAdapter.COMMIT_WAIT_METER)
                .description("how long a stream thread's commit waited for the results before it to be stored")
                .register(registry);
        this.commitsRefused = Counter.builder(KafkaAdapter.COMMITS_REFUSED_METER)
                .description("commits not made because the results they would acknowledge were not stored")
                .register(registry);
    }

    /** Runs {@code beforeCommit}, timed (a wait that ends in a refusal too). */
    void beforeCommit(Runnable beforeCommit) {
        commitWait.record(beforeCommit);
    }

    /** A commit was refused: the results it would acknowledge were not stored. */
    void commitRefused() {
        commitsRefused.increment();
    }

    void received() {
        received.increment();
    }

    void forecast() {
        forecasts.increment();
    }

    /** {@code count}: 1 for a record, or the readings of a record's array that one report sums up. */
    void rejected(String reason, int count) {
        Counter.builder("prognos.kafka.records.rejected")
                .description("records, or readings of a record's array, refused to the errors topic, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment(count);
    }
}
