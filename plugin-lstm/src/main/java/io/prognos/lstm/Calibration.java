package io.prognos.lstm;

import java.util.Arrays;

/**
 * Split-conformal calibration per horizon step, on windows kept apart from training, early stopping
 * and the method weights. A score is the absolute error of the served forecast in units of the
 * training data's typical one-step change ({@link Scaler#errorScale}); the bound at miscoverage
 * {@code alpha} is the {@code (1 - alpha)(1 + 1/n)} empirical quantile of the scores.
 * Scores are kept as at most {@link #MAX_POINTS} quantiles per step to bound the model's size.
 */
final class Calibration {

    static final int MAX_POINTS = 100;

    private final float[][] sortedScores;
    private final int[] sampleCounts;

    Calibration(float[][] sortedScores, int[] sampleCounts) {
        this.sortedScores = sortedScores;
        this.sampleCounts = sampleCounts;
    }

    static Calibration fromScores(double[][] scoresPerStep) {
        int steps = scoresPerStep.length;
        float[][] sorted = new float[steps][];
        int[] counts = new int[steps];
        for (int h = 0; h < steps; h++) {
            double[] s = scoresPerStep[h].clone();
            Arrays.sort(s);
            counts[h] = s.length;
            int k = Math.min(MAX_POINTS, s.length);
            sorted[h] = new float[k];
            for (int i = 0; i < k; i++) {
                double pos = k == 1 ? 0 : (double) i * (s.length - 1) / (k - 1);
                int lo = (int) Math.floor(pos);
                int hi = Math.min(s.length - 1, lo + 1);
                sorted[h][i] = (float) (s[lo] + (s[hi] - s[lo]) * (pos - lo));
            }
        }
        return new Calibration(sorted, counts);
    }

    float[][] sortedScores() {
        return sortedScores;
    }

    int[] sampleCounts() {
        return sampleCounts;
    }

    /**
     * How far step {@code h}'s error scale can be trusted, as the degrees of freedom of Student's t,
     * the predictive law of an error standardized by an estimated scale: {@code perScore} (from
     * {@link #degreesPerScore}) for each of the step's calibration scores, at least one.
     */
    double degreesOfFreedom(int h, double perScore) {
        return Math.max(1, perScore * sampleCounts[h]);
    }

    /**
     * The scale is the {@code coverage} quantile {@code q} ({@code z}, read as a normal's) of the
     * absolute errors: that quantile of {@code n} scores has a relative variance of {@code p (1 - p)
     * / (n g(q)^2 q^2)} ({@code p} the coverage, {@code g} the half-normal density), which a scale
     * from {@code nu} degrees of freedom matches at {@code nu = 1 / (2 x that)}: about {@code 0.64 n}
     * at 90 %. Read as a normal instead, a scale 10-20 % too small (60-100 calibration scores) made a
     * 4.5-sigma reading of a stable sensor 1-2 decimal digits more surprising than it was.
     */
    static double degreesPerScore(double coverage, double z) {
        double g = 2 * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
        return g * g * z * z / (2 * coverage * (1 - coverage));
    }

    /**
     * Score bound for step {@code h} (0-based) at miscoverage {@code alpha}, which the caller keeps
     * within (0, 1): a level beyond what the scores can back gives their largest, never infinity.
     */
    double bound(int h, double alpha) {
        float[] s = sortedScores[h];
        int n = sampleCounts[h];
        return quantile(s, (1 - alpha) * (1 + 1.0 / n));
    }

    /** The quantile of non-empty {@code sorted} at {@code level} (kept within [0, 1]), linear between points. */
    static double quantile(float[] sorted, double level) {
        double pos = Math.max(0, Math.min(1, level)) * (sorted.length - 1);
        int lo = (int) pos; // pos >= 0: the cast is the floor
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
