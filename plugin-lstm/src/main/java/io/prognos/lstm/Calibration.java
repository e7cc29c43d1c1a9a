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
     * Score bound for step {@code h} (0-based) at miscoverage {@code alpha}, which the caller keeps
     * within (0, 1): a level beyond what the scores can back gives their largest, never infinity.
     */
    double bound(int h, double alpha) {
        float[] s = sortedScores[h];
        int n = sampleCounts[h];
        double level = Math.min(1.0, (1 - alpha) * (1 + 1.0 / n));
        if (level <= 0) {
            return s[0];
        }
        double pos = level * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }
}
