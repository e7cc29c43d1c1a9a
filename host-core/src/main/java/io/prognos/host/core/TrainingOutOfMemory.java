package io.prognos.host.core;

import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training that ran out of heap, as the host tells it: a capacity problem of this host, with
 * what to do about it. What the training allocated is garbage once it unwinds, so the host goes on.
 * Thirty days of a one-second sensor needed about 176 MB of heap to train (docs/measurements.md);
 * at less, REST answered a bare "internal error: java.lang.OutOfMemoryError", an MQTT requester got
 * no answer at all, and the host's own trainings said nothing.
 */
public final class TrainingOutOfMemory {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingOutOfMemory.class);

    private TrainingOutOfMemory() {}

    public static RetryLaterException of(SensorId sensor, OutOfMemoryError e) {
        return new RetryLaterException(
                RetryLaterException.Reason.CAPACITY,
                "the training of " + sensor + " ran out of heap memory (" + e.getMessage()
                        + "); give the host more heap (-Xmx) or train the sensor on a shorter history",
                Duration.ofMinutes(1),
                e);
    }

    /**
     * Runs a training someone asked for (REST, MQTT, the command line): its running out of heap is
     * thrown as {@link #of} and logged, each time (the host's own trainings say it once per sensor).
     */
    public static <T> T told(SensorId sensor, Supplier<T> training) {
        try {
            return training.get();
        } catch (OutOfMemoryError e) {
            RetryLaterException told = of(sensor, e);
            LOG.error("{}", told.getMessage());
            throw told;
        }
    }
}
