package io.prognos.lstm;

import io.prognos.api.SensorId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The models a plugin holds in memory: at most {@code capacity}, the least recently used dropped
 * first; a dropped one is read from the model store again when its sensor next needs it. Unbounded,
 * a plugin held every model it had met or found in the store at start (about 35 KB each decoded):
 * each of the hosts sharing a store through Kafka held every model of the fleet, not only its own
 * partitions' ones.
 *
 * <p>One lock around an access-ordered map: a lookup is a hash probe and a relink, short beside
 * the 24 us of scoring a reading it comes with. The plugin takes the same lock to hold a model it
 * read and to delete one, each as a whole.
 */
final class ModelCache<V> {

    private final int capacity;
    private final Map<SensorId, V> entries;
    private long dropped;
    private long removals;

    ModelCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " < 1");
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<SensorId, V> eldest) {
                if (size() > ModelCache.this.capacity) {
                    dropped++;
                    return true;
                }
                return false;
            }
        };
    }

    synchronized V get(SensorId sensor) {
        return entries.get(sensor);
    }

    synchronized void put(SensorId sensor, V value) {
        entries.put(sensor, value);
    }

    /** Removes the sensor's entry, counted whether held or not (see {@link #removals()}). */
    synchronized boolean remove(SensorId sensor) {
        removals++;
        return entries.remove(sensor) != null;
    }

    /**
     * Calls of {@link #remove} so far: a reader that saw a different count before reading the store
     * may hold a model deleted meanwhile, and must not put it back.
     */
    synchronized long removals() {
        return removals;
    }

    /** Removes every entry, counted as one {@link #remove}. */
    synchronized void clear() {
        removals++;
        entries.clear();
    }

    /**
     * Removes the entries {@code stale} picks, counted as one {@link #remove} whether it picks any
     * or not (a read under way may have read what is stale).
     *
     * @return how many were removed
     */
    synchronized int removeIf(BiPredicate<SensorId, V> stale) {
        removals++;
        int before = entries.size();
        entries.entrySet().removeIf(e -> stale.test(e.getKey(), e.getValue()));
        return before - entries.size();
    }

    synchronized int size() {
        return entries.size();
    }

    int capacity() {
        return capacity;
    }

    /** Entries dropped to stay within the capacity, since the cache was made. */
    synchronized long dropped() {
        return dropped;
    }
}
