package io.prognos.host.core;

import io.prognos.api.SensorId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Sensors whose training failed unexpectedly (out of heap, a fault of the plugin) or was refused
 * for bad input other than too few readings: such a failure does not mend itself by the next
 * reading or run, so the sensor is not trained again before a hold of {@link #FIRST_HOLD},
 * doubling with each such failure in a row up to {@link #LONGEST_HOLD}. Without it, a one-second
 * sensor whose training ran out of heap was trained again every second, each time reading up to
 * 4,000,000 stored readings, and the database poller trained such a sensor again at every run.
 */
public final class TrainingHolds {

    public static final Duration FIRST_HOLD = Duration.ofMinutes(1);

    public static final Duration LONGEST_HOLD = Duration.ofHours(1);

    /** Until when (in {@link #nanos}) a sensor's trainings are not taken, and for how long it was held last. */
    private record Hold(long untilNanos, Duration length) {}

    private final Map<SensorId, Hold> held = new ConcurrentHashMap<>();
    private final LongSupplier nanos;

    public TrainingHolds() {
        this(System::nanoTime);
    }

    /** With the monotonic clock of the holds ({@code System::nanoTime}, or a test's). */
    public TrainingHolds(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * Holds the sensor's trainings: a minute, or twice its last hold, at most {@link #LONGEST_HOLD};
     * returns how long.
     */
    public Duration hold(SensorId sensor) {
        Hold last = held.get(sensor);
        Duration doubled = last == null ? FIRST_HOLD : last.length().multipliedBy(2);
        Duration length = doubled.compareTo(LONGEST_HOLD) > 0 ? LONGEST_HOLD : doubled;
        held.put(sensor, new Hold(nanos.getAsLong() + length.toNanos(), length));
        return length;
    }

    /** Whether the sensor's trainings are held now. */
    public boolean isHeld(SensorId sensor) {
        Hold h = held.get(sensor);
        return h != null && h.untilNanos() - nanos.getAsLong() > 0;
    }

    /** The sensor trained: its next such failure is held for {@link #FIRST_HOLD} again. */
    public void ended(SensorId sensor) {
        held.remove(sensor);
    }
}
