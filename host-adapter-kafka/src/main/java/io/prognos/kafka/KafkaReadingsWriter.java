package io.prognos.kafka;

import io.prognos.api.BadRequestException;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.host.core.ReadingsForwarder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readings a host was handed outside Kafka (over MQTT or REST) written to the readings topic, keyed {@code
 * device/sensor}: on a host that shares its sensors over Kafka they must reach the task that owns
 * the sensor (on this host or another), not this host's own cycle, where they would make a second
 * state of the sensor.
 */
public final class KafkaReadingsWriter implements ReadingsForwarder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaReadingsWriter.class);

    /** How long a write waits for the broker's acknowledgement (and for its metadata, when it has none). */
    static final Duration ACK_WAIT = Duration.ofSeconds(5);

    private final KafkaSettings settings;
    private final ReadingsPayload payload;
    private final SensorKeys keys;
    private final Map<String, Object> producerConfig;
    /** The readings topic's record limit as the broker says now ({@link ReadingsRecordLimit}). */
    private final IntSupplier limitNow;
    /** Sends hold it shared; a producer replaced for a lowered limit, alone. */
    private final ReadWriteLock producerLock = new ReentrantReadWriteLock();

    private volatile KafkaProducer<String, byte[]> producer;

    KafkaReadingsWriter(
            KafkaSettings settings, ReadingsPayload payload, Properties streamsProps, IntSupplier limitNow) {
        this.settings = settings;
        this.payload = payload;
        this.limitNow = limitNow;
        this.keys = new SensorKeys(settings.keySeparator());
        Map<String, Object> p = new LinkedHashMap<>();
        streamsProps.forEach((k, v) -> p.put((String) k, v));
        p.keySet().retainAll(ProducerConfig.configNames());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ACK_WAIT.toMillis());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.applicationId() + "-readings-writer");
        this.producerConfig = p;
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** The topic readings are written to. */
    @Override
    public String destination() {
        return settings.readingsTopic();
    }

    /**
     * A device id that a record key cannot carry (it holds the key separator, so the key would
     * split elsewhere) is refused before anything is written.
     *
     * @throws BadRequestException naming {@code device_id}
     */
    @Override
    public void checkDevice(String deviceId) {
        if (deviceId.contains(settings.keySeparator())) {
            throw new BadRequestException(
                    "device_id",
                    "device id '" + deviceId + "' holds '" + settings.keySeparator() + "', the Kafka record keys'"
                            + " separator (kafka.key-separator): its readings' key device" + settings.keySeparator()
                            + "sensor would name another device");
        }
    }

    /**
     * Each sensor's readings as one record (several when they would exceed {@code
     * kafka.max-record-bytes}), all acknowledged by the broker (acks=all) before this
     * returns. A record refused as too large, the topic's limit lowered since the host started, is
     * followed: the limit is asked again, and the readings are sent once more in records within it.
     *
     * @throws RetryLaterException when the broker did not acknowledge them all within {@link
     *     #ACK_WAIT}: the caller sends them again (a reading already used is not used twice)
     */
    @Override
    public void forward(Map<SensorId, List<Reading>> bySensor) {
        bySensor.keySet().forEach(s -> checkDevice(s.deviceId()));
        int sizedTo = payload.maxBytes();
        try {
            send(bySensor);
        } catch (RecordTooLargeException refused) {
            if (!followLoweredLimit(sizedTo)) {
                throw notTaken(
                        "refused a record of at most " + sizedTo + " bytes as too large, and the topic's"
                                + " max.message.bytes, asked again, is no lower (or could not be read: see the"
                                + " warning)",
                        refused);
            }
            try {
                send(bySensor);
            } catch (RecordTooLargeException again) {
                throw notTaken(
                        "refused a record of at most " + payload.maxBytes() + " bytes as too large again", again);
            }
        }
    }

    /**
     * Asks the broker for the topic's limit again after a refusal of records sized to {@code
     * sizedTo}; when it is lower now, records are sized to it from now on (a device's record split by
     * the stream too) and the producer, whose batches must not exceed it either, is replaced.
     * Returns whether records are now smaller than those refused. Before, the writer kept the limit
     * read at start and a refused record was refused at every try until a restart (MQTT's messages
     * waiting, REST answering 503).
     */
    private boolean followLoweredLimit(int sizedTo) {
        producerLock.writeLock().lock();
        try {
            if (payload.maxBytes() < sizedTo) {
                return true; // another sender followed it meanwhile
            }
            int now = limitNow.getAsInt();
            if (now >= sizedTo) {
                return false;
            }
            payload.lowerTo(now);
            Map<String, Object> p = new LinkedHashMap<>(producerConfig);
            ReadingsRecordLimit.capBatches(p, now);
            KafkaProducer<String, byte[]> old = producer;
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            old.close(ACK_WAIT);
            LOG.warn(
                    "Kafka's {} refused a record of {} bytes or less: its limit was lowered since this host"
                            + " started; readings written there go in records of at most {} bytes from now on (the"
                            + " stream's own producer keeps its batch size until a restart)",
                    settings.readingsTopic(),
                    sizedTo,
                    now);
            return true;
        } finally {
            producerLock.writeLock().unlock();
        }
    }

    /**
     * A sensor's alert closed by a request, for the task that serves the sensor to end the episode it
     * holds and publish the close on the alerts topic ({@link AlertCloseRecord}): a record of its
     * own among the sensor's readings, in their order, with the request's note (null when none),
     * acknowledged by the broker before this returns.
     *
     * @throws RetryLaterException when the broker did not acknowledge it within {@link #ACK_WAIT}
     */
    public void closeAlert(SensorId sensor, String alertId, RiskLevel level, String note) {
        checkDevice(sensor.deviceId());
        send(List.of(AlertCloseRecord.of(settings.readingsTopic(), keys.format(sensor), alertId, level, note)));
    }

    /** Sends and waits for every acknowledgement; a record refused as too large is thrown as such. */
    private void send(Map<SensorId, List<Reading>> bySensor) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(bySensor.size());
        for (Map.Entry<SensorId, List<Reading>> e : bySensor.entrySet()) {
            for (byte[] value : payload.records(e.getValue())) {
                records.add(new ProducerRecord<>(settings.readingsTopic(), keys.format(e.getKey()), value));
            }
        }
        send(records);
    }

    private void send(List<ProducerRecord<String, byte[]>> records) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        long deadline = System.nanoTime() + ACK_WAIT.toNanos();
        producerLock.readLock().lock();
        try {
            for (ProducerRecord<String, byte[]> r : records) {
                sent.add(producer.send(r));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notTaken("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException tooLarge) {
                throw tooLarge;
            }
            throw notTaken(e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            throw notTaken("no acknowledgement within " + ACK_WAIT.toSeconds() + " s", e);
        } catch (RecordTooLargeException e) {
            throw e; // a record above max.request.size, refused before sending
        } catch (KafkaException e) {
            throw notTaken(e.toString(), e);
        } finally {
            producerLock.readLock().unlock();
        }
    }

    private RetryLaterException notTaken(String why, Throwable cause) {
        return new RetryLaterException(
                RetryLaterException.Reason.STORE_UNAVAILABLE,
                "not yet written to Kafka's " + settings.readingsTopic() + ": " + why,
                Duration.ofSeconds(1),
                cause);
    }

    @Override
    public void close() {
        producer.close(ACK_WAIT);
    }
}
