package io.prognos.kafka;

import io.prognos.api.SensorId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Sensors whose training finished and that wait for their first forecast. A training runs off the
 * stream thread, so it cannot forward a result itself (under exactly once only the stream thread
 * writes); the task that owns the sensor picks it up at its next punctuation. A sensor that moved
 * to another host meanwhile is forecast there with its next reading, so entries are dropped
 * after {@link #KEEP_MILLIS}.
 */
final class TrainedSensors {

    static final long KEEP_MILLIS = 10 * 60_000L;

    private final Map<SensorId, Long> waiting = new ConcurrentHashMap<>();

    void add(SensorId sensor, long nowMillis) {
        waiting.put(sensor, nowMillis);
    }

    /** Removes and returns the waiting sensors {@code owned} accepts; forgets stale ones. */
    List<SensorId> take(Predicate<SensorId> owned, long nowMillis) {
        List<SensorId> out = new ArrayList<>();
        waiting.forEach((sensor, since) -> {
            if (owned.test(sensor)) {
                if (waiting.remove(sensor, since)) {
                    out.add(sensor);
                }
            } else if (nowMillis - since > KEEP_MILLIS) {
                waiting.remove(sensor, since);
            }
        });
        return out;
    }

    int size() {
        return waiting.size();
    }
}
