package io.prognos.evaluation;

import java.util.Arrays;
import java.util.Collection;

/** The few statistics the scorecard needs, in one place. */
public final class Stats {

    private Stats() {}

    public static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The geometric mean of positive ratios, the right average for relative errors (Fleming and
     * Wallace 1986): a series twice as good and one twice as bad average to 1, not 1.25. Non-finite
     * or non-positive values are left out; NaN when none is left.
     */
    public static double geometricMean(Collection<Double> ratios) {
        double logSum = 0;
        int n = 0;
        for (Double r : ratios) {
            if (r != null && Double.isFinite(r) && r > 0) {
                logSum += Math.log(r);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(logSum / n);
    }

    /**
     * The split-conformal bound: the {@code ceil((1 - alpha)(n + 1))}-th smallest of {@code n}
     * scores, or +infinity when that rank exceeds {@code n} (too few scores for the level).
     */
    public static double conformalQuantile(double[] scores, double alpha) {
        if (scores.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double[] s = scores.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil((1 - alpha) * (s.length + 1));
        return rank > s.length ? Double.POSITIVE_INFINITY : s[Math.max(0, rank - 1)];
    }

    /** Rounds for reports: four decimals is more than any figure here is worth. */
    public static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : v;
    }
}
