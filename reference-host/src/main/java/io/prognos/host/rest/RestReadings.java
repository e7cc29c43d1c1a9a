package io.prognos.host.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micrometer.core.instrument.Counter;
import io.prognos.api.AnomalyScore;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.ReadingsForwarder;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.SensorFaults;
import io.prognos.host.core.wire.AnomalyMessage;
import io.prognos.host.core.wire.BadPayloadException;
import io.prognos.host.core.wire.ErrorMessage;
import io.prognos.host.core.wire.ReadingParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readings sent over HTTP, for devices and gateways that speak no MQTT: the MQTT topics' payloads
 * (one sensor's, or a device's with several), parsed by the same parser and handed to the same
 * sensor cycle as MQTT readings. The answer comes once what they told the listeners is stored, so
 * that a 200 means nothing is lost when the host is killed after it. On a host that shares its
 * sensors over Kafka they are written to the readings topic instead, and answered once the broker
 * has them.
 */
final class RestReadings {

    private static final Logger LOG = LoggerFactory.getLogger(RestReadings.class);

    /** A reading or a sensor's readings not used, and why, as MQTT and Kafka report them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Refusal(String reason, String error, String sensorKey) {}

    /** {@code POST readings}: what was used, what was not, and the anomaly scores of the intervals they completed. */
    record Taken(
            boolean success,
            int accepted,
            List<Refusal> refused,
            List<AnomalyMessage> anomalies,
            boolean trainingQueued,
            @JsonInclude(JsonInclude.Include.NON_NULL) String forwardedTo) {}

    private final SensorCycle cycle;
    private final SensorContexts contexts;
    private final SensorFaults faults = new SensorFaults(LOG);
    private final ReadingParser parser;
    private final Counter received;
    private final double anomalyThreshold;
    private final ReadingsForwarder forwarder;

    /** {@code forwarder}: on a host whose sensors are scored elsewhere (Kafka), where readings go instead of {@code cycle}; else null. */
    RestReadings(
            SensorCycle cycle,
            SensorContexts contexts,
            ReadingParser parser,
            Counter received,
            double anomalyThreshold,
            ReadingsForwarder forwarder) {
        this.forwarder = forwarder;
        this.cycle = cycle;
        this.contexts = contexts;
        this.parser = parser;
        this.received = received;
        this.anomalyThreshold = anomalyThreshold;
    }

    /**
     * {@code sensorKey} null: the body is a device's payload whose keys are its sensors. Readings
     * refused while others were used are listed in the answer; a request of which nothing could be
     * used is an error (400 naming the first refusal, or the cycle's own error for a single sensor).
     */
    Taken accept(String deviceId, String sensorKey, byte[] body) {
        if (forwarder != null) {
            forwarder.checkDevice(deviceId);
        }
        List<Refusal> refused = new ArrayList<>();
        Map<SensorId, List<Reading>> bySensor = parse(deviceId, sensorKey, body, refused);
        received.increment(bySensor.values().stream().mapToInt(List::size).sum());
        return forwarder != null ? forwarded(bySensor, refused) : toCycle(bySensor, refused);
    }

    /** The body's readings by sensor; those refused are added to {@code refused}. Throws when none is left. */
    private Map<SensorId, List<Reading>> parse(String deviceId, String sensorKey, byte[] body, List<Refusal> refused) {
        ReadingParser.BySensor parsed;
        try {
            parsed = sensorKey != null
                    ? parser.parse(SensorId.of(deviceId, sensorKey), body)
                    : parser.parseDevice(body).bySensor(deviceId, "bad_device_id");
        } catch (BadPayloadException e) {
            throw new Refused(e.reason(), e.getMessage());
        }
        parsed.refused().forEach(e -> refused.add(new Refusal(e.reason(), e.getMessage(), null)));
        Map<SensorId, List<Reading>> bySensor = parsed.readings();
        if (bySensor.isEmpty() && !refused.isEmpty()) {
            throw new Refused(refused.get(0).reason(), refused.get(0).error());
        }
        return bySensor;
    }

    /**
     * The sensor's task (on this host or another) scores them; their anomaly scores and results
     * come out on Kafka's topics. Throws RetryLaterException (503) when the broker does not
     * acknowledge them.
     */
    private Taken forwarded(Map<SensorId, List<Reading>> bySensor, List<Refusal> refused) {
        forwarder.forward(bySensor);
        int count = bySensor.values().stream().mapToInt(List::size).sum();
        return new Taken(true, count, refused, List.of(), false, forwarder.destination());
    }

    private Taken toCycle(Map<SensorId, List<Reading>> bySensor, List<Refusal> refused) {
        int accepted = 0;
        boolean trainingQueued = false;
        List<AnomalyMessage> anomalies = new ArrayList<>();
        RuntimeException first = null;
        for (Map.Entry<SensorId, List<Reading>> e : bySensor.entrySet()) {
            SensorId sensor = e.getKey();
            SensorCycle.Outcome o;
            try {
                o = cycle.accept(contexts.get(sensor), e.getValue());
                faults.handled(sensor);
            } catch (PrognosException x) {
                first = first == null ? x : first;
                refused.add(new Refusal("not_processed", x.getMessage(), sensor.sensorKey()));
                continue;
            } catch (RuntimeException x) {
                faults.fault(sensor, "model work for {} failed", x);
                first = first == null ? x : first;
                refused.add(new Refusal("internal_error", x.toString(), sensor.sensorKey()));
                continue;
            }
            accepted += e.getValue().size() - o.lateReadings();
            if (o.lateMessage() != null) {
                refused.add(new Refusal(SensorCycle.Outcome.LATE_READING, o.lateMessage(), sensor.sensorKey()));
            }
            trainingQueued |= o.trainingQueued();
            for (AnomalyScore a : o.anomalies()) {
                anomalies.add(AnomalyMessage.of(a, anomalyThreshold));
            }
        }
        if (first != null && accepted == 0) {
            throw first;
        }
        // Throws RetryLaterException (503, Retry-After) while the database does not take them: the
        // readings are held for a retry, and sending them again is harmless (a reading already
        // used is not used twice; one already stored is kept as it was).
        cycle.sync();
        return new Taken(true, accepted, refused, anomalies, trainingQueued, null);
    }

    /** Nothing of the request could be used: a 400 with the refusal's reason. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final String reason;

        Refused(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        ErrorMessage message() {
            return new ErrorMessage(false, getMessage(), "body", reason);
        }
    }
}
