package io.prognos.host.runtime;

import io.prognos.api.BadRequestException;
import io.prognos.api.OperatingLimits;
import io.prognos.api.SensorId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Each sensor's operating limits: those set at run time (REST, the dashboard) over those of
 * {@code prognos.limits}. Run-time limits last until the host stops; the configuration keeps them
 * across restarts.
 */
public final class SensorLimits implements Function<SensorId, OperatingLimits> {

    /** Sensors with run-time limits at most: ids come from outside, and each entry stays until the host stops. */
    static final int MAX_SENSORS = 100_000;

    private final Function<SensorId, OperatingLimits> configured;
    private final Map<SensorId, OperatingLimits> set = new ConcurrentHashMap<>();

    public SensorLimits(Function<SensorId, OperatingLimits> configured) {
        this.configured = configured;
    }

    @Override
    public OperatingLimits apply(SensorId sensor) {
        OperatingLimits l = set.get(sensor);
        return l != null ? l : configured.apply(sensor);
    }

    /**
     * Sets the sensor's limits until the host stops; empty limits fall back to the configured ones.
     * Refused beyond {@link #MAX_SENSORS} sensors.
     */
    public synchronized void set(SensorId sensor, OperatingLimits limits) {
        if (limits.isEmpty()) {
            set.remove(sensor);
            return;
        }
        if (!set.containsKey(sensor) && set.size() >= MAX_SENSORS) {
            throw new BadRequestException(
                    null,
                    MAX_SENSORS + " sensors already have limits set at run time; put limits in prognos.limits"
                            + " or clear some (an empty PUT)");
        }
        set.put(sensor, limits);
    }
}
