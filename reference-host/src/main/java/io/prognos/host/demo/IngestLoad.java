package io.prognos.host.demo;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.prognos.api.Reading;
import io.prognos.host.core.wire.ReadingsJson;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.ReadingsTable;
import io.prognos.kafka.KafkaAdapter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * An ingest load run against a started host: QoS 1 readings at a fixed rate to its broker, then a
 * count of what its sensor cycle received and what reached {@code sensor_readings}. The publisher
 * keeps at most the broker's receive maximum in flight, so a broker that slows down slows it too
 * (back-pressure) and the rate it reports is the one the broker accepted.
 */
public final class IngestLoad {

    /** What one run published, what arrived, and how long it took. */
    public record Result(
            long published,
            long acknowledged,
            long received,
            long stored,
            long brokerDropped,
            double publishSeconds,
            double drainSeconds,
            LatencyProbe.Result latency,
            Map<String, Object> kafka) {

        /** Acknowledged by the broker but not received and stored when the run ended. */
        public long missing() {
            return acknowledged - Math.min(received, stored);
        }

        /** Readings per second from the first publish until the last one was stored. */
        public double sustainedRate() {
            return Math.min(received, stored) / (publishSeconds + drainSeconds);
        }

        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("published", published);
            m.put("acknowledged", acknowledged);
            m.put("received", received);
            m.put("stored", stored);
            m.put("missing", missing());
            m.put("broker_dropped", brokerDropped);
            m.put("offered_rate", Math.round(published / publishSeconds));
            m.put("sustained_rate", Math.round(sustainedRate()));
            m.put("publish_seconds", Math.round(publishSeconds * 10) / 10.0);
            m.put("drain_seconds", Math.round(drainSeconds * 10) / 10.0);
            if (latency != null) {
                m.putAll(latency.figures());
            }
            m.putAll(kafka);
            return m;
        }
    }

    private final HostRuntime host;

    public IngestLoad(HostRuntime host) {
        this.host = host;
    }

    /**
     * Publishes {@code total} readings at {@code rate} per second, spread round-robin over {@code
     * sensors} sensors one minute apart, and waits up to {@code drainLimit} for them to arrive.
     */
    public Result run(int rate, int total, int sensors, Duration drainLimit)
            throws MqttException, InterruptedException {
        return run(rate, total, sensors, drainLimit, null);
    }

    /**
     * As {@link #run(int, int, int, Duration)}, with the {@code probe} (prepared) measuring
     * reading-to-forecast latency once a second while the load is published.
     */
    public Result run(int rate, int total, int sensors, Duration drainLimit, LatencyProbe probe)
            throws MqttException, InterruptedException {
        long receivedBefore = received();
        long storedBefore = stored();
        long droppedBefore = host.broker() == null ? 0 : host.broker().messagesDropped();
        AtomicBoolean publishing = new AtomicBoolean(true);
        CompletableFuture<LatencyProbe.Result> latency = probe == null
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> {
                    try {
                        return probe.run(Duration.ofSeconds(1), publishing::get);
                    } catch (MqttException e) {
                        throw new IllegalStateException("latency probe: " + e.getMessage(), e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("latency probe interrupted", e);
                    }
                });
        long start = System.nanoTime();
        long acknowledged;
        try {
            acknowledged = publish(rate, total, sensors);
        } finally {
            publishing.set(false);
        }
        long published = System.nanoTime();
        LatencyProbe.Result probed = latency.join();
        // The probe's own readings pass the same counters: the load's are the rest.
        long probeReadings = probed == null ? 0 : probed.probes();
        long deadline = published + drainLimit.toNanos();
        long received = 0;
        long stored = 0;
        while (System.nanoTime() < deadline) {
            received = received() - receivedBefore - probeReadings;
            stored = stored() - storedBefore - probeReadings;
            if (received >= acknowledged && stored >= acknowledged) {
                break;
            }
            Thread.sleep(100);
        }
        long drained = System.nanoTime();
        long dropped = host.broker() == null ? 0 : host.broker().messagesDropped() - droppedBefore;
        return new Result(
                total,
                acknowledged,
                received,
                stored,
                dropped,
                (published - start) / 1e9,
                (drained - published) / 1e9,
                probed,
                kafkaFigures(host.metrics()));
    }

    /**
     * On a Kafka host, what its commits cost: the tasks' waits for the results to be stored before
     * each commit, and Kafka Streams' own commit latency (the largest over the stream threads); none
     * elsewhere. A stream thread that commits processes nothing meanwhile.
     */
    static Map<String, Object> kafkaFigures(MeterRegistry registry) {
        Map<String, Object> m = new LinkedHashMap<>();
        Timer wait = registry.find(KafkaAdapter.COMMIT_WAIT_METER).timer();
        if (wait == null) {
            return m;
        }
        m.put("kafka_commit_waits", wait.count());
        m.put("kafka_commit_wait_mean_ms", round(wait.mean(TimeUnit.MILLISECONDS)));
        m.put("kafka_commit_wait_max_ms", round(wait.max(TimeUnit.MILLISECONDS)));
        m.put("kafka_commit_latency_avg_ms", round(largest(registry, "kafka.stream.thread.commit.latency.avg")));
        m.put("kafka_commit_latency_max_ms", round(largest(registry, "kafka.stream.thread.commit.latency.max")));
        return m;
    }

    private static double largest(MeterRegistry registry, String gauge) {
        return registry.find(gauge).gauges().stream()
                .mapToDouble(Gauge::value)
                .filter(Double::isFinite)
                .max()
                .orElse(Double.NaN);
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }

    private long publish(int rate, int total, int sensors) throws MqttException, InterruptedException {
        MqttAsyncClient client = new MqttAsyncClient(
                host.maskedConfig().get("mqtt.url"), "prognos-load-" + System.nanoTime(), new MemoryPersistence());
        try {
            MqttConnectionOptions options = new MqttConnectionOptions();
            if (host.broker() != null) {
                host.broker().asDevice(options);
            }
            IMqttToken connected = client.connect(options);
            connected.waitForCompletion(10_000);
            Integer receiveMaximum = connected.getResponseProperties() == null
                    ? null
                    : connected.getResponseProperties().getReceiveMaximum();
            int window = receiveMaximum == null ? 65_535 : receiveMaximum;
            Semaphore inFlight = new Semaphore(window);
            AtomicInteger acked = new AtomicInteger();
            MqttActionListener listener = new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    acked.incrementAndGet();
                    inFlight.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    inFlight.release();
                }
            };
            String prefix = host.mqtt().topicPrefix();
            long start = System.nanoTime();
            long firstTs = System.currentTimeMillis() - Duration.ofDays(400).toMillis();
            for (int i = 0; i < total; i++) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int sensor = i % sensors;
                long step = i / sensors;
                byte[] payload = ReadingsJson.one(
                        new Reading(Instant.ofEpochMilli(firstTs + step * 60_000), 50 + 5 * Math.sin(step / 10.0)));
                MqttMessage message = new MqttMessage(payload);
                message.setQos(1);
                inFlight.acquire();
                client.publish(prefix + "/readings/load-" + sensor / 10 + "/s" + sensor % 10, message, null, listener);
            }
            inFlight.acquire(window);
            client.disconnect().waitForCompletion(10_000);
            return acked.get();
        } finally {
            client.close(true);
        }
    }

    private long received() {
        var counter = host.metrics().find("prognos.readings.received").counter();
        return counter == null ? 0 : (long) counter.count();
    }

    private long stored() {
        return new ReadingsTable(host.jdbc().dataSource()).total();
    }
}
