package io.prognos.kafka;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest payload of a readings record Prognos writes to the readings topic itself (readings
 * handed over MQTT or REST, a device's record split by sensor): {@code kafka.max-record-bytes}, or
 * less when the topic ({@code max.message.bytes}) or the producer ({@code max.request.size}) takes
 * less. Sized to it before sending, since a record refused as too large was refused again at every
 * try: MQTT's messages waited unacknowledged and REST answered 503 for as long as the host ran.
 */
final class ReadingsRecordLimit {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingsRecordLimit.class);

    /**
     * What a record holds besides its payload, at most: the key (a device id and a sensor key of up
     * to 256 characters each, 4 bytes each in UTF-8, and the separator), the record's framing (about
     * 20 bytes of lengths and offsets) and its batch's header (61 bytes), rounded up.
     */
    static final int FRAMING_BYTES = 2_304;

    private ReadingsRecordLimit() {}

    /** Asks the broker for the readings topic's limit; when it does not answer, {@code kafka.max-record-bytes}. */
    static int of(Admin admin, KafkaSettings s, Properties producerProps) {
        int configured = s.maxRecordBytes();
        int request = intOf(producerProps.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 1_048_576);
        Integer topic = topicLimit(admin, s.readingsTopic());
        int limit = limit(configured, topic, request);
        if (limit < configured) {
            LOG.warn(
                    "Kafka's {} takes records of at most {} bytes (max.message.bytes) and this host's producer {}"
                            + " (max.request.size): readings this host writes there go in records of at most {} bytes,"
                            + " below kafka.max-record-bytes={}",
                    s.readingsTopic(),
                    topic == null ? "(not known)" : topic,
                    request,
                    limit,
                    configured);
        }
        return limit;
    }

    /**
     * Keeps the producers' batches (Kafka Streams' and the readings writer's) within {@code limit}
     * when their {@code batch.size} is larger: a producer whose batch the topic refused as too large
     * split it into batches of {@code batch.size} again and again (with the topic at 8,192 bytes and
     * the default batch of 16,384, thousands of "splitting and retrying" warnings in a second, then
     * a {@code StackOverflowError} in the chained futures, answered to REST as a 500).
     */
    static void capBatches(Map<? super String, Object> props, int limit) {
        int batch = intOf(props.get(ProducerConfig.BATCH_SIZE_CONFIG), 16_384);
        if (batch > limit) {
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, limit);
        }
    }

    /** {@code configured}, or the topic's or the request's limit less the framing when smaller (the topic's null when unknown). */
    static int limit(int configured, Integer topicMaxMessageBytes, int maxRequestSize) {
        int limit = Math.min(configured, maxRequestSize - FRAMING_BYTES);
        if (topicMaxMessageBytes != null) {
            limit = Math.min(limit, topicMaxMessageBytes - FRAMING_BYTES);
        }
        // A reading is at most about 60 bytes: below a few of them the topic is misconfigured, and
        // a record of one reading is still tried (refused then, it is told by the writer's error).
        return Math.max(limit, 256);
    }

    private static Integer topicLimit(Admin admin, String topic) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS);
            ConfigEntry e = configs.get(r).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return e == null || e.value() == null ? null : Integer.valueOf(e.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // Not allowed to describe it (an ACL), say: the writer then learns of a refusal when it happens.
            LOG.warn(
                    "could not read the record limit of Kafka's {} ({}): readings this host writes there go in"
                            + " records of at most kafka.max-record-bytes",
                    topic,
                    e instanceof ExecutionException ? e.getCause().toString() : e.toString());
            return null;
        }
    }

    private static int intOf(Object value, int absent) {
        if (value == null) {
            return absent;
        }
        try {
            return value instanceof Number n
                    ? n.intValue()
                    : Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            return absent; // the producer refuses it at its start, naming the property
        }
    }
}
