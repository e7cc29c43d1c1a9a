package io.prognos.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.InvalidConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka keys as a user gets them wrong, and the Streams configuration they make. */
class KafkaSettingsTest {

    @TempDir
    Path dir;

    @Test
    void aClientPropertiesFileAddsSecurityButCannotTurnOffExactlyOnce() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nprocessing.guarantee=at_least_once\n"
                        + "application.id=someone-else\n");
        KafkaSettings s = KafkaSettings.from(Map.of(
                "kafka.bootstrap", "broker:9093",
                "kafka.client-properties", file.toString(),
                "kafka.session-timeout", "20s"));
        Properties p = KafkaAdapter.properties(s, dir.resolve("state"));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("PLAIN", p.get("sasl.mechanism"));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("prognos", p.get(StreamsConfig.APPLICATION_ID_CONFIG), "kafka.application-id decides");
        assertEquals(20_000, p.get(StreamsConfig.consumerPrefix("session.timeout.ms")));
        assertEquals(dir.resolve("state").toString(), p.get(StreamsConfig.STATE_DIR_CONFIG));
    }

    @Test
    void badValuesAreRefusedAtStartNamingTheirKey() {
        var missing = assertThrows(
                InvalidConfigurationException.class,
                () -> KafkaAdapter.properties(
                        KafkaSettings.from(Map.of(
                                "kafka.bootstrap",
                                "b:9092",
                                "kafka.client-properties",
                                dir.resolve("nope").toString())),
                        dir));
        assertTrue(missing.getMessage().contains("kafka.client-properties"), missing.getMessage());
        var separator = assertThrows(
                InvalidConfigurationException.class, () -> KafkaSettings.from(Map.of("kafka.key-separator", "")));
        assertTrue(separator.getMessage().contains("kafka.key-separator"), separator.getMessage());
        var partitions = assertThrows(
                InvalidConfigurationException.class, () -> KafkaSettings.from(Map.of("kafka.partitions", "0")));
        assertTrue(partitions.getMessage().contains("kafka.partitions"), partitions.getMessage());
        var sameTopic = assertThrows(
                InvalidConfigurationException.class,
                () -> KafkaSettings.from(Map.of("kafka.device-readings-topic", "prognos.readings")));
        assertTrue(sameTopic.getMessage().contains("kafka.device-readings-topic"), sameTopic.getMessage());
    }

    /**
     * A cluster whose topics only its administrators create: an upgrade would fail at start creating
     * the device topic, so an empty name leaves it out, of the topology too.
     */
    @Test
    void anEmptyDeviceTopicIsNone() {
        KafkaSettings none = KafkaSettings.from(Map.of("kafka.device-readings-topic", " "));
        assertEquals(null, none.deviceReadingsTopic());
        ProcessorSupplier<String, byte[], String, byte[]> noop = () -> new Processor<>() {
            @Override
            public void process(Record<String, byte[]> record) {}
        };
        String without = PrognosTopology.build(none, noop, noop).describe().toString();
        assertTrue(without.contains("Source: readings (topics: [prognos.readings])"), without);
        assertFalse(without.contains("device-readings"), without);
        String with = PrognosTopology.build(KafkaSettings.from(Map.of()), noop, noop)
                .describe()
                .toString();
        assertTrue(with.contains("Source: readings (topics: [prognos.readings])"), with);
        // A device's record is split into readings records, read by the cycle from the readings topic.
        assertTrue(with.contains("Source: device-readings (topics: [prognos.device-readings])"), with);
        assertTrue(with.contains("Sink: split-readings (topic: prognos.readings)"), with);
    }
}
