package io.prognos.lstm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Online aggregation of the candidate forecasts, per step ahead: exponential weights whose learning
 * rate adapts as in AdaHedge (de Rooij, van Erven, Grünwald and Koolen 2014), with fixed share
 * (Herbster and Warmuth 1998) so that the served forecast follows the best candidate even when
 * which one is best changes, as it does when a sensor's behaviour changes. No rate is tuned.
 *
 * <p>A round's loss is the absolute error divided by a scale and clipped to [0, 1]
 * ({@code min(1, |e| / B)}, {@code B} the range of the training history's values: errors seldom
 * exceed it, so the clip seldom binds and the bound below holds for the absolute error itself, in
 * units of {@code B}). Each round every weight is multiplied by {@code exp(-eta_t loss)}, then a share
 * {@code alpha_t = 1 / (t + 1)} of the total is spread evenly over the {@code N} candidates (the
 * decreasing switching rate of Koolen and de Rooij 2013). The rate is {@code eta_t = ln N / D_t},
 * with {@code D_t} the cumulative mixability gap (each round's weighted loss minus its mix loss).
 *
 * <p>Bound (losses in [0, 1]): against any sequence of candidates with {@code k} switches in
 * {@code T} rounds, the weighted loss exceeds that sequence's loss by at most
 * {@code ((k + 1) ln N + (k + 1) ln (T + 1)) / eta_T + D_T}, and {@code D_T <= sqrt(T ln N / 4)
 * + 2 ln N / 3 + 1}; for {@code k = 0}, the best single candidate in hindsight (the last value is
 * one), that is {@code O(sqrt(T ln N) ln T)}: the excess per round vanishes as the series grows.
 * The served forecast is the weighted mean, whose loss is no larger than the weighted loss while
 * errors stay below {@code B} (the absolute error is convex).
 *
 * <p>Rounds start with the validation windows: training runs the aggregation through them and the
 * online aggregation carries on from where it left off (weights, gaps and rounds; {@link
 * TrainedModel#aggregation}), so a new model begins from what validation showed and then follows
 * the actual readings.
 */
final class Aggregator {

    // [method][step]: the weights, summing to 1 over the available candidates. Kept as they are, not
    // as logarithms: a round then costs one exponential per candidate (it was four, and the interval
    // experts made this the largest part of scoring a reading outside the network).
    private final double[][] weight;
    private static final double[] NO_LOSSES = {};

    private final double[] gap; // [step]: cumulative mixability gap
    private final long[] rounds; // [step]
    private final boolean[] available; // [method]
    private final int candidates;
    // Scratch of one round, reused: a reading that closes an interval runs 12 rounds.
    private final double[] factor; // exp(-eta (l - min l))
    private final double[] roundLoss;
    private final boolean[] roundPlayed;

    /** A fresh aggregation of {@code horizon} steps: equal weights over the available candidates, no round yet. */
    Aggregator(int horizon, boolean[] available) {
        int methods = available.length;
        this.weight = new double[methods][horizon];
        this.gap = new double[horizon];
        this.rounds = new long[horizon];
        this.available = available.clone();
        this.candidates = count(available);
        this.factor = new double[methods];
        this.roundLoss = new double[methods];
        this.roundPlayed = new boolean[methods];
        for (int m = 0; m < methods; m++) {
            if (available[m]) {
                Arrays.fill(weight[m], 1.0 / candidates);
            }
        }
    }

    private Aggregator(double[][] weight, double[] gap, long[] rounds, boolean[] available) {
        this.weight = weight;
        this.gap = gap;
        this.rounds = rounds;
        this.available = available;
        this.candidates = count(available);
        this.factor = new double[weight.length];
        this.roundLoss = new double[weight.length];
        this.roundPlayed = new boolean[weight.length];
    }

    private static int count(boolean[] available) {
        int n = 0;
        for (boolean a : available) {
            n += a ? 1 : 0;
        }
        return n;
    }

    /** Weights summing to 1 per step from unnormalized log weights. */
    private static double[][] fromLogs(double[][] logWeight, boolean[] available) {
        int methods = logWeight.length;
        int horizon = methods == 0 ? 0 : logWeight[0].length;
        double[][] w = new double[methods][horizon];
        for (int h = 0; h < horizon; h++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int m = 0; m < methods; m++) {
                if (available[m]) {
                    max = Math.max(max, logWeight[m][h]);
                }
            }
            double sum = 0;
            for (int m = 0; m < methods; m++) {
                w[m][h] = available[m] ? Math.exp(logWeight[m][h] - max) : 0;
                sum += w[m][h];
            }
            for (int m = 0; m < methods; m++) {
                w[m][h] /= sum;
            }
        }
        return w;
    }

    /** The learning rate of step {@code h} now; infinite (follow the leader) before any gap. */
    double eta(int h) {
        return gap[h] > 0 ? Math.log(Math.max(2, candidates)) / gap[h] : Double.POSITIVE_INFINITY;
    }

    /** A candidate's name when it carries at least 90 % of the weight at every step, else the mixture's. */
    String servedName(int horizon) {
        return servedName(horizon, null);
    }

    /** The same for one forecast, whose rows of {@code forecast} are null for candidates that sat it out. */
    String servedName(int horizon, float[][] forecast) {
        double[] w = new double[Method.values().length];
        Method dominant = null;
        for (int h = 0; h < horizon; h++) {
            weights(h, w);
            leaveOut(w, forecast);
            Method top = null;
            for (Method m : Method.values()) {
                if (w[m.ordinal()] >= 0.9) {
                    top = m;
                }
            }
            if (top == null || (dominant != null && dominant != top)) {
                return Method.MIXTURE;
            }
            dominant = top;
        }
        return dominant == null ? Method.MIXTURE : dominant.wireName();
    }

    /**
     * The weights {@code w} as one forecast used them: 0 for the candidates that sat it out (null
     * rows of {@code forecast}; none when it is null), the others' in proportion, as {@link #mix} does.
     */
    static void leaveOut(double[] w, float[][] forecast) {
        if (forecast == null) {
            return;
        }
        double absent = absentShare(w, forecast);
        if (absent > 0 && absent < 1) {
            for (int m = 0; m < w.length; m++) {
                w[m] = forecast[m] == null ? 0 : w[m] / (1 - absent);
            }
        }
    }

    /** The weight of the candidates that sat a forecast out: its null rows ({@code double[]} or {@code float[]}). */
    private static double absentShare(double[] w, Object[] rows) {
        double absent = 0;
        for (int m = 0; m < rows.length; m++) {
            if (rows[m] == null) {
                absent += w[m];
            }
        }
        return absent;
    }

    /** Weights of step {@code h}, indexed by {@link Method#ordinal()}; 0 for unavailable candidates. */
    void weights(int h, double[] out) {
        for (int m = 0; m < weight.length; m++) {
            out[m] = weight[m][h];
        }
    }

    /**
     * Step {@code h}'s weighted average of the candidates {@code c} ([method][step], null rows for
     * those not available) under this aggregation's weights; {@code w} is scratch of {@link
     * #methods()} entries.
     */
    double mix(int h, double[][] c, double[] w) {
        weights(h, w);
        return mix(w, c, h);
    }

    /**
     * Step {@code h}'s average of the candidates {@code c} under the weights {@code w}; a candidate
     * that sits this forecast out (a seasonal one right after a gap) leaves its weight to the others
     * in proportion.
     */
    static double mix(double[] w, double[][] c, int h) {
        double v = 0;
        for (int m = 0; m < c.length; m++) {
            if (c[m] != null) {
                v += w[m] * c[m][h];
            }
        }
        double absent = absentShare(w, c);
        return absent > 0 ? v / (1 - absent) : v;
    }

    /** One round of step {@code h}: each candidate's forecast against the actual, scaled by {@code scale}. */
    void update(int h, float[][] forecasts, int step, double actual, double scale) {
        double[] l = roundLoss;
        boolean[] played = roundPlayed;
        for (int m = 0; m < weight.length; m++) {
            l[m] = 0;
            played[m] = available[m] && forecasts[m] != null;
            if (played[m]) {
                l[m] = Math.min(1, Math.abs(actual - forecasts[m][step]) / scale);
            }
        }
        learn(h, l, played);
    }

    /**
     * One round of step {@code h} with the losses given (in [0, 1]; {@code played[m]} false for a
     * candidate that sat the round out): the same update as for forecasts, for other experts.
     */
    void learn(int h, double[] l, boolean[] played) {
        double eta = eta(h);
        double lo = Double.POSITIVE_INFINITY;
        double total = 0;
        double weighted = 0;
        boolean all = true;
        for (int m = 0; m < weight.length; m++) {
            if (played[m]) {
                lo = Math.min(lo, l[m]);
                total += weight[m][h];
                weighted += weight[m][h] * l[m];
            } else {
                all &= !available[m];
            }
        }
        Arrays.fill(factor, 1);
        if (lo < Double.POSITIVE_INFINITY) {
            // exp(-eta (l - lo)): the mix loss and, when every candidate played, the new weights come
            // from it; a candidate that sat the round out keeps its weight against the others' exp(-eta l).
            double mix = 0;
            for (int m = 0; m < weight.length; m++) {
                if (played[m]) {
                    double f = Double.isInfinite(eta) ? (l[m] > lo ? 0 : 1) : Math.exp(-eta * (l[m] - lo));
                    mix += weight[m][h] * f;
                    factor[m] = all || Double.isInfinite(eta) ? f : Math.exp(-eta * l[m]);
                }
            }
            if (total > 0) {
                // The round's weighted loss minus its mix loss -ln(sum w exp(-eta l)) / eta; at least 0.
                double mixLoss = Double.isInfinite(eta) ? lo : lo - Math.log(mix / total) / eta;
                gap[h] += Math.max(0, weighted / total - mixLoss);
            }
        }
        double sum = 0;
        for (int m = 0; m < weight.length; m++) {
            weight[m][h] *= factor[m];
            sum += weight[m][h];
        }
        rounds[h]++;
        // Fixed share: a share alpha of the weight spread evenly, so no candidate falls below alpha / N.
        double alpha = 1.0 / (rounds[h] + 1);
        for (int m = 0; m < weight.length; m++) {
            if (available[m]) {
                weight[m][h] = (sum > 0 ? (1 - alpha) * weight[m][h] / sum : 0) + alpha / candidates;
            }
        }
    }

    boolean available(Method m) {
        return available[m.ordinal()];
    }

    long rounds(int h) {
        return rounds[h];
    }

    /** Whether {@code other} weighs the same candidates over as many steps, so that either can stand for the other. */
    boolean sameShape(Aggregator other) {
        return gap.length == other.gap.length && Arrays.equals(available, other.available);
    }

    /** Candidates (or experts) it weighs, available or not. */
    int methods() {
        return weight.length;
    }

    /** The weights, [method][step], summing to 1 per step: what the state stores. */
    double[][] weightsArray() {
        return weight;
    }

    double[] gaps() {
        return gap;
    }

    /** A copy that learns on its own: a model's aggregation after validation, for each state bound to it. */
    Aggregator copy() {
        double[][] w = new double[weight.length][];
        for (int m = 0; m < weight.length; m++) {
            w[m] = weight[m].clone();
        }
        return new Aggregator(w, gap.clone(), rounds.clone(), available.clone());
    }

    /**
     * Its byte form, in a sensor state and in a model (the state after the validation windows). Each
     * candidate's cumulative loss, which nothing read, was written after its flag until sensor state
     * format 6 and model format 5; an empty array keeps the layout, so either form reads.
     */
    void write(DataOutputStream out) throws IOException {
        out.writeInt(weight.length);
        for (int m = 0; m < weight.length; m++) {
            out.writeBoolean(available[m]);
            DataArrays.writeDoubles(out, NO_LOSSES);
        }
        out.writeInt(rounds.length);
        for (long r : rounds) {
            out.writeLong(r);
        }
        for (double[] w : weight) {
            DataArrays.writeDoubles(out, w);
        }
        DataArrays.writeDoubles(out, gap);
    }

    /** An aggregation as {@link #write} wrote it; sensor states before format 5 hold its weights as logarithms. */
    static Aggregator read(DataInputStream in, boolean logarithms) throws IOException {
        int methods = DataArrays.checked(in.readInt(), 64);
        int[] lossLengths = new int[methods];
        boolean[] available = new boolean[methods];
        for (int m = 0; m < methods; m++) {
            available[m] = in.readBoolean();
            lossLengths[m] = DataArrays.skipDoubles(in); // earlier formats' cumulative losses: unused
        }
        long[] rounds = new long[DataArrays.checked(in.readInt(), 10_000)];
        for (int h = 0; h < rounds.length; h++) {
            rounds[h] = in.readLong();
        }
        double[][] weight = new double[methods][];
        for (int m = 0; m < methods; m++) {
            weight[m] = DataArrays.readDoubles(in);
            if (weight[m].length != rounds.length || (lossLengths[m] != 0 && lossLengths[m] != rounds.length)) {
                throw new IOException("aggregator arrays of different lengths");
            }
        }
        double[] gap = DataArrays.readDoubles(in);
        if (gap.length != rounds.length) {
            throw new IOException("aggregator arrays of different lengths");
        }
        return new Aggregator(logarithms ? fromLogs(weight, available) : weight, gap, rounds, available);
    }

    long[] roundsArray() {
        return rounds;
    }

    boolean[] availableArray() {
        return available;
    }
}
