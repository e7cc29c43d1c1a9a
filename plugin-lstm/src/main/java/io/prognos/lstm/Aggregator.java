package io.prognos.lstm;

import java.util.Arrays;

/**
 * Online aggregation of the candidate forecasts, per step ahead: exponential weights whose learning
 * rate adapts as in AdaHedge (de Rooij, van Erven, Grünwald and Koolen 2014), with fixed share
 * (Herbster and Warmuth 1998) so that the served forecast follows the best candidate even when
 * which one is best changes, as it does when a sensor's behaviour changes. No rate is tuned.
 *
 * <p>A round's loss is the absolute error divided by a scale and clipped to [0, 1]
 * ({@code min(1, |e| / B_h)}, {@code B_h} four times the last value's validation MAE at that
 * step). Each round every weight is multiplied by {@code exp(-eta_t loss)}, then a share
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
 * errors stay below {@code B_h} (the absolute error is convex).
 *
 * <p>Rounds start with the validation windows (their losses set the first weights and the first
 * rate), so a new model begins from what validation showed and then follows the actual readings.
 */
final class Aggregator {

    private final double[][] loss; // [method][step]: cumulative clipped loss, for reporting
    private final double[][] logWeight; // [method][step], the largest kept at 0
    private final double[] gap; // [step]: cumulative mixability gap
    private final long[] rounds; // [step]
    private final boolean[] available; // [method]
    private final int candidates;

    Aggregator(double[][] priorLoss, int priorRounds, boolean[] available) {
        this.loss = deepCopy(priorLoss);
        int horizon = priorLoss[0].length;
        this.rounds = new long[horizon];
        Arrays.fill(rounds, priorRounds);
        this.available = available.clone();
        this.candidates = count(available);
        // Without the validation rounds' own gaps: the gap Hedge's worst-case rate sqrt(8 ln N / t) implies.
        this.gap = new double[horizon];
        Arrays.fill(gap, Math.sqrt(priorRounds * Math.log(Math.max(2, candidates)) / 8));
        this.logWeight = new double[priorLoss.length][horizon];
        for (int h = 0; h < horizon; h++) {
            double eta = priorRounds == 0 ? 0 : eta(h);
            for (int m = 0; m < loss.length; m++) {
                logWeight[m][h] = available[m] ? -eta * loss[m][h] : Double.NEGATIVE_INFINITY;
            }
            normalize(h);
        }
    }

    private Aggregator(double[][] loss, double[][] logWeight, double[] gap, long[] rounds, boolean[] available) {
        this.loss = loss;
        this.logWeight = logWeight;
        this.gap = gap;
        this.rounds = rounds;
        this.available = available;
        this.candidates = count(available);
    }

    private static int count(boolean[] available) {
        int n = 0;
        for (boolean a : available) {
            n += a ? 1 : 0;
        }
        return n;
    }

    /** The learning rate of step {@code h} now; infinite (follow the leader) before any gap. */
    double eta(int h) {
        return gap[h] > 0 ? Math.log(Math.max(2, candidates)) / gap[h] : Double.POSITIVE_INFINITY;
    }

    /** Weights of step {@code h}, indexed by {@link Method#ordinal()}; 0 for unavailable candidates. */
    void weights(int h, double[] out) {
        double sum = 0;
        for (int m = 0; m < loss.length; m++) {
            out[m] = available[m] ? Math.exp(logWeight[m][h]) : 0;
            sum += out[m];
        }
        for (int m = 0; m < loss.length; m++) {
            out[m] /= sum;
        }
    }

    /** One round of step {@code h}: each candidate's forecast against the actual, scaled by {@code scale}. */
    void update(int h, float[][] forecasts, int step, double actual, double scale) {
        double[] l = new double[loss.length];
        boolean[] played = new boolean[loss.length];
        for (int m = 0; m < loss.length; m++) {
            played[m] = available[m] && forecasts[m] != null;
            if (played[m]) {
                l[m] = Math.min(1, Math.abs(actual - forecasts[m][step]) / scale);
            }
        }
        double eta = eta(h);
        gap[h] += mixabilityGap(h, l, played, eta);
        for (int m = 0; m < loss.length; m++) {
            if (played[m]) {
                loss[m][h] += l[m];
                logWeight[m][h] -= Double.isInfinite(eta) ? (l[m] > min(l, played) ? 1e9 : 0) : eta * l[m];
            }
        }
        rounds[h]++;
        normalize(h);
        share(h, 1.0 / (rounds[h] + 1));
    }

    private static double min(double[] l, boolean[] played) {
        double lo = Double.POSITIVE_INFINITY;
        for (int m = 0; m < l.length; m++) {
            if (played[m]) {
                lo = Math.min(lo, l[m]);
            }
        }
        return lo;
    }

    /** The round's weighted loss minus its mix loss {@code -ln(sum w exp(-eta l)) / eta}; at least 0. */
    private double mixabilityGap(int h, double[] l, boolean[] played, double eta) {
        double[] w = new double[loss.length];
        weights(h, w);
        double weighted = 0;
        double total = 0;
        double lo = Double.POSITIVE_INFINITY;
        for (int m = 0; m < loss.length; m++) {
            if (played[m] && w[m] > 0) {
                weighted += w[m] * l[m];
                total += w[m];
                lo = Math.min(lo, l[m]);
            }
        }
        if (total <= 0) {
            return 0;
        }
        weighted /= total;
        double mix;
        if (Double.isInfinite(eta)) {
            mix = lo;
        } else {
            double sum = 0;
            for (int m = 0; m < loss.length; m++) {
                if (played[m] && w[m] > 0) {
                    sum += w[m] / total * Math.exp(-eta * (l[m] - lo));
                }
            }
            mix = lo - Math.log(sum) / eta;
        }
        return Math.max(0, weighted - mix);
    }

    /** Spreads a share {@code alpha} of the weight evenly: no candidate's weight falls below alpha / N. */
    private void share(int h, double alpha) {
        double[] w = new double[loss.length];
        weights(h, w);
        for (int m = 0; m < loss.length; m++) {
            if (available[m]) {
                logWeight[m][h] = Math.log((1 - alpha) * w[m] + alpha / candidates);
            }
        }
        normalize(h);
    }

    private void normalize(int h) {
        double max = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < loss.length; m++) {
            max = Math.max(max, logWeight[m][h]);
        }
        for (int m = 0; m < loss.length; m++) {
            if (available[m]) {
                logWeight[m][h] -= max;
            }
        }
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

    double[][] logWeights() {
        return logWeight;
    }

    double[] gaps() {
        return gap;
    }

    Aggregator copy() {
        return new Aggregator(deepCopy(loss), deepCopy(logWeight), gap.clone(), rounds.clone(), available.clone());
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int m = 0; m < a.length; m++) {
            c[m] = a[m].clone();
        }
        return c;
    }

    static Aggregator restore(double[][] loss, double[][] logWeight, double[] gap, long[] rounds, boolean[] available) {
        return new Aggregator(loss, logWeight, gap, rounds, available);
    }

    long[] roundsArray() {
        return rounds;
    }

    boolean[] availableArray() {
        return available;
    }
}
