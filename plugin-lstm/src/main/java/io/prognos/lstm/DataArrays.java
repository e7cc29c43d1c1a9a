package io.prognos.lstm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one byte form of arrays in stored models and sensor states: the length, then the elements.
 * Reading checks each length against a bound first, so damaged bytes give an {@link IOException}
 * naming the size instead of an allocation of gigabytes.
 */
final class DataArrays {

    /** No array written through here comes near it: a longer length means damaged bytes. */
    static final int MAX_LENGTH = 100_000;

    private DataArrays() {}

    /** {@code n} if it lies in [0, max], else an IOException naming it. */
    static int checked(int n, int max) throws IOException {
        if (n < 0 || n > max) {
            throw new IOException("implausible size " + n + " (at most " + max + " expected)");
        }
        return n;
    }

    static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float f : v) {
            out.writeFloat(f);
        }
    }

    static float[] readFloats(DataInputStream in) throws IOException {
        return readFloats(in, MAX_LENGTH);
    }

    /** An array of at most {@code max} floats (the caller knows a tighter bound than {@link #MAX_LENGTH}). */
    static float[] readFloats(DataInputStream in, int max) throws IOException {
        float[] v = new float[checked(in.readInt(), max)];
        elements(in, v.length, Float.BYTES).asFloatBuffer().get(v);
        return v;
    }

    static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
        out.writeInt(v.length);
        for (double d : v) {
            out.writeDouble(d);
        }
    }

    static double[] readDoubles(DataInputStream in) throws IOException {
        double[] v = new double[checked(in.readInt(), MAX_LENGTH)];
        elements(in, v.length, Double.BYTES).asDoubleBuffer().get(v);
        return v;
    }

    /** Skips an array {@link #writeDoubles} wrote, one nothing reads any more; returns its length. */
    static int skipDoubles(DataInputStream in) throws IOException {
        int n = checked(in.readInt(), MAX_LENGTH);
        long left = (long) n * Double.BYTES;
        while (left > 0) {
            int skipped = in.skipBytes((int) Math.min(left, Integer.MAX_VALUE));
            if (skipped <= 0) {
                throw new EOFException("an array of " + n + " doubles cut short");
            }
            left -= skipped;
        }
        return n;
    }

    /**
     * The next {@code n} elements' bytes, big-endian as {@link DataOutputStream} wrote them: a
     * buffer's bulk get reads the bits exactly as {@code readFloat}/{@code readDouble} do.
     */
    private static ByteBuffer elements(DataInputStream in, int n, int width) throws IOException {
        byte[] bytes = new byte[n * width];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }
}
