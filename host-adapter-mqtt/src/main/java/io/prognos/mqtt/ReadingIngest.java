package io.prognos.mqtt;

import io.micrometer.core.instrument.Counter;
import io.prognos.api.BadRequestException;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.SensorContext;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.SensorFaults;
import io.prognos.host.core.wire.BadPayloadException;
import io.prognos.host.core.wire.ReadingParser;
import io.prognos.host.core.wire.RefusalReports;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readings in: the topic names the sensor, or the device and its payload the sensors; the payload
 * is parsed (every refusal reported with its reason), and the readings go to the sensor cycle on
 * the model-work thread, never on the MQTT client's thread, or, on a host whose sensors are scored
 * elsewhere, to its {@link ReadingsForwarding}.
 */
final class ReadingIngest {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingIngest.class);

    private final Topics topics;
    private final ReadingParser parser;
    private final ErrorReporter errors;
    private final ExecutorService worker;
    private final SensorContexts contexts;
    private final SensorCycle cycle;
    private final Counter received;
    private final Acknowledger acks;
    private final ReadingsForwarding forwarding;
    private final SensorFaults faults = new SensorFaults(LOG);

    /** {@code forwarding}: where the readings go instead of {@code cycle}; null for the cycle. */
    ReadingIngest(
            Topics topics,
            ReadingParser parser,
            ErrorReporter errors,
            ExecutorService worker,
            SensorContexts contexts,
            SensorCycle cycle,
            Counter received,
            Acknowledger acks,
            ReadingsForwarding forwarding) {
        this.topics = topics;
        this.parser = parser;
        this.errors = errors;
        this.worker = worker;
        this.contexts = contexts;
        this.cycle = cycle;
        this.received = received;
        this.acks = acks;
        this.forwarding = forwarding;
    }

    /**
     * A message refused here is acknowledged at once (its reason is on the errors topic: sending it
     * again would not help); readings are acknowledged once their model work is done and they are
     * durable.
     */
    void onMessage(String topic, byte[] payload, Runnable acknowledge) {
        if (!accept(topic, payload, acknowledge)) {
            Acknowledger.acknowledge(acknowledge);
        }
    }

    private boolean accept(String topic, byte[] payload, Runnable acknowledge) {
        Map<SensorId, List<Reading>> bySensor;
        try {
            bySensor = readings(topic, payload);
        } catch (BadPayloadException e) {
            errors.rejected(topic, e.reason(), e.getMessage());
            return false;
        } catch (PrognosException e) {
            errors.rejected(topic, "bad_topic", e.getMessage());
            return false;
        }
        if (bySensor.isEmpty()) {
            return false;
        }
        int count = bySensor.values().stream().mapToInt(List::size).sum();
        if (forwarding != null) {
            return forward(topic, bySensor, count, acknowledge);
        }
        received.increment(count);
        try {
            worker.execute(() -> {
                bySensor.forEach((sensor, readings) -> process(topic, sensor, readings));
                acks.processed(acknowledge);
            });
            return true;
        } catch (RejectedExecutionException e) {
            errors.rejected(topic, "overloaded", "model work queue is full; " + count + " reading(s) refused");
            return false;
        }
    }

    /** Hands a message to the forwarding, which acknowledges it once forwarded; false when refused here. */
    private boolean forward(String topic, Map<SensorId, List<Reading>> bySensor, int count, Runnable acknowledge) {
        try {
            // One message names one device.
            forwarding
                    .forwarder()
                    .checkDevice(bySensor.keySet().iterator().next().deviceId());
        } catch (BadRequestException e) {
            errors.rejected(topic, "bad_topic", e.getMessage());
            return false;
        }
        received.increment(count);
        if (!forwarding.offer(bySensor, acknowledge)) {
            errors.rejected(topic, "overloaded", "forwarding queue is full; " + count + " reading(s) refused");
            return false;
        }
        return true;
    }

    /**
     * The readings of a message by sensor: one sensor's topic, or a device's topic whose payload
     * names its sensors. Each refused reading is reported here; the message's others are kept.
     */
    private Map<SensorId, List<Reading>> readings(String topic, byte[] payload) throws BadPayloadException {
        Topics.ReadingsTopic where = topics.readingsTopic(topic);
        ReadingParser.BySensor parsed = where.sensorKey() != null
                ? parser.parse(where.sensor(), payload)
                : parser.parseDevice(payload).bySensor(where.deviceId(), "bad_topic");
        Map<SensorId, List<Reading>> out = parsed.readings();
        String note = out.isEmpty() ? "" : " (the message's other readings were kept)";
        for (RefusalReports.Report r : RefusalReports.of(parsed.refused(), note)) {
            errors.rejected(topic, r.reason(), r.message(), r.readings());
        }
        return out;
    }

    private void process(String topic, SensorId sensor, List<Reading> readings) {
        try {
            SensorContext ctx = contexts.get(sensor);
            SensorCycle.Outcome o = cycle.accept(ctx, readings);
            faults.handled(sensor);
            if (o.lateMessage() != null) {
                errors.rejected(topic, SensorCycle.Outcome.LATE_READING, o.lateMessage());
            }
        } catch (PrognosException e) {
            errors.rejected(topic, "not_processed", e.getMessage());
        } catch (RuntimeException e) {
            faults.fault(sensor, "model work for {} failed", e);
            errors.rejected(topic, "internal_error", e.toString());
        }
    }

    /** The time cadence: every sensor in memory with readings not yet forecast from. */
    void tick() {
        for (SensorContext ctx : contexts.snapshot()) {
            try {
                worker.execute(() -> {
                    try {
                        cycle.tick(ctx);
                    } catch (RuntimeException e) {
                        faults.fault(ctx.sensor(), "time-cadence forecast of {} failed", e);
                    }
                });
            } catch (RejectedExecutionException e) {
                return; // the queue is full of readings: they forecast anyway
            }
        }
    }
}
