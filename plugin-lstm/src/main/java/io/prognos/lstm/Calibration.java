package io.prognos.lstm;

import java.util.Arrays;

/**
 * Split-conformal calibration per horizon step. A score is the absolute out-of-sample error divided
 * by the window's local scale, so intervals widen in turbulent stretches and narrow in calm ones;
 * the bound at miscoverage {@code alpha} is the (1 - alpha)(1 + 1/n) empirical quantile of the
 * scores. Scores are kept as at most {@link #MAX_POINTS} quantiles per step to bound model size.
 */
final class Calibration {

    static final int MAX_POINTS = 100;

    private final float[][] sortedScores;
    private final int[] sampleCounts;
    private final double referenceScale;

    /** {@code referenceScale}: the median local scale of the calibration windows, "normal" volatility. */
    Calibration(float[][] sortedScores, int[] sampleCounts, double referenceScale) {
        this.sortedScores = sortedScores;
        this.sampleCounts = sampleCounts;
        this.referenceScale = referenceScale;
    }

    static Calibration fromScores(double[][] scoresPerStep, double referenceScale) {
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
                sorted[h][i] = (float) interpolate(s, pos);
            }
        }
        return new Calibration(sorted, counts, referenceScale);
    }

    double referenceScale() {
        return referenceScale;
    }

    float[][] sortedScores() {
        return sortedScores;
    }

    int[] sampleCounts() {
        return sampleCounts;
    }

    /** Score bound for step {@code h} (0-based) at miscoverage {@code alpha}. */
    double bound(int h, double alpha) {
        float[] s = sortedScores[h];
        int n = sampleCounts[h];
        if (alpha <= 0) {
            // Adaptive alpha can go negative after a run of misses: the widest interval we can justify.
            return 2.0 * s[s.length - 1];
        }
        double level = Math.min(1.0, (1 - alpha) * (1 + 1.0 / n));
        if (level <= 0) {
            return 0;
        }
        double pos = level * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    private static double interpolate(double[] sorted, double pos) {
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        double frac = pos - lo;
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
    }
}
