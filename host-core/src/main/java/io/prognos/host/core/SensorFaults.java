package io.prognos.host.core;

import io.prognos.api.SensorId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Tells a fault on a sensor's readings (a bug in the plugin or the cycle that throws on them) at
 * ERROR with its trace once while it repeats ({@link FailureKind}), and again once it changes or
 * the sensor's readings were handled since; each repeat at debug. A driver told it with its trace
 * at every message: a sensor reporting every second whose readings meet such a bug wrote 86,400
 * traces a day, burying every other line. The message or record itself is still refused each time,
 * to its sender (MQTT's and Kafka's error topics, REST's answer).
 */
public final class SensorFaults {

    private final Logger log;
    /** Faulty sensors and the kind last told; a sensor leaves once its readings are handled. */
    private final Map<SensorId, FailureKind> told = new ConcurrentHashMap<>();

    /** Told through {@code log}, the driver's. */
    public SensorFaults(Logger log) {
        this.log = log;
    }

    /** {@code what} names the work that failed, with one {@code {}} for the sensor. */
    public void fault(SensorId sensor, String what, RuntimeException e) {
        FailureKind kind = FailureKind.of(e);
        if (kind.equals(told.put(sensor, kind))) {
            log.debug(what + " again: {}", sensor, e.toString());
        } else {
            log.error(what + " (told once while it repeats)", sensor, e);
        }
    }

    /** The sensor's readings were handled: a fault after this is told again. */
    public void handled(SensorId sensor) {
        if (!told.isEmpty()) {
            told.remove(sensor);
        }
    }
}
