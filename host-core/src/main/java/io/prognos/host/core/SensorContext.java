package io.prognos.host.core;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a host keeps per sensor between readings: the recent readings (a ring, bounded whatever the
 * input rate), the plugin's opaque state, the cadence counters and the alert level. Drivers keep
 * contexts where they like (a map in memory, a Kafka Streams store: {@link #toBytes()}). Not
 * thread-safe: one caller per sensor at a time.
 */
public final class SensorContext {

    private static final int MAGIC = 0x50524358; // "PRCX"
    private static final int FORMAT = 1;

    private final SensorId sensor;
    /** Serializes the cycle's work on this sensor ({@link SensorCycle}); a request waits on it only so long. */
    final ReentrantLock lock = new ReentrantLock();

    /**
     * A new sensor's ring holds this many readings and doubles as they come, up to the capacity:
     * a ring made whole at once held 8.4 KB per sensor at the default 2,048 before its first reading
     * (`bench`, {@code context_bytes_new}), 840 MB for 100,000 sensor keys a misconfigured device
     * might send.
     */
    static final int FIRST_RING = 16;

    private final int capacity;
    /*
     * The ring as columns of primitives, 20 bytes a reading: as Reading objects (each with its
     * Instant) a full ring of 2,048 held 106.8 KB (`bench`, {@code context_bytes_full}), most of a
     * host's memory per sensor. Readings are made again only when asked for (a training, a warm-up).
     */
    private long[] seconds;
    private int[] nanos;
    private double[] values;
    private int next;
    private int size;
    SensorState state;
    int sinceForecast;
    long lastForecastMs;
    /** The open alert episode's level (LOW: none), see {@link AlertEpisodes}. */
    RiskLevel alertLevel = RiskLevel.LOW;
    /** When the risk was last medium or above; null: never. */
    Instant lastAlertingAt;

    RiskAssessment latestRisk;
    /** Why the last forecast failed, once logged; null after a forecast succeeds. Not saved. */
    String forecastProblem;
    /**
     * Readings to wait before asking again for a training because the readings no longer come at
     * the model's interval, 0 while they do; and the readings since the last ask. Not saved.
     */
    int cadenceWait;

    int sinceCadenceAsk;
    /** The interval of the model the state was warmed for; null when unknown (a context of an earlier release). */
    Duration stateInterval;
    /**
     * What warming found when it found none of the sensor's readings (the span it read back), said
     * while the buffer stays empty: a forecast refused for want of readings tells why the database's
     * older ones were not read. Null when warming found some or there is no warming. Not saved.
     */
    String noneWarmed;
    /**
     * What warming read when it was more than the buffer keeps, for the state's first warm-up only
     * (then dropped): an hourly model of a one-second sensor needs 30 hours of readings to forecast,
     * and the buffer's 2,048 are 34 minutes, so after each restart it waited 30 hours. Not saved.
     */
    List<Reading> warmedBeyondBuffer;

    public SensorContext(SensorId sensor, int capacity) {
        this.sensor = sensor;
        this.capacity = capacity;
        int first = Math.min(capacity, FIRST_RING);
        this.seconds = new long[first];
        this.nanos = new int[first];
        this.values = new double[first];
    }

    public SensorId sensor() {
        return sensor;
    }

    public SensorState state() {
        return state;
    }

    public RiskLevel alertLevel() {
        return alertLevel;
    }

    /**
     * Goes on with an alert episode a host had open for the sensor before it served it here (its
     * stored open alert), for a context just created.
     */
    public void resume(AlertEpisodes.Open open) {
        alertLevel = open.level();
        lastAlertingAt = open.lastAlerting();
    }

    /** The newest risk assessment, or null before the first forecast. */
    public RiskAssessment latestRisk() {
        return latestRisk;
    }

    void add(Reading r) {
        int length = seconds.length;
        if (size == length && length < capacity) {
            // Not yet wrapped (a ring wraps only at its capacity): the readings are in order from 0.
            length = Math.min(capacity, 2 * length);
            seconds = Arrays.copyOf(seconds, length);
            nanos = Arrays.copyOf(nanos, length);
            values = Arrays.copyOf(values, length);
            next = size;
        }
        seconds[next] = r.timestamp().getEpochSecond();
        nanos[next] = r.timestamp().getNano();
        values[next] = r.value();
        next = (next + 1) % length;
        size = Math.min(size + 1, length);
    }

    /** The buffered readings, oldest first. */
    public List<Reading> readings() {
        int length = seconds.length;
        List<Reading> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int at = (next - size + i + length) % length;
            out.add(new Reading(Instant.ofEpochSecond(seconds[at], nanos[at]), values[at]));
        }
        return out;
    }

    public int buffered() {
        return size;
    }

    /** The time of the reading buffered last, or null before the first. */
    Instant newestTime() {
        if (size == 0) {
            return null;
        }
        int newest = (next - 1 + seconds.length) % seconds.length;
        return Instant.ofEpochSecond(seconds[newest], nanos[newest]);
    }

    /** Milliseconds from the oldest buffered reading to the newest; 0 with fewer than two. */
    long spanMillis() {
        if (size < 2) {
            return 0;
        }
        int length = seconds.length;
        int newest = (next - 1 + length) % length;
        int oldest = (next - size + length) % length;
        return (seconds[newest] - seconds[oldest]) * 1_000 + (nanos[newest] - nanos[oldest]) / 1_000_000;
    }

    /** The spacing between the two newest buffered readings in milliseconds; -1 with fewer than two. */
    long newestSpacingMillis() {
        return size < 2 ? -1 : spacingMillis(0);
    }

    /**
     * The newest {@code n} spacings between buffered readings in milliseconds, smallest first; null
     * while fewer than {@code n + 1} readings are buffered. Equal times give spacings of 0.
     */
    long[] newestSpacingsMillis(int n) {
        if (size < n + 1) {
            return null;
        }
        long[] spacings = new long[n];
        for (int i = 0; i < n; i++) {
            spacings[i] = spacingMillis(i);
        }
        Arrays.sort(spacings);
        return spacings;
    }

    /** The spacing in milliseconds before the reading {@code back} places from the newest (0: the newest). */
    private long spacingMillis(int back) {
        int length = seconds.length;
        int later = (next - 1 - back + 2 * length) % length;
        int earlier = (later - 1 + length) % length;
        return (seconds[later] - seconds[earlier]) * 1_000 + (nanos[later] - nanos[earlier]) / 1_000_000;
    }

    /**
     * The context as bytes, for stores that keep bytes: the readings, counters and the plugin state's
     * own bytes. The latest risk is not kept: it is recomputed with the next forecast.
     */
    public byte[] toBytes() {
        return toBytes(true);
    }

    /**
     * The context as bytes, with or without its readings: a store that keeps the readings apart
     * (a Kafka Streams store writes one small entry per reading instead of the whole buffer, 32 KB
     * at 2,048 readings, with every reading) leaves them out and hands them back to {@link #restore}.
     */
    public byte[] toBytes(boolean withReadings) {
        int kept = withReadings ? size : 0;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024 + 16 * kept);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(sensor.deviceId());
            out.writeUTF(sensor.sensorKey());
            out.writeInt(capacity);
            out.writeInt(kept);
            for (Reading r : withReadings ? readings() : List.<Reading>of()) {
                out.writeLong(r.timestamp().toEpochMilli());
                out.writeDouble(r.value());
            }
            out.writeInt(sinceForecast);
            out.writeLong(lastForecastMs);
            out.writeUTF(alertLevel.name());
            // Where an unused version string was, always empty: contexts written before read as unknown.
            out.writeUTF(stateInterval == null ? "" : Long.toString(stateInterval.toMillis()));
            byte[] s = state == null ? new byte[0] : state.toBytes();
            out.writeInt(s.length);
            out.write(s);
            // Last, so that contexts written before it existed still read (without it).
            out.writeLong(lastAlertingAt == null ? Long.MIN_VALUE : lastAlertingAt.toEpochMilli());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A context from {@link #toBytes()}; the plugin state's bytes are returned for the plugin to restore. */
    public record Restored(SensorContext context, byte[] stateBytes) {}

    /**
     * A context from {@link #toBytes(boolean)} and the readings kept apart (oldest first), with the
     * plugin's state restored from its bytes (fresh when the plugin cannot use them).
     */
    public static SensorContext restore(byte[] bytes, int capacity, List<Reading> readings, ForecastingPlugin plugin)
            throws IOException {
        Restored r = fromBytes(bytes, capacity);
        for (Reading reading : readings) {
            r.context().add(reading);
        }
        if (r.stateBytes() != null) {
            r.context().state = plugin.openState(r.context().sensor(), r.stateBytes());
        }
        return r.context();
    }

    public static Restored fromBytes(byte[] bytes, int capacity) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException("not a sensor context of this version");
            }
            SensorContext c = new SensorContext(new SensorId(in.readUTF(), in.readUTF()), capacity);
            in.readInt();
            int n = in.readInt();
            if (n < 0 || n > 10_000_000) {
                throw new IOException("implausible reading count " + n);
            }
            for (int i = 0; i < n; i++) {
                c.add(new Reading(Instant.ofEpochMilli(in.readLong()), in.readDouble()));
            }
            c.sinceForecast = in.readInt();
            c.lastForecastMs = in.readLong();
            c.alertLevel = RiskLevel.valueOf(in.readUTF());
            String interval = in.readUTF();
            c.stateInterval = interval.isEmpty() ? null : Duration.ofMillis(Long.parseLong(interval));
            byte[] s = new byte[in.readInt()];
            in.readFully(s);
            if (in.available() >= Long.BYTES) {
                long ms = in.readLong();
                c.lastAlertingAt = ms == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ms);
            }
            return new Restored(c, s.length == 0 ? null : s);
        } catch (RuntimeException e) {
            throw new IOException("sensor context cannot be read: " + e.getMessage(), e);
        }
    }
}
