package io.prognos.host.runtime;

import io.prognos.api.BadRequestException;
import io.prognos.api.OperatingLimits;
import io.prognos.api.SensorId;
import io.prognos.jdbc.LimitsTable;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Each sensor's operating limits: those set at run time (REST, the dashboard) over those of
 * {@code prognos.limits}. Run-time limits are kept in the database ({@code sensor_limits}) and read
 * back at the next start and while the host runs ({@link #refresh}); they lasted until the host
 * stopped, which a plant that set them from the dashboard did not expect.
 */
public final class SensorLimits implements Function<SensorId, OperatingLimits> {

    /** Sensors with run-time limits at most: ids come from outside, and each entry is held in memory. */
    static final int MAX_SENSORS = 100_000;

    private final Function<SensorId, OperatingLimits> configured;
    private final LimitsTable kept;
    private final Map<SensorId, OperatingLimits> set = new ConcurrentHashMap<>();

    /** Run-time limits in memory only. */
    public SensorLimits(Function<SensorId, OperatingLimits> configured) {
        this(configured, null);
    }

    /** Run-time limits kept in {@code kept} too (null: in memory only). */
    public SensorLimits(Function<SensorId, OperatingLimits> configured, LimitsTable kept) {
        this.configured = configured;
        this.kept = kept;
    }

    /**
     * Takes the run-time limits the database holds now: at the start those kept before it, later
     * those set or cleared on another host sharing the database (any host of a Kafka application
     * takes the dashboard's PUT, and another may serve the sensor) or written by hand. Returns how
     * many sensors' limits changed. Under the lock a PUT takes, so that a PUT's limits, kept before
     * they are set, are never undone by a read from before them.
     *
     * @throws io.prognos.api.RetryLaterException while the database is unavailable
     */
    public synchronized int refresh() {
        if (kept == null) {
            return 0;
        }
        Map<SensorId, OperatingLimits> now = kept.load();
        int changed = 0;
        for (Iterator<SensorId> it = set.keySet().iterator(); it.hasNext(); ) {
            if (!now.containsKey(it.next())) {
                it.remove();
                changed++;
            }
        }
        for (Map.Entry<SensorId, OperatingLimits> e : now.entrySet()) {
            OperatingLimits before = set.get(e.getKey());
            if (e.getValue().equals(before) || (before == null && set.size() >= MAX_SENSORS)) {
                continue;
            }
            set.put(e.getKey(), e.getValue());
            changed++;
        }
        return changed;
    }

    @Override
    public OperatingLimits apply(SensorId sensor) {
        OperatingLimits l = set.get(sensor);
        return l != null ? l : configured.apply(sensor);
    }

    /**
     * Sets the sensor's limits, kept across restarts; empty limits fall back to the configured ones.
     * Refused beyond {@link #MAX_SENSORS} sensors. Kept first: while the database is unavailable
     * the change is refused ({@link io.prognos.api.RetryLaterException}) rather than made in memory
     * only, to be lost at the next restart.
     */
    public synchronized void set(SensorId sensor, OperatingLimits limits) {
        if (limits.isEmpty()) {
            if (kept != null) {
                kept.delete(sensor);
            }
            set.remove(sensor);
            return;
        }
        if (!set.containsKey(sensor) && set.size() >= MAX_SENSORS) {
            throw new BadRequestException(
                    null,
                    MAX_SENSORS + " sensors already have limits set at run time; put limits in prognos.limits"
                            + " or clear some (an empty PUT)");
        }
        if (kept != null) {
            kept.save(sensor, limits);
        }
        set.put(sensor, limits);
    }
}
