package io.prognos.lstm;

import java.util.Arrays;

/**
 * Online aggregation of the candidate forecasts, per step ahead: the exponentially weighted
 * average forecaster (Cesa-Bianchi and Lugosi 2006, ch. 2). Each candidate's weight is
 * {@code exp(-eta_t L)}, with {@code L} its cumulative loss and {@code eta_t = sqrt(8 ln N / t)}
 * set by theory, not tuned. A round's loss is the absolute error divided by a scale and clipped
 * to [0, 1] ({@code min(1, |e| / B_h)}, {@code B_h} four times the last value's validation MAE at
 * that step). For such convex losses Theorem 2.3 bounds the regret after {@code T} rounds by
 * {@code 2 sqrt(T ln N / 2) + sqrt(ln N / 8)}: the served forecast's cumulative loss never exceeds
 * the best candidate's in hindsight by more than that, and the last value is a candidate.
 *
 * <p>Rounds start with the validation windows (their losses are the prior), so a new model begins
 * from what validation showed and then follows what works on the actual readings.
 */
final class Aggregator {

    private final double[][] loss; // [method][step]
    private final long[] rounds; // [step]
    private final boolean[] available; // [method]
    private final int candidates;

    Aggregator(double[][] priorLoss, int priorRounds, boolean[] available) {
        this.loss = new double[priorLoss.length][];
        for (int m = 0; m < priorLoss.length; m++) {
            this.loss[m] = priorLoss[m].clone();
        }
        this.rounds = new long[priorLoss[0].length];
        Arrays.fill(rounds, priorRounds);
        this.available = available.clone();
        int n = 0;
        for (boolean a : available) {
            n += a ? 1 : 0;
        }
        this.candidates = n;
    }

    private Aggregator(double[][] loss, long[] rounds, boolean[] available) {
        this.loss = loss;
        this.rounds = rounds;
        this.available = available;
        int n = 0;
        for (boolean a : available) {
            n += a ? 1 : 0;
        }
        this.candidates = n;
    }

    /** The learning rate of step {@code h} now. */
    double eta(int h) {
        return Math.sqrt(8 * Math.log(Math.max(2, candidates)) / Math.max(1, rounds[h]));
    }

    /** Weights of step {@code h}, indexed by {@link Method#ordinal()}; 0 for unavailable candidates. */
    void weights(int h, double[] out) {
        double eta = eta(h);
        double min = Double.POSITIVE_INFINITY;
        for (int m = 0; m < loss.length; m++) {
            if (available[m]) {
                min = Math.min(min, loss[m][h]);
            }
        }
        double sum = 0;
        for (int m = 0; m < loss.length; m++) {
            out[m] = available[m] ? Math.exp(-eta * (loss[m][h] - min)) : 0;
            sum += out[m];
        }
        for (int m = 0; m < loss.length; m++) {
            out[m] /= sum;
        }
    }

    /** One round of step {@code h}: each candidate's forecast against the actual, scaled by {@code scale}. */
    void update(int h, float[][] forecasts, int step, double actual, double scale) {
        for (int m = 0; m < loss.length; m++) {
            if (available[m] && forecasts[m] != null) {
                loss[m][h] += Math.min(1, Math.abs(actual - forecasts[m][step]) / scale);
            }
        }
        rounds[h]++;
    }

    boolean available(Method m) {
        return available[m.ordinal()];
    }

    long rounds(int h) {
        return rounds[h];
    }

    double[][] losses() {
        return loss;
    }

    Aggregator copy() {
        double[][] l = new double[loss.length][];
        for (int m = 0; m < loss.length; m++) {
            l[m] = loss[m].clone();
        }
        return new Aggregator(l, rounds.clone(), available.clone());
    }

    static Aggregator restore(double[][] loss, long[] rounds, boolean[] available) {
        return new Aggregator(loss, rounds, available);
    }

    long[] roundsArray() {
        return rounds;
    }

    boolean[] availableArray() {
        return available;
    }
}
