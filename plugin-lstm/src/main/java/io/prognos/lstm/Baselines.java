package io.prognos.lstm;

import java.util.Arrays;

/**
 * The simple candidates every model is weighed against: the last value, the value one season
 * ago, that value moved to the current level, and Holt's damped trend. They work on a raw window
 * (oldest first) and fill {@code out[0..h)}.
 */
final class Baselines {

    private Baselines() {}

    static void lastValue(double[] w, double[] out) {
        Arrays.fill(out, w[w.length - 1]);
    }

    /** Value one period before each target; needs {@code w.length >= period}. */
    static void seasonal(double[] w, int period, double[] out) {
        int last = w.length - 1;
        for (int h = 1; h <= out.length; h++) {
            int seasonsBack = (h + period - 1) / period;
            out[h - 1] = w[last + h - seasonsBack * period];
        }
    }

    /**
     * The seasonal naive forecast moved by the difference between the current level and the level
     * one season ago, each the mean of the last {@link #levelSpan} values: the season's shape at
     * today's level. Needs {@code w.length >= period + levelSpan(period)}.
     */
    static void seasonalLevel(double[] w, int period, double[] out) {
        seasonal(w, period, out);
        int span = levelSpan(period);
        int last = w.length - 1;
        double now = 0;
        double before = 0;
        for (int i = 0; i < span; i++) {
            now += w[last - i];
            before += w[last - period - i];
        }
        double shift = (now - before) / span;
        for (int h = 0; h < out.length; h++) {
            out[h] += shift;
        }
    }

    /** Values averaged for the level: an eighth of the period, at least one. */
    static int levelSpan(int period) {
        return Math.max(1, period / 8);
    }

    /** Holt's linear method with a damped trend, smoothed over the window. */
    record DampedTrend(double alpha, double beta, double phi) {

        static final DampedTrend DEFAULT = new DampedTrend(0.5, 0.1, 0.9);

        void forecast(double[] w, int from, double[] out) {
            double level = w[from];
            double trend = w.length - from > 1 ? w[from + 1] - w[from] : 0;
            for (int t = from + 1; t < w.length; t++) {
                double prevLevel = level;
                level = alpha * w[t] + (1 - alpha) * (prevLevel + phi * trend);
                trend = beta * (level - prevLevel) + (1 - beta) * phi * trend;
            }
            double damp = 0;
            double p = 1;
            for (int h = 0; h < out.length; h++) {
                p *= phi;
                damp += p;
                out[h] = level + damp * trend;
            }
        }

        /** Smoothing parameters with the lowest MAE over {@code windows} (a small grid: it only has to be sane). */
        static DampedTrend fit(double[][] windows, double[][] targets) {
            DampedTrend best = DEFAULT;
            double bestErr = Double.MAX_VALUE;
            double[] out = new double[targets.length == 0 ? 1 : targets[0].length];
            for (double a : new double[] {0.2, 0.5, 0.8, 1.0}) {
                for (double b : new double[] {0.01, 0.1, 0.3}) {
                    for (double phi : new double[] {0.8, 0.9, 0.98}) {
                        DampedTrend m = new DampedTrend(a, b, phi);
                        double err = 0;
                        for (int i = 0; i < windows.length; i++) {
                            m.forecast(windows[i], 0, out);
                            for (int h = 0; h < out.length; h++) {
                                err += Math.abs(targets[i][h] - out[h]);
                            }
                        }
                        if (err < bestErr) {
                            bestErr = err;
                            best = m;
                        }
                    }
                }
            }
            return best;
        }
    }
}
