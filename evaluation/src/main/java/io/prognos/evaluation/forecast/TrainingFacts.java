package io.prognos.evaluation.forecast;

import io.prognos.evaluation.Stats;
import java.util.Arrays;

/**
 * What the scorecard takes from the training part alone, so that nothing in the test part flatters
 * the figures: the scales of MASE and seasonal MASE, and the half-widths of split-conformal
 * intervals around the last value.
 *
 * @param naiveMae           in-sample MAE of the one-step naive forecast, MASE's denominator
 *                           (Hyndman and Koehler 2006)
 * @param seasonalNaiveMae   in-sample MAE of the seasonal naive forecast, or NaN without two seasons
 * @param lastValueHalfWidth per step, the split-conformal half-width of a last-value interval,
 *                           calibrated on the end of the training part
 * @param calibrationOrigins how many training origins calibrated those half-widths
 */
public record TrainingFacts(
        double naiveMae, double seasonalNaiveMae, double[] lastValueHalfWidth, int calibrationOrigins) {

    /** Share of the training part, at its end, that calibrates the last-value intervals. */
    static final double CALIBRATION_SHARE = 0.2;

    static final int MIN_CALIBRATION = 30;

    public static TrainingFacts of(double[] train, int season, int horizon, double alpha) {
        double naive = lagMae(train, 1);
        double seasonal = season >= 1 && train.length >= 2 * season ? lagMae(train, season) : Double.NaN;
        int origins = Math.max(0, train.length - horizon);
        int calibration = Math.min(origins, Math.max(MIN_CALIBRATION, (int) (CALIBRATION_SHARE * train.length)));
        double[] half = new double[horizon];
        for (int h = 1; h <= horizon; h++) {
            double[] residuals = new double[calibration];
            int k = 0;
            for (int t = train.length - h - calibration; t < train.length - h; t++) {
                if (t >= 0 && !Double.isNaN(train[t]) && !Double.isNaN(train[t + h])) {
                    residuals[k++] = Math.abs(train[t + h] - train[t]);
                }
            }
            half[h - 1] = Stats.conformalQuantile(Arrays.copyOf(residuals, k), alpha);
        }
        return new TrainingFacts(naive, seasonal, half, calibration);
    }

    private static double lagMae(double[] v, int lag) {
        double s = 0;
        int n = 0;
        for (int t = lag; t < v.length; t++) {
            if (!Double.isNaN(v[t]) && !Double.isNaN(v[t - lag])) {
                s += Math.abs(v[t] - v[t - lag]);
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
