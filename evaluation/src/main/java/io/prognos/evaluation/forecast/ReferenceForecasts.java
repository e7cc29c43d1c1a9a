package io.prognos.evaluation.forecast;

import java.util.Arrays;

/**
 * The baselines an evaluation compares against, computed from the resampled series alone: the
 * last value, the value one season earlier, and Holt's damped trend with parameters chosen by
 * one-step squared error on the training part (as ETS is fitted). Missing buckets are NaN and
 * skipped.
 *
 * <p>The plugin has damped-trend candidates of its own. This one stays separate on purpose: a
 * reference must be independent of the system it judges, or a mistake in the plugin's version
 * would move the yardstick with the thing measured (the M-competitions score every entry against
 * benchmarks that no entry computes itself).
 */
public final class ReferenceForecasts {

    public static final String LAST_VALUE = "last_value";
    public static final String SEASONAL = "seasonal";
    public static final String DAMPED_TREND = "damped_trend";

    private final int period;
    private final double alpha;
    private final double beta;
    private final double phi;

    private ReferenceForecasts(int period, double alpha, double beta, double phi) {
        this.period = period;
        this.alpha = alpha;
        this.beta = beta;
        this.phi = phi;
    }

    /** Chooses the damped trend's parameters by one-step error on {@code train} (a small grid, like ETS fits). */
    public static ReferenceForecasts fit(double[] train, int period) {
        double best = Double.POSITIVE_INFINITY;
        double[] chosen = {0.5, 0.05, 0.9};
        for (double a : new double[] {0.1, 0.3, 0.5, 0.8, 1.0}) {
            for (double b : new double[] {0.01, 0.05, 0.1, 0.3}) {
                for (double p : new double[] {0.8, 0.9, 0.98}) {
                    double sse = oneStepSse(train, a, b, p);
                    if (sse < best) {
                        best = sse;
                        chosen = new double[] {a, b, p};
                    }
                }
            }
        }
        return new ReferenceForecasts(period, chosen[0], chosen[1], chosen[2]);
    }

    private static double oneStepSse(double[] x, double a, double b, double p) {
        Holt h = new Holt(a, b, p);
        double sse = 0;
        for (double v : x) {
            if (Double.isNaN(v)) {
                continue;
            }
            if (h.started()) {
                double e = v - h.forecast(1);
                sse += e * e;
            }
            h.observe(v);
        }
        return sse;
    }

    public Holt newTrend() {
        return new Holt(alpha, beta, phi);
    }

    /** Forecasts of the three baselines from {@code values[0..origin]} (inclusive), steps 1..horizon. */
    public double[][] forecast(double[] values, int origin, int horizon, Holt trend) {
        double last = Double.NaN;
        for (int i = origin; i >= 0 && Double.isNaN(last); i--) {
            last = values[i];
        }
        double[] lastValue = new double[horizon];
        double[] seasonal = new double[horizon];
        double[] damped = new double[horizon];
        Arrays.fill(lastValue, last);
        for (int h = 1; h <= horizon; h++) {
            int back = origin + h - period * (int) Math.ceil((double) h / period);
            double s = period > 0 && back >= 0 ? values[back] : Double.NaN;
            seasonal[h - 1] = Double.isNaN(s) ? last : s;
            damped[h - 1] = trend.started() ? trend.forecast(h) : last;
        }
        return new double[][] {lastValue, seasonal, damped};
    }

    /** Holt's linear method with a damped trend. */
    public static final class Holt {
        private final double a;
        private final double b;
        private final double p;
        private double level = Double.NaN;
        private double trend;

        Holt(double a, double b, double p) {
            this.a = a;
            this.b = b;
            this.p = p;
        }

        public boolean started() {
            return !Double.isNaN(level);
        }

        public void observe(double v) {
            if (Double.isNaN(v)) {
                return;
            }
            if (!started()) {
                level = v;
                return;
            }
            double previous = level;
            level = a * v + (1 - a) * (level + p * trend);
            trend = b * (level - previous) + (1 - b) * p * trend;
        }

        public double forecast(int h) {
            double damp = 0;
            double f = 1;
            for (int i = 1; i <= h; i++) {
                f *= p;
                damp += f;
            }
            return level + damp * trend;
        }
    }
}
