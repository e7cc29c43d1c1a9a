package io.prognos.host.core;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The contexts of the sensors a host serves, in memory, at most {@code capacity} of them: the least
 * recently used one is evicted beyond that (100,000 distinct ids once grew a host by 230 MB, and
 * ids arrive from the outside). A sensor seen for the first time, or again after its eviction, is
 * warmed with its recent readings from {@code warm} (the database) so that it forecasts with its
 * first new reading instead of after a buffer's worth.
 */
public final class SensorContexts {

    private final int capacity;
    private final int bufferSize;
    private final Function<SensorId, List<Reading>> warm;
    private final Function<SensorId, AlertEpisodes.Open> openAlerts;
    private final String noneWarmed;
    private final Consumer<SensorId> evicted;
    private final Map<SensorId, SensorContext> contexts;
    private long evictions;

    public SensorContexts(
            int capacity, int bufferSize, Function<SensorId, List<Reading>> warm, Consumer<SensorId> evicted) {
        this(capacity, bufferSize, warm, null, null, evicted);
    }

    /**
     * @param openAlerts the alert episode the sensor had open when a host last served it (stored),
     *     or null for none, to go on with: a context starting without it raised an open alert
     *     again, under a new id, and never cleared one whose sensor calmed meanwhile; null for no
     *     store
     * @param noneWarmed what a refused forecast says when {@code warm} found none of the sensor's
     *     readings and none came since, e.g. how far back it reads and the key that sets it; null
     *     for nothing
     */
    public SensorContexts(
            int capacity,
            int bufferSize,
            Function<SensorId, List<Reading>> warm,
            Function<SensorId, AlertEpisodes.Open> openAlerts,
            String noneWarmed,
            Consumer<SensorId> evicted) {
        this.capacity = capacity;
        this.bufferSize = bufferSize;
        this.warm = warm;
        this.openAlerts = openAlerts;
        this.noneWarmed = noneWarmed;
        this.evicted = evicted;
        this.contexts = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The sensor's context, created (and warmed) when it has none. */
    public SensorContext get(SensorId sensor) {
        synchronized (this) {
            SensorContext c = contexts.get(sensor);
            if (c != null) {
                return c;
            }
        }
        // Warming reads the database: outside the lock.
        SensorContext fresh = new SensorContext(sensor, bufferSize);
        if (warm != null) {
            List<Reading> warmed = warm.apply(sensor);
            for (Reading r : warmed) {
                fresh.add(r);
            }
            if (fresh.buffered() == 0) {
                fresh.noneWarmed = noneWarmed;
            }
            if (warmed.size() > bufferSize) {
                fresh.warmedBeyondBuffer = warmed;
            }
        }
        AlertEpisodes.Open open = openAlerts == null ? null : openAlerts.apply(sensor);
        if (open != null) {
            fresh.resume(open);
        }
        SensorId dropped = null;
        SensorContext result;
        synchronized (this) {
            result = contexts.putIfAbsent(sensor, fresh);
            if (result == null) {
                result = fresh;
                if (contexts.size() > capacity) {
                    var eldest = contexts.entrySet().iterator().next();
                    dropped = eldest.getKey();
                    contexts.remove(dropped);
                    evictions++;
                }
            }
        }
        if (dropped != null && evicted != null) {
            evicted.accept(dropped);
        }
        return result;
    }

    /** The contexts in memory now, for the time cadence. */
    public synchronized List<SensorContext> snapshot() {
        return List.copyOf(contexts.values());
    }

    /** The context if it is in memory, without creating one. */
    public synchronized SensorContext peek(SensorId sensor) {
        return contexts.get(sensor);
    }

    public synchronized int size() {
        return contexts.size();
    }

    public synchronized long evictions() {
        return evictions;
    }

    public int capacity() {
        return capacity;
    }
}
