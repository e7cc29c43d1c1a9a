package io.prognos.kafka;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * readings and device readings -> sensor cycle (with its two stores) -> forecasts, risk, alerts,
 * anomaly, errors. Keys are read as text and values as bytes, so no record can fail
 * deserialisation: every refusal is the processor's, with a reason on the errors topic.
 */
final class PrognosTopology {

    static final String SOURCE = "readings";
    static final String CYCLE = "sensor-cycle";
    static final String FORECASTS = "forecasts";
    static final String RISK = "risk";
    static final String ALERTS = "alerts";
    static final String ANOMALY = "anomaly";
    static final String ERRORS = "errors";

    private PrognosTopology() {}

    /**
     * {@code beforeCommit} runs before each commit of a task (see {@link CommitBarrier}): the
     * sensor cycle's listeners make durable what the committed readings told them.
     */
    static Topology build(
            KafkaSettings s, ProcessorSupplier<String, byte[], String, byte[]> cycle, Runnable beforeCommit) {
        Topology t = new Topology();
        String[] topics = s.deviceReadingsTopic() == null
                ? new String[] {s.readingsTopic()}
                : new String[] {s.readingsTopic(), s.deviceReadingsTopic()};
        t.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics);
        t.addProcessor(CYCLE, cycle, SOURCE);
        // Caching: a sensor's context is written with every reading but reaches the changelog once
        // per commit, the newest version only.
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(SensorStates.CONTEXTS),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withCachingEnabled(),
                CYCLE);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(SensorStates.READINGS),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withCachingEnabled(),
                CYCLE);
        t.addStateStore(CommitBarrier.builder(beforeCommit), CYCLE);
        sink(t, FORECASTS, s.forecastsTopic());
        sink(t, RISK, s.riskTopic());
        sink(t, ALERTS, s.alertsTopic());
        sink(t, ANOMALY, s.anomalyTopic());
        sink(t, ERRORS, s.errorsTopic());
        return t;
    }

    private static void sink(Topology t, String name, String topic) {
        t.addSink(name, topic, new StringSerializer(), new ByteArraySerializer(), CYCLE);
    }
}
