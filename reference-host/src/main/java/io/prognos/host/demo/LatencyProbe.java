package io.prognos.host.demo;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.ReadingsJson;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.ReadingsTable;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Reading-to-forecast latency as a plant sees it, while a load runs: a trained probe sensor gets
 * one reading at a time over MQTT and its forecast is awaited on the broker as a subscriber gets
 * it. A forecast belongs to the probe reading sent before it when it was issued after that send
 * (only the probe sends readings for its sensor, and it waits for each answer).
 */
public final class LatencyProbe {

    static final SensorId PROBE = SensorId.of("latency-probe", "value");
    /**
     * Probe readings are hourly after a history that ends this long ago: all in the past, and the
     * history within {@code prognos.forecast-lookback} (7 days by default) so that the probe's
     * context is warmed from it.
     */
    private static final Duration HISTORY_ENDS = Duration.ofDays(5);

    private static final int MAX_PROBES = (int) HISTORY_ENDS.toHours() - 1;

    /** How many readings were sent, how many forecasts came back in time, and the latencies. */
    public record Result(int probes, int answered, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("latency_probes", probes);
            m.put("latency_answered", answered);
            m.put("latency_p50_ms", round(p50Ms));
            m.put("latency_p90_ms", round(p90Ms));
            m.put("latency_p99_ms", round(p99Ms));
            m.put("latency_max_ms", round(maxMs));
            return m;
        }

        private static double round(double v) {
            return Math.round(v * 10) / 10.0;
        }
    }

    private final HostRuntime host;
    private final Instant historyEnd;

    public LatencyProbe(HostRuntime host) {
        this.host = host;
        this.historyEnd = Instant.now().minus(HISTORY_ENDS).truncatedTo(ChronoUnit.HOURS);
    }

    /** Stores 300 hourly readings of a daily cycle ending {@link #HISTORY_ENDS} ago and trains the probe on them. */
    public void prepare() throws MqttException, InterruptedException {
        List<Reading> history = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            history.add(new Reading(historyEnd.minus(Duration.ofHours(299 - i)), value(i)));
        }
        new ReadingsTable(host.jdbc().dataSource()).append(PROBE, history);
        host.service().train(PROBE, Map.of());
        if (host.kafka() != null) {
            warmKafkaTask(history);
        }
    }

    /**
     * On a Kafka host the probe is served by its partition's task, whose state is built from the
     * stream, not from the database: the history goes the readings' way (one MQTT message), and
     * the probe starts once the task has forecast from it. Before, that task never had the context
     * to forecast, so no probe was answered there and each waited out its 10 s.
     */
    private void warmKafkaTask(List<Reading> history) throws MqttException, InterruptedException {
        BlockingQueue<Long> issued = new LinkedBlockingQueue<>();
        MqttClient client = connected(issued);
        try {
            client.publish(readingsTopic(), ReadingsJson.of(history), 1, false);
            if (issued.poll(60, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException(
                        "latency probe: its Kafka task gave no forecast within 60 s of the probe's history");
            }
        } finally {
            close(client);
        }
    }

    /** A client subscribed to the probe's forecasts, handing each one's issue time to {@code issued}. */
    private MqttClient connected(BlockingQueue<Long> issued) throws MqttException {
        MqttClient client = new MqttClient(
                host.maskedConfig().get("mqtt.url"), "prognos-probe-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        if (host.broker() != null) {
            host.broker().asDevice(o);
        }
        client.setTimeToWait(10_000);
        try {
            client.connect(o);
            client.setCallback(forecasts(issued));
            client.subscribe(host.mqtt().topicPrefix() + "/forecast/" + PROBE.deviceId() + "/" + PROBE.sensorKey(), 0);
            return client;
        } catch (MqttException | RuntimeException e) {
            close(client);
            throw e;
        }
    }

    private String readingsTopic() {
        return host.mqtt().topicPrefix() + "/readings/" + PROBE.deviceId() + "/" + PROBE.sensorKey();
    }

    private static void close(MqttClient client) throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close(true);
    }

    /**
     * Sends a probe reading every {@code period} while {@code running} holds (at most
     * {@value #MAX_PROBES}), each time waiting up to 10 s for its forecast.
     */
    public Result run(Duration period, BooleanSupplier running) throws MqttException, InterruptedException {
        BlockingQueue<Long> issued = new LinkedBlockingQueue<>();
        MqttClient client = connected(issued);
        List<Double> latencies = new ArrayList<>();
        int probes = 0;
        try {
            for (int k = 1; k <= MAX_PROBES && running.getAsBoolean(); k++) {
                long sentWall = System.currentTimeMillis();
                long sent = System.nanoTime();
                Reading probe = new Reading(historyEnd.plus(Duration.ofHours(k)), value(299 + k));
                client.publish(readingsTopic(), ReadingsJson.one(probe), 1, false);
                probes++;
                long deadline = sent + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) {
                    Long at = issued.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (at != null && at >= sentWall - 1) { // an older forecast (retained, or late) is not this one's
                        latencies.add((System.nanoTime() - sent) / 1e6);
                        break;
                    }
                }
                long rest = sent + period.toNanos() - System.nanoTime();
                if (rest > 0) {
                    TimeUnit.NANOSECONDS.sleep(rest);
                }
            }
        } finally {
            close(client);
        }
        Collections.sort(latencies);
        return new Result(
                probes,
                latencies.size(),
                quantile(latencies, 0.5),
                quantile(latencies, 0.9),
                quantile(latencies, 0.99),
                latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1));
    }

    private static double value(int hour) {
        return 40 + 4 * Math.sin(2 * Math.PI * hour / 24);
    }

    /** The nearest-rank quantile of sorted values; NaN for none. */
    static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /**
     * Queues each forecast's issue time (epoch ms) for the probe, which skips those issued before
     * its reading. A hand-off that dropped a forecast when the probe was not polling could lose one
     * that came before the reading's own publish returned: on an MQTT-only host at 1,000
     * readings/s, 1 of 22 probes went unanswered for its 10 s; with the queue, 31 of 31 and 30 of
     * 30 were answered in two runs.
     */
    private static OnMessage forecasts(BlockingQueue<Long> issued) {
        return (topic, m) -> issued.offer(Instant.parse(
                        Json.mapper().readTree(m.getPayload()).get("issued_at").asText())
                .toEpochMilli());
    }
}
