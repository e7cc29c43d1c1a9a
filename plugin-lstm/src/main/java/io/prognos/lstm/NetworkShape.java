package io.prognos.lstm;

import java.util.Random;

/**
 * Shape of the network: one LSTM layer of {@code units} over {@code features} inputs per step, and
 * a dense layer of {@link #outputs()} on the last hidden state: {@code heads} forecasts of {@code
 * horizon} steps each. The first head is fitted to the squared error (its forecast the conditional
 * mean); a second one, to the absolute error (the conditional median), reads the same hidden state:
 * its error reaches its own weights only, so the LSTM layer and the first head train as they would
 * alone. The training loss is the first head's mean squared error plus the second head's mean
 * absolute error, both over every window and step. Parameters are laid out as Deeplearning4j
 * SameDiff's {@code lstmLayer} lays them out (input weights [f][4u], recurrent weights [u][4u], bias
 * [4u] with gates in the order input, forget, cell, output; dense weights [u][outputs], dense bias
 * [outputs]), so either engine reads the other's models.
 */
public record NetworkShape(int features, int units, int horizon, int heads) {

    public NetworkShape {
        if (heads < 1 || heads > 2) {
            throw new IllegalArgumentException("1 or 2 heads, not " + heads);
        }
    }

    /** One head, fitted to the squared error. */
    public NetworkShape(int features, int units, int horizon) {
        this(features, units, horizon, 1);
    }

    /** The dense layer's outputs: the heads' forecasts one after the other. */
    public int outputs() {
        return horizon * heads;
    }

    public int parameterCount() {
        return features * 4 * units + units * 4 * units + 4 * units + units * outputs() + outputs();
    }

    /**
     * The first head's mean squared error over predictions and targets, both [n][outputs]
     * row-major: what early stopping compares, so that the second head cannot move it.
     */
    public double firstHeadLoss(float[] predicted, float[] target) {
        int o = outputs();
        int n = target.length / o;
        double squared = 0;
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < horizon; k++) {
                double e = predicted[s * o + k] - target[s * o + k];
                squared += e * e;
            }
        }
        return squared / Math.max(1, (double) n * horizon);
    }

    /** Glorot-uniform weights, forget-gate bias 1 (the usual LSTM initialisation), zero elsewhere. */
    public float[] initialParameters(long seed) {
        Random rnd = new Random(seed);
        int u = units;
        float[] p = new float[parameterCount()];
        int o = glorot(p, 0, features, 4 * u, rnd);
        o = glorot(p, o, u, 4 * u, rnd);
        for (int i = 0; i < 4 * u; i++, o++) {
            p[o] = (i >= u && i < 2 * u) ? 1f : 0f;
        }
        // Each head a dense layer of its own, the first drawn exactly as a one-head network's.
        for (int head = 0; head < heads; head++) {
            glorot(p, o, u, horizon, outputs(), head * horizon, rnd);
        }
        return p;
    }

    private static int glorot(float[] p, int offset, int fanIn, int fanOut, Random rnd) {
        return glorot(p, offset, fanIn, fanOut, fanOut, 0, rnd);
    }

    /** Glorot-uniform [fanIn][fanOut] into columns {@code from..} of a [fanIn][stride] matrix at {@code offset}. */
    private static int glorot(float[] p, int offset, int fanIn, int fanOut, int stride, int from, Random rnd) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < fanIn; i++) {
            for (int j = 0; j < fanOut; j++) {
                p[offset + i * stride + from + j] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
            }
        }
        return offset + fanIn * stride;
    }
}
