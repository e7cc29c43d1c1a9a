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

    /**
     * A builder that keeps the newest {@code max} readings added (in the order added): a history
     * read oldest first, of which a training takes no more, in the memory of {@code max}.
     */
    public static Builder newest(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        Builder b = new Builder(Math.min(max, 16));
        b.max = max;
        return b;
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
        /** At most this many are kept: once full, each reading added replaces the oldest, at {@link #oldest}. */
        private int max = Integer.MAX_VALUE;

        private int oldest;
        private long dropped;

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
            int at;
            if (size == max) {
                at = oldest;
                oldest = (oldest + 1) % max;
                dropped++;
            } else {
                if (size == seconds.length) {
                    int grown = (int) Math.min(max, Math.max(size + 1L, size + (size >> 1)));
                    seconds = Arrays.copyOf(seconds, grown);
                    nanos = Arrays.copyOf(nanos, grown);
                    values = Arrays.copyOf(values, grown);
                }
                at = size++;
            }
            seconds[at] = timestamp.getEpochSecond();
            nanos[at] = timestamp.getNano();
            values[at] = value;
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

        /** How many readings added were let go as newer ones came ({@link #newest}). */
        public long dropped() {
            return dropped;
        }

        /** The list of the readings added, in their order; the builder takes no more. */
        public ReadingList build() {
            if (seconds == null) {
                throw new IllegalStateException("this builder has built its list");
            }
            if (oldest > 0) { // in place, oldest first: no second copy of a long history
                rotate(seconds, oldest, size);
                rotate(nanos, oldest, size);
                rotate(values, oldest, size);
            }
            ReadingList built = size == 0 ? EMPTY : new ReadingList(seconds, nanos, values, size);
            seconds = null;
            nanos = null;
            values = null;
            return built;
        }

        /** Moves {@code a[by..n)} before {@code a[0..by)} in place: three reversals. */
        private static void rotate(long[] a, int by, int n) {
            reverse(a, 0, by);
            reverse(a, by, n);
            reverse(a, 0, n);
        }

        private static void rotate(int[] a, int by, int n) {
            reverse(a, 0, by);
            reverse(a, by, n);
            reverse(a, 0, n);
        }

        private static void rotate(double[] a, int by, int n) {
            reverse(a, 0, by);
            reverse(a, by, n);
            reverse(a, 0, n);
        }

        private static void reverse(long[] a, int from, int to) {
            for (int i = from, j = to - 1; i < j; i++, j--) {
                long t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }

        private static void reverse(int[] a, int from, int to) {
            for (int i = from, j = to - 1; i < j; i++, j--) {
                int t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }

        private static void reverse(double[] a, int from, int to) {
            for (int i = from, j = to - 1; i < j; i++, j--) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }
    }
}
