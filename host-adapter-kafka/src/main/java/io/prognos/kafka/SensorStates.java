package io.prognos.kafka;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.host.core.SensorContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor contexts of one stream task, kept in two state stores backed by changelog topics, so
 * that a sensor moved to another host carries on where it was:
 *
 * <ul>
 *   <li>{@value #CONTEXTS}: per sensor, the context without its readings (counters, alert level,
 *       the plugin's state, about 6 KB) and how many readings were ever written;
 *   <li>{@value #READINGS}: the readings as a ring, one 16-byte entry per slot, so that a reading
 *       writes one small entry and not the whole buffer (32 KB at 2,048 readings).
 * </ul>
 *
 * The stores are the truth; the contexts in memory (the least recently used beyond a bound are
 * dropped) only spare rebuilding a context from up to a buffer's worth of entries with every record.
 */
final class SensorStates {

    static final String CONTEXTS = "prognos-sensor-contexts";
    static final String READINGS = "prognos-sensor-readings";

    private static final Logger LOG = LoggerFactory.getLogger(SensorStates.class);
    /** Neither may appear in a sensor id (control characters are refused), so keys cannot collide. */
    private static final char SENSOR_SEP = '\u0001';

    private static final char SLOT_SEP = '\u0002';

    /** A context in memory and the count of readings ever written to its ring. */
    static final class Entry {
        final SensorContext context;
        long written;

        Entry(SensorContext context, long written) {
            this.context = context;
            this.written = written;
        }
    }

    private final KeyValueStore<String, byte[]> contexts;
    private final KeyValueStore<String, byte[]> readings;
    private final ForecastingPlugin plugin;
    private final Function<SensorId, AlertEpisodes.Open> openAlerts;
    private final int capacity;
    private final Map<SensorId, Entry> memory;

    SensorStates(
            KeyValueStore<String, byte[]> contexts,
            KeyValueStore<String, byte[]> readings,
            ForecastingPlugin plugin,
            Function<SensorId, AlertEpisodes.Open> openAlerts,
            int capacity,
            int maxInMemory) {
        this.contexts = contexts;
        this.readings = readings;
        this.plugin = plugin;
        this.openAlerts = openAlerts;
        this.capacity = capacity;
        this.memory = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<SensorId, Entry> eldest) {
                return size() > maxInMemory;
            }
        };
    }

    /**
     * The sensor's context: in memory, else rebuilt from the stores, else new, going on with the
     * alert it had open on a host before (a host serving it alone before this application did, or
     * this one's task before its context was lost or became unreadable to this build).
     */
    Entry get(SensorId sensor) {
        Entry e = memory.get(sensor);
        if (e == null) {
            e = load(sensor);
            if (e == null) {
                SensorContext fresh = new SensorContext(sensor, capacity);
                AlertEpisodes.Open open = openAlerts == null ? null : openAlerts.apply(sensor);
                if (open != null) {
                    fresh.resume(open);
                }
                e = new Entry(fresh, 0);
            }
            memory.put(sensor, e);
        }
        return e;
    }

    /** The sensor's context if this task has one. */
    Entry find(SensorId sensor) {
        Entry e = memory.get(sensor);
        if (e == null) {
            e = load(sensor);
            if (e != null) {
                memory.put(sensor, e);
            }
        }
        return e;
    }

    List<Entry> inMemory() {
        return new ArrayList<>(memory.values());
    }

    /** Writes readings just added to the context, and the context. */
    void save(Entry e, List<Reading> added) {
        String prefix = ringPrefix(e.context.sensor());
        for (Reading r : added) {
            readings.put(slotKey(prefix, e.written % capacity), reading(r));
            e.written++;
        }
        saveContext(e);
    }

    /** Writes the context (after a forecast moved its counters or alert level). */
    void saveContext(Entry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(capacity);
            out.writeLong(e.written);
            out.write(e.context.toBytes(false));
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        contexts.put(contextKey(e.context.sensor()), bytes.toByteArray());
    }

    /** Forgets the contexts in memory: the task is closing, or its stores may have been rolled back. */
    void clearMemory() {
        memory.clear();
    }

    private Entry load(SensorId sensor) {
        byte[] stored = contexts.get(contextKey(sensor));
        if (stored == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            int storedCapacity = in.readInt();
            long written = in.readLong();
            byte[] context = in.readAllBytes();
            List<Reading> ring = ring(sensor, storedCapacity, written);
            SensorContext ctx = SensorContext.restore(context, capacity, ring, plugin);
            Entry e = new Entry(ctx, written);
            if (storedCapacity != capacity) {
                // cycle.buffer-size changed: lay the readings out anew for the new ring.
                LOG.info("{}: buffer of {} readings re-laid for {}", sensor, storedCapacity, capacity);
                deleteRing(sensor);
                e.written = 0;
                save(e, ctx.readings());
            }
            return e;
        } catch (IOException x) {
            // A context this version cannot read starts over rather than stopping the stream.
            LOG.warn("{}: stored context unreadable, starting afresh: {}", sensor, x.getMessage());
            return null;
        }
    }

    /**
     * The ring's readings, oldest first. A record that is not a reading (cut short, or its slot not
     * a number) is left out, said once: its exception escaped the task's guard for the sensor's
     * records, and the stream thread stopped at it, again at each restart of the task.
     */
    private List<Reading> ring(SensorId sensor, int ringCapacity, long written) {
        Reading[] slots = new Reading[ringCapacity];
        String prefix = ringPrefix(sensor);
        int unreadable = 0;
        try (KeyValueIterator<String, byte[]> it = readings.prefixScan(prefix, new StringSerializer())) {
            while (it.hasNext()) {
                var kv = it.next();
                try {
                    int slot = Integer.parseInt(kv.key.substring(prefix.length()));
                    if (slot >= 0 && slot < ringCapacity && kv.value != null) {
                        slots[slot] = reading(kv.value);
                    }
                } catch (RuntimeException malformed) {
                    unreadable++;
                }
            }
        }
        if (unreadable > 0) {
            LOG.warn("{}: {} stored reading(s) of its buffer unreadable, left out", sensor, unreadable);
        }
        long n = Math.min(written, ringCapacity);
        List<Reading> out = new ArrayList<>((int) n);
        for (long i = written - n; i < written; i++) {
            Reading r = slots[(int) (i % ringCapacity)];
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private void deleteRing(SensorId sensor) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = readings.prefixScan(ringPrefix(sensor), new StringSerializer())) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(readings::delete);
    }

    private static String contextKey(SensorId sensor) {
        return sensor.deviceId() + SENSOR_SEP + sensor.sensorKey();
    }

    private static String ringPrefix(SensorId sensor) {
        return contextKey(sensor) + SLOT_SEP;
    }

    /** Zero-padded so that a prefix scan returns slots in order. */
    private static String slotKey(String prefix, long slot) {
        return prefix + String.format("%07d", slot);
    }

    private static byte[] reading(Reading r) {
        return ByteBuffer.allocate(16)
                .putLong(r.timestamp().toEpochMilli())
                .putDouble(r.value())
                .array();
    }

    private static Reading reading(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new Reading(Instant.ofEpochMilli(buf.getLong()), buf.getDouble());
    }
}
