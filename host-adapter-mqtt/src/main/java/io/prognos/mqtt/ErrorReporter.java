package io.prognos.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.prognos.host.core.wire.Json;
import io.prognos.host.core.wire.RejectedMessage;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was refused, and why: counted by reason ({@code prognos_mqtt_rejected_total{reason}}),
 * logged at a bounded rate, and published on the errors topic with the original topic so that a
 * plant can find its faulty device. Nothing is dropped silently.
 */
final class ErrorReporter {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

    private final MqttConnection connection;
    private final Topics topics;
    private final MeterRegistry meters;
    private final Clock clock;
    private final long logIntervalNanos;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile long lastLog;

    ErrorReporter(MqttConnection connection, Topics topics, MeterRegistry meters, Clock clock, long logIntervalNanos) {
        this.connection = connection;
        this.topics = topics;
        this.meters = meters;
        this.clock = clock;
        this.logIntervalNanos = logIntervalNanos;
    }

    void rejected(String topic, String reason, String message) {
        rejected(topic, reason, message, 1);
    }

    /** A report that stands for {@code readings} refused readings (an array's rest, summed up), each counted. */
    void rejected(String topic, String reason, String message, int readings) {
        Counter c = counters.computeIfAbsent(
                reason,
                r -> Counter.builder("prognos.mqtt.rejected")
                        .description("MQTT messages or readings refused, by reason")
                        .tag("reason", r)
                        .register(meters));
        c.increment(readings);
        long n = (long) c.count();
        long now = System.nanoTime();
        if (now - lastLog >= logIntervalNanos) {
            lastLog = now;
            LOG.warn("rejected a message on {} ({}: {}); rejected so far: {}", topic, reason, message, counts());
        }
        // QoS 1: at QoS 0 the broker dropped reports to a subscriber during a burst of bad payloads.
        connection.publish(new MqttConnection.Outbound(
                topics.errors(),
                Json.bytes(new RejectedMessage(reason, message, topic, clock.instant(), n)),
                1,
                false,
                null,
                null,
                null));
    }

    Map<String, Long> counts() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, (long) v.count()));
        return m;
    }
}
