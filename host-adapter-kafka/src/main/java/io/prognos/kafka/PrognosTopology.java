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
 * readings -> sensor cycle (with its two stores) -> forecasts, risk, alerts, anomaly, errors; device
 * readings -> one readings record per sensor -> readings (and errors). Keys are read as text and
 * values as bytes, so no record can fail deserialisation: every refusal is a processor's, with a
 * reason on the errors topic.
 */
final class PrognosTopology {

    static final String SOURCE = "readings";
    static final String DEVICE_SOURCE = "device-readings";
    static final String SPLITTER = "device-splitter";
    static final String SPLIT = "split-readings";
    static final String SPLIT_ERRORS = "split-errors";
    static final String CYCLE = "sensor-cycle";
    static final String FORECASTS = "forecasts";
    static final String RISK = "risk";
    static final String ALERTS = "alerts";
    static final String ANOMALY = "anomaly";
    static final String ERRORS = "errors";

    private PrognosTopology() {}

    static Topology build(
            KafkaSettings s,
            ProcessorSupplier<String, byte[], String, byte[]> cycle,
            ProcessorSupplier<String, byte[], String, byte[]> splitter) {
        Topology t = new Topology();
        t.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), s.readingsTopic());
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
        sink(t, FORECASTS, s.forecastsTopic());
        sink(t, RISK, s.riskTopic());
        sink(t, ALERTS, s.alertsTopic());
        sink(t, ANOMALY, s.anomalyTopic());
        sink(t, ERRORS, s.errorsTopic());
        if (s.deviceReadingsTopic() != null) {
            // A subtopology of its own (it shares no node with the cycle's): device records become
            // readings records, which the cycle then reads from the readings topic like any other.
            t.addSource(DEVICE_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), s.deviceReadingsTopic());
            t.addProcessor(SPLITTER, splitter, DEVICE_SOURCE);
            t.addSink(SPLIT, s.readingsTopic(), new StringSerializer(), new ByteArraySerializer(), SPLITTER);
            t.addSink(SPLIT_ERRORS, s.errorsTopic(), new StringSerializer(), new ByteArraySerializer(), SPLITTER);
        }
        return t;
    }

    private static void sink(Topology t, String name, String topic) {
        t.addSink(name, topic, new StringSerializer(), new ByteArraySerializer(), CYCLE);
    }
}
