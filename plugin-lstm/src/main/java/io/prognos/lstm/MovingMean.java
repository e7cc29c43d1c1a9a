package io.prognos.lstm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The mean of the last {@code length} values added, kept in a ring: the anomaly score's average
 * surprise ({@link AnomalyStats}) and the risk's recent bias of the forecast ({@link CentreBias}).
 */
final class MovingMean {

    private final double[] values;
    /** Where the next value goes. */
    private int next;

    private int size;

    MovingMean(int length) {
        this.values = new double[length];
    }

    void add(double v) {
        values[next] = v;
        next = (next + 1) % values.length;
        size = Math.min(size + 1, values.length);
    }

    void clear() {
        size = 0;
        next = 0;
    }

    int size() {
        return size;
    }

    /**
     * The mean of the values held, NaN when none. Summed in the ring's order, so that a ring read
     * back ({@link #readRing}) gives the same mean to the bit.
     */
    double mean() {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return sum / size;
    }

    /** The {@code i}-th oldest value held, from 0. */
    double oldest(int i) {
        return values[Math.floorMod(next - size + i, values.length)];
    }

    /** The ring as it is: its length, every slot, the next position and the count held. */
    void writeRing(DataOutputStream out) throws IOException {
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
        out.writeInt(next);
        out.writeInt(size);
    }

    /**
     * A ring {@link #writeRing} wrote, of at most {@code maxLength} slots; {@code what} names its
     * values in the errors. A position or count past the ring, or a value that is not finite, is
     * refused here: it would fail every later use instead of this one read.
     */
    static MovingMean readRing(DataInputStream in, int maxLength, String what) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > maxLength) {
            throw new IOException("bad length " + n + " of " + what);
        }
        MovingMean m = new MovingMean(n);
        for (int i = 0; i < n; i++) {
            double v = in.readDouble();
            if (!Double.isFinite(v)) {
                throw new IOException("a value of " + what + " is not finite: " + v);
            }
            m.values[i] = v;
        }
        m.next = in.readInt();
        m.size = in.readInt();
        if (m.next < 0 || m.next >= n || m.size < 0 || m.size > n) {
            throw new IOException(
                    "bad position " + m.next + " or count " + m.size + " of " + what + " (length " + n + ")");
        }
        return m;
    }
}
