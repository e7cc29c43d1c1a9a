package io.prognos.api;

import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of readings kept as three columns (epoch seconds, nanoseconds, values): 20
 * bytes a reading, where a list of {@link Reading} objects holds a reference, a {@code Reading} and
 * an {@code Instant} for each, about 52. A training gets a sensor's whole stored history: 30 days of
 * a one-second sensor are 2.6 million readings, about 135 MB as objects, and such a training ran
 * out of a 256 MB heap. {@link TrainRequest} keeps its history as one (without copying one it is
 * given); {@link #get} makes each reading when asked for.
 *
 * @since SPI 2.8
 */
public final class ReadingList extends AbstractList<Reading> implements RandomAccess {

    private static final ReadingList EMPTY = new ReadingList(new long[0], new int[0], new double[0], 0);

    private final long[] seconds;
    private final int[] nanos;
    private final double[] values;
    private final int size;

    private ReadingList(long[] seconds, int[] nanos, double[] values, int size) {
        this.seconds = seconds;
        this.nanos = nanos;
        this.values = values;
        this.size = size;
    }

    /** {@code readings} as a reading list: itself when it is one. Throws NullPointerException on a null reading. */
    public static ReadingList copyOf(Collection<Reading> readings) {
        if (readings instanceof ReadingList list) {
            return list;
        }
        return builder(readings.size()).addAll(readings).build();
    }

    public static Builder builder() {
        return new Builder(16);
    }

    /** A builder with room for {@code capacity} readings before it grows. */
    public static Builder builder(int capacity) {
        return new Builder(capacity);
    }

    @Override
    public Reading get(int index) {
        Objects.checkIndex(index, size);
        return new Reading(Instant.ofEpochSecond(seconds[index], nanos[index]), values[index]);
    }

    @Override
    public int size() {
        return size;
    }

    /** Builds a {@link ReadingList}; used once. */
    public static final class Builder {

        private long[] seconds;
        private int[] nanos;
        private double[] values;
        private int size;

        private Builder(int capacity) {
            int c = Math.max(1, capacity);
            seconds = new long[c];
            nanos = new int[c];
            values = new double[c];
        }

        /** Adds a reading at {@code timestamp} without making a {@link Reading} of it. */
        public Builder add(Instant timestamp, double value) {
            if (seconds == null) {
                throw new IllegalStateException("this builder has built its list");
            }
            Objects.requireNonNull(timestamp, "timestamp");
            if (size == seconds.length) {
                int grown = Math.max(size + 1, size + (size >> 1));
                seconds = Arrays.copyOf(seconds, grown);
                nanos = Arrays.copyOf(nanos, grown);
                values = Arrays.copyOf(values, grown);
            }
            seconds[size] = timestamp.getEpochSecond();
            nanos[size] = timestamp.getNano();
            values[size++] = value;
            return this;
        }

        public Builder add(Reading r) {
            return add(r.timestamp(), r.value());
        }

        public Builder addAll(Iterable<Reading> readings) {
            readings.forEach(this::add);
            return this;
        }

        public int size() {
            return size;
        }

        /** The list of the readings added, in their order; the builder takes no more. */
        public ReadingList build() {
            if (seconds == null) {
                throw new IllegalStateException("this builder has built its list");
            }
            ReadingList built = size == 0 ? EMPTY : new ReadingList(seconds, nanos, values, size);
            seconds = null;
            nanos = null;
            values = null;
            return built;
        }
    }
}
