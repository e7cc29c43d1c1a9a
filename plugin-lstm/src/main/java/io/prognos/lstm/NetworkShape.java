package io.prognos.lstm;

import java.util.Random;

/**
 * Shape of the network: one LSTM layer of {@code units} over {@code features} inputs per step, and
 * a dense head of {@code horizon} outputs on the last hidden state. Parameters are laid out as
 * Deeplearning4j SameDiff's {@code lstmLayer} lays them out (input weights [f][4u], recurrent
 * weights [u][4u], bias [4u] with gates in the order input, forget, cell, output; dense weights
 * [u][h], dense bias [h]), so either engine reads the other's models.
 */
public record NetworkShape(int features, int units, int horizon) {

    public int parameterCount() {
        return features * 4 * units + units * 4 * units + 4 * units + units * horizon + horizon;
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
        glorot(p, o, u, horizon, rnd);
        return p;
    }

    private static int glorot(float[] p, int offset, int fanIn, int fanOut, Random rnd) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        int n = fanIn * fanOut;
        for (int i = 0; i < n; i++) {
            p[offset + i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
        return offset + n;
    }
}
