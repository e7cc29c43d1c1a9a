package io.prognos.kafka;

import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.ReadingParser;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kafka adapter's keys ({@code kafka.*}), declared once. Topic names follow the MQTT adapter's
 * results: readings in; forecasts, risk (compacted), alerts, anomaly scores and refused records out.
 *
 * @param bootstrap       the cluster; unset: the adapter does not run
 * @param applicationId   hosts with the same id share the readings' partitions and the state
 * @param readingsTopic   where readings arrive, key {@code device<separator>sensor}
 * @param deviceReadingsTopic where a device's readings of several sensors arrive, key {@code device};
 *                        null: none (a cluster whose topics only its administrators create)
 * @param outputPrefix    the result topics are this prefix followed by forecasts, risk, alerts, anomaly, errors
 * @param partitions      partitions of the readings topic when the adapter creates it
 * @param replication     replication of the topics it creates (and of the state changelogs); -1: the broker's default
 * @param streamThreads   Kafka Streams threads of this host
 * @param commitInterval  how often results are committed (with exactly once: made visible)
 * @param sessionTimeout  how long a silent host keeps its partitions before the others take them over
 * @param keySeparator    between device and sensor in a record key
 * @param tsField         JSON field of the timestamp
 * @param valueField      JSON field of the value
 * @param deviceIgnoreKeys keys of a device-readings payload that are not sensors
 * @param maxRecordBytes  larger records are refused to the errors topic
 * @param maxFutureSkew   readings further in the future are refused
 * @param maxAge          readings stamped longer ago are refused
 * @param stateDir        where this host keeps its state stores; unset: a folder in the host's data directory
 * @param clientProperties a Kafka client properties file (TLS, SASL) merged into the Streams configuration
 */
public record KafkaSettings(
        String bootstrap,
        String applicationId,
        String readingsTopic,
        String deviceReadingsTopic,
        String outputPrefix,
        int partitions,
        int replication,
        int streamThreads,
        Duration commitInterval,
        Duration sessionTimeout,
        String keySeparator,
        String tsField,
        String valueField,
        Set<String> deviceIgnoreKeys,
        int maxRecordBytes,
        Duration maxFutureSkew,
        Duration maxAge,
        String stateDir,
        String clientProperties) {

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    "kafka.bootstrap",
                    Type.STRING,
                    null,
                    "Kafka bootstrap servers (HOST:PORT,...); when set the host reads readings from Kafka")
            .define(
                    "kafka.application-id",
                    Type.STRING,
                    "prognos",
                    "Kafka Streams application id: hosts with the same id share the sensors")
            .define("kafka.readings-topic", Type.STRING, "prognos.readings", "topic of readings, key device/sensor")
            .define(
                    "kafka.device-readings-topic",
                    Type.STRING,
                    "prognos.device-readings",
                    "topic of a device's readings of several sensors ({\"ts\": ..., \"values\": {\"temp\": 61.2,"
                            + " \"rpm\": 1480}}), key device; empty: none")
            .define(
                    "kafka.output-prefix",
                    Type.STRING,
                    "prognos.",
                    "prefix of the result topics: forecasts, risk (compacted), alerts, anomaly, errors")
            .define(
                    "kafka.partitions",
                    Type.INT,
                    "12",
                    1,
                    10_000,
                    "partitions of the readings topic when Prognos creates it; the most hosts that share the work")
            .define(
                    "kafka.replication-factor",
                    Type.INT,
                    "-1",
                    -1,
                    32,
                    "replication of the topics Prognos creates and of its state changelogs (-1: the broker's default)")
            .define("kafka.stream-threads", Type.INT, "1", 1, 64, "Kafka Streams threads of this host")
            .define(
                    "kafka.commit-interval",
                    Type.DURATION,
                    "100ms",
                    0.01,
                    600,
                    "how often results are committed; with exactly once, how long before consumers see them")
            .define(
                    "kafka.session-timeout",
                    Type.DURATION,
                    "15s",
                    6,
                    1800,
                    "a host silent this long loses its sensors to the others")
            .define("kafka.key-separator", Type.STRING, "/", "between device and sensor in a record key")
            .define("kafka.ts-field", Type.STRING, "ts", "JSON field of the timestamp")
            .define("kafka.value-field", Type.STRING, "value", "JSON field of the value")
            .define(
                    "kafka.device-ignore-keys",
                    Type.STRING,
                    null,
                    "keys of a device-readings payload that are not sensors, comma-separated (seq,uptime): skipped")
            .define(
                    "kafka.max-record-bytes",
                    Type.INT,
                    "65536",
                    16,
                    16 * 1024 * 1024,
                    "larger records are refused to the errors topic; also the largest record this host writes to the"
                            + " readings topic (less when the topic's max.message.bytes takes less)")
            .define(
                    "kafka.max-future-skew",
                    Type.DURATION,
                    "5m",
                    0,
                    86400,
                    "readings further in the future are refused")
            .define(
                    "kafka.max-age",
                    Type.DURATION,
                    "3650d",
                    86400,
                    36500 * 86400.0,
                    "readings stamped longer ago are refused (bad_timestamp): a device clock that is not set"
                            + " stamps 1970 or 2000")
            .define(
                    "kafka.state-dir",
                    Type.STRING,
                    null,
                    "where this host keeps its state stores (default: kafka-streams in the data directory)")
            .define(
                    "kafka.client-properties",
                    Type.STRING,
                    null,
                    "a Kafka client properties file (security.protocol, sasl.*, ssl.*) merged into the Streams"
                            + " configuration");

    public static KafkaSettings from(Map<String, String> values) {
        ConfigDef.Config c = CONFIG.parse("the Kafka adapter", values);
        String separator = c.getString("kafka.key-separator");
        if (separator == null || separator.isEmpty()) {
            // An empty separator would split every key before its first character: all records refused.
            throw new InvalidConfigurationException(
                    "the Kafka adapter",
                    List.of(new ConfigProblem("kafka.key-separator", "must not be empty; keys are device/sensor")));
        }
        String readings = c.getString("kafka.readings-topic");
        String deviceReadings = c.getString("kafka.device-readings-topic");
        if (deviceReadings != null && deviceReadings.isBlank()) {
            deviceReadings = null; // none: an upgrade on a cluster where Prognos may not create topics
        }
        if (readings.equals(deviceReadings)) {
            // One topic cannot say both how to read its keys: device/sensor or device.
            throw new InvalidConfigurationException(
                    "the Kafka adapter",
                    List.of(new ConfigProblem(
                            "kafka.device-readings-topic",
                            "must differ from kafka.readings-topic (" + readings + ")")));
        }
        return new KafkaSettings(
                c.getString("kafka.bootstrap"),
                c.getString("kafka.application-id"),
                readings,
                deviceReadings,
                c.getString("kafka.output-prefix"),
                c.getInt("kafka.partitions"),
                c.getInt("kafka.replication-factor"),
                c.getInt("kafka.stream-threads"),
                c.getDuration("kafka.commit-interval"),
                c.getDuration("kafka.session-timeout"),
                c.getString("kafka.key-separator"),
                c.getString("kafka.ts-field"),
                c.getString("kafka.value-field"),
                ReadingParser.ignoredKeys(c.getString("kafka.device-ignore-keys")),
                c.getInt("kafka.max-record-bytes"),
                c.getDuration("kafka.max-future-skew"),
                c.getDuration("kafka.max-age"),
                c.getString("kafka.state-dir"),
                c.getString("kafka.client-properties"));
    }

    public boolean enabled() {
        return bootstrap != null && !bootstrap.isBlank();
    }

    public String forecastsTopic() {
        return outputPrefix + "forecasts";
    }

    public String riskTopic() {
        return outputPrefix + "risk";
    }

    public String alertsTopic() {
        return outputPrefix + "alerts";
    }

    public String anomalyTopic() {
        return outputPrefix + "anomaly";
    }

    public String errorsTopic() {
        return outputPrefix + "errors";
    }

    /** How readings records and device-readings records are read (the MQTT adapter's parser, these settings). */
    ReadingParser readingParser(Clock clock) {
        return new ReadingParser(
                Json.mapper(), tsField, valueField, deviceIgnoreKeys, maxRecordBytes, maxFutureSkew, maxAge, clock);
    }
}
