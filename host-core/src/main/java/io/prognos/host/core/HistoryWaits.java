package io.prognos.host.core;

import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.SensorId;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Sensors whose training was refused for too little history, each waiting for a reading as new as
 * the time the plugin said newer readings could mend it ({@link InsufficientHistoryException#readyAt}).
 * A sensor without a model is offered for training at each reading, and each offer reads its stored
 * history (up to 4,000,000 readings): one whose readings paused longer than the plugin bridges was
 * offered at each of 58 readings until the stretch since its last pause was long enough, each time
 * refused; now 3 times ({@code SensorCycleTest}).
 */
public final class HistoryWaits {

    /**
     * A wait ends after this even before such a reading: older readings that fill a pause, or a
     * sensor whose detected interval becomes finer (more intervals than the plugin counted with),
     * may mend it sooner; an hour, as long as {@link TrainingHolds#LONGEST_HOLD}, bounds the delay.
     */
    static final Duration LONGEST_WAIT = Duration.ofHours(1);

    private record Wait(Instant readyAt, long untilNanos) {}

    private final Map<SensorId, Wait> waits = new ConcurrentHashMap<>();
    private final LongSupplier nanos;

    public HistoryWaits() {
        this(System::nanoTime);
    }

    /** With the monotonic clock of {@link #LONGEST_WAIT} ({@code System::nanoTime}, or a test's). */
    public HistoryWaits(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** The sensor's training was refused for too little history: it waits for the time the plugin said, if any. */
    public void refused(SensorId sensor, InsufficientHistoryException e) {
        if (e.readyAt() == null) {
            waits.remove(sensor);
        } else {
            waits.put(sensor, new Wait(e.readyAt(), nanos.getAsLong() + LONGEST_WAIT.toNanos()));
        }
    }

    /** The sensor trained, or failed otherwise: its wait ends. */
    public void ended(SensorId sensor) {
        waits.remove(sensor);
    }

    /**
     * Whether a training of the sensor, its newest reading at {@code newest} (null: not known), would
     * be refused for too little history again; false once a reading reached the time or the wait is
     * an hour old.
     */
    public boolean waits(SensorId sensor, Instant newest) {
        Wait w = waits.get(sensor);
        if (w == null) {
            return false;
        }
        boolean over = (newest != null && !newest.isBefore(w.readyAt())) || w.untilNanos() - nanos.getAsLong() <= 0;
        if (over) {
            waits.remove(sensor, w);
        }
        return !over;
    }
}
