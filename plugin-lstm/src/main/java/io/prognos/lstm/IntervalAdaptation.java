package io.prognos.lstm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * How wide each step's interval is now: adaptive conformal inference run at several step sizes at
 * once, weighted by how well each has done (dynamically-tuned adaptive conformal inference, Gibbs
 * and Candès 2024, "Conformal inference for online prediction with arbitrary distribution shifts").
 *
 * <p>Each expert {@code k} is adaptive conformal inference with its own step size {@code gamma_k}:
 * after every actual its miscoverage {@code theta} moves by {@code gamma_k (alpha - miss)}, unbounded,
 * so that its long-run miss rate stays at {@code alpha} (the guarantee needs every miss and every hit
 * counted). Its half-width is the calibration scores' bound at {@code theta} within [alpha / 5,
 * 3 alpha]; below that range the bound at alpha / 5 times {@code exp(alpha / 5 - theta)} (the errors
 * outgrew every calibration score), never beyond the range of values seen; above it the bound at
 * 3 alpha divided by {@code exp(theta - 3 alpha)}, at most tenfold, so an interval never claims a
 * certainty the calibration did not show.
 *
 * <p>A small step keeps the interval steady on a steady sensor; a large one follows a run to failure
 * within a few intervals. No one step size is right for both, so none is chosen: the served
 * half-width is the weighted mean of the experts', the weights learnt from each expert's pinball loss
 * at the nominal level ({@code alpha (q - e)} when the error {@code e} is inside its half-width
 * {@code q}, {@code (1 - alpha)(e - q)} outside: the interval score up to terms all experts share) by
 * the same exponential weights with adaptive rate and fixed share as the forecasts ({@link
 * Aggregator}; losses in units of the range seen, clipped to 1). The pinball loss is convex in
 * {@code q}, so the served width's loss stays within that aggregation's bound of the best step size
 * in hindsight, or of the best sequence of them with few switches.
 *
 * <p>The step sizes are the paper's grid, {@code gamma_max / 2^j} for {@code j = 0..7}, with
 * {@code gamma_max = lstm.adaptation-rate} (0.128 there and here; 0 turns adaptation off). Chosen on
 * the tuning set against one step size of 0.02 with the miscoverage clamped to [alpha / 5, 3 alpha]
 * (docs/evaluation.md): both interval targets on 30 of 35 series (27), mean |coverage - 0.9| 0.014
 * (0.019), interval score ratio 0.571 (0.575) on the NAB files and 0.716 (0.722) on SKAB valve1.
 */
final class IntervalAdaptation {

    static final int EXPERTS = 8;
    /** Below alpha / 5 the interval widens past the calibration's scores. */
    static final double ALPHA_FLOOR_SHARE = 0.2;
    /** Above 3 alpha the interval narrows past them, at most {@link #MAX_NARROWING} times. */
    static final double ALPHA_CEILING_SHARE = 3;

    static final double MAX_NARROWING = 10;
    /** Its logarithm, once: the update below ran {@code Math.log} for each expert and step of every actual. */
    private static final double LOG_MAX_NARROWING = Math.log(MAX_NARROWING);

    private final double nominalAlpha;
    private final double[] rates; // [expert]
    private final double[][] theta; // [expert][step]: the miscoverage, unbounded
    private final Aggregator weights;
    private final double[] w;
    private final double[] loss;
    private final boolean[] played;

    private IntervalAdaptation(double nominalAlpha, double[] rates, double[][] theta, Aggregator weights) {
        this.nominalAlpha = nominalAlpha;
        this.rates = rates;
        this.theta = theta;
        this.weights = weights;
        this.w = new double[rates.length];
        this.loss = new double[rates.length];
        this.played = new boolean[rates.length];
        Arrays.fill(played, true);
    }

    /** Whether it adapts intervals of {@code horizon} steps at that nominal miscoverage. */
    boolean fits(int horizon, double nominalAlpha) {
        return theta[0].length == horizon && this.nominalAlpha == nominalAlpha;
    }

    /** Every expert at the nominal miscoverage, weighted equally; {@code maxRate} 0 keeps them there. */
    static IntervalAdaptation start(int horizon, double nominalAlpha, double maxRate) {
        double[] t = new double[horizon];
        Arrays.fill(t, nominalAlpha);
        return from(nominalAlpha, t, maxRate);
    }

    /** Every expert of {@code maxRate}'s grid at the miscoverages given, weighted equally; one when it is 0. */
    static IntervalAdaptation from(double nominalAlpha, double[] thetaPerStep, double maxRate) {
        // Adaptation off: eight experts that never move would all serve the calibrated width.
        double[] rates = new double[maxRate > 0 ? EXPERTS : 1];
        for (int k = 0; k < rates.length; k++) {
            rates[k] = maxRate / (1 << k);
        }
        return withRates(nominalAlpha, thetaPerStep, rates);
    }

    /** Experts at the step sizes given, each starting at the miscoverages given. */
    static IntervalAdaptation withRates(double nominalAlpha, double[] thetaPerStep, double... rates) {
        int n = rates.length;
        double[][] t = new double[n][];
        for (int k = 0; k < n; k++) {
            t[k] = thetaPerStep.clone();
        }
        boolean[] all = new boolean[n];
        Arrays.fill(all, true);
        return new IntervalAdaptation(nominalAlpha, rates.clone(), t, new Aggregator(thetaPerStep.length, all));
    }

    /**
     * The state of the format before the experts (one step size, the miscoverage clamped to
     * [alpha / 5, 3 alpha] and a log-scale width factor below it) as the same widths in this one.
     */
    static double[] thetaOfClamped(double[] alpha, double[] widen) {
        double[] t = new double[alpha.length];
        for (int h = 0; h < t.length; h++) {
            t[h] = alpha[h] - widen[h];
        }
        return t;
    }

    /** The served half-width of step {@code h} (0-based), in the units of {@code scale}. */
    double halfWidth(int h, Calibration c, double scale, double rangeSeen) {
        weights.weights(h, w);
        double half = 0;
        for (int k = 0; k < rates.length; k++) {
            half += w[k] * expertHalfWidth(theta[k][h], h, c, scale, rangeSeen);
        }
        return half;
    }

    /** Learns from step {@code h}'s absolute error {@code error} against the forecast it served. */
    void update(int h, double error, Calibration c, double scale, double rangeSeen) {
        double unit = rangeSeen > 0 ? rangeSeen : Math.max(1e-12, scale);
        double ceiling = ceiling();
        for (int k = 0; k < rates.length; k++) {
            double q = expertHalfWidth(theta[k][h], h, c, scale, rangeSeen);
            int miss = error > q ? 1 : 0;
            loss[k] = Math.min(1, (nominalAlpha * (q - error) + Math.max(0, error - q)) / unit);
            // Past the largest narrowing, hits no longer move it: else a sensor quiet for long would
            // need as long to widen again.
            theta[k][h] = Math.min(ceiling + LOG_MAX_NARROWING, theta[k][h] + rates[k] * (nominalAlpha - miss));
        }
        weights.learn(h, loss, played);
    }

    private double expertHalfWidth(double t, int h, Calibration c, double scale, double rangeSeen) {
        double floor = ALPHA_FLOOR_SHARE * nominalAlpha;
        double ceiling = ceiling();
        if (t < floor) {
            double half = c.bound(h, floor) * scale;
            return Math.max(half, Math.min(half * Math.exp(floor - t), rangeSeen));
        }
        if (t > ceiling) {
            return c.bound(h, ceiling) * scale * Math.exp(ceiling - t);
        }
        return c.bound(h, t) * scale;
    }

    private double ceiling() {
        return Math.min(0.9, ALPHA_CEILING_SHARE * nominalAlpha);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeDouble(nominalAlpha);
        out.writeInt(rates.length);
        for (int k = 0; k < rates.length; k++) {
            out.writeDouble(rates[k]);
            DataArrays.writeDoubles(out, theta[k]);
        }
        weights.write(out);
    }

    static IntervalAdaptation read(DataInputStream in) throws IOException {
        double nominalAlpha = in.readDouble();
        if (!(nominalAlpha > 0 && nominalAlpha < 1)) {
            throw new IOException("implausible nominal miscoverage " + nominalAlpha);
        }
        int n = in.readInt();
        if (n < 1 || n > 64) {
            throw new IOException("implausible number of interval experts " + n);
        }
        double[] rates = new double[n];
        double[][] t = new double[n][];
        for (int k = 0; k < n; k++) {
            rates[k] = in.readDouble();
            if (!(rates[k] >= 0 && rates[k] <= 1)) {
                throw new IOException("implausible adaptation step size " + rates[k]);
            }
            t[k] = DataArrays.readDoubles(in);
            if (t[k].length != t[0].length) {
                throw new IOException("interval experts' arrays of different lengths");
            }
        }
        Aggregator weights = Aggregator.read(in, false);
        if (weights.methods() != n || weights.roundsArray().length != t[0].length) {
            throw new IOException("interval experts' weights do not match the experts");
        }
        return new IntervalAdaptation(nominalAlpha, rates, t, weights);
    }
}
