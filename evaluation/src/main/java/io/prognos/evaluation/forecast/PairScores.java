package io.prognos.evaluation.forecast;

/**
 * One method's errors on (origin, step) pairs, per horizon step, and the scores of its intervals
 * when it has them. Ratios between methods are only meaningful on the same pairs: the backtest
 * adds a pair to every method or to none.
 */
public final class PairScores {

    private final double alpha;
    private final double[] abs;
    private final double[] sq;
    private final long[] n;
    private final long[] covered;
    private final double[] width;
    private final double[] intervalScore;
    private final long[] intervals;

    /** {@code alpha}: the nominal miscoverage of the intervals, {@code 1 - coverage}. */
    public PairScores(int horizon, double alpha) {
        this.alpha = alpha;
        abs = new double[horizon];
        sq = new double[horizon];
        n = new long[horizon];
        covered = new long[horizon];
        width = new double[horizon];
        intervalScore = new double[horizon];
        intervals = new long[horizon];
    }

    /** {@code step} counts from 1. */
    public void add(int step, double actual, double predicted) {
        double e = actual - predicted;
        abs[step - 1] += Math.abs(e);
        sq[step - 1] += e * e;
        n[step - 1]++;
    }

    public void addInterval(int step, double actual, double lower, double upper) {
        covered[step - 1] += actual >= lower && actual <= upper ? 1 : 0;
        width[step - 1] += upper - lower;
        intervalScore[step - 1] += intervalScore(lower, upper, actual, alpha);
        intervals[step - 1]++;
    }

    /**
     * The interval (Winkler) score of {@code [lower, upper]} at miscoverage {@code alpha}: the width,
     * plus {@code 2 / alpha} times the distance by which {@code actual} falls outside. Lower is
     * better; it punishes width and misses alike (Gneiting and Raftery 2007, eq. 43).
     */
    public static double intervalScore(double lower, double upper, double actual, double alpha) {
        double s = upper - lower;
        if (actual < lower) {
            s += 2 / alpha * (lower - actual);
        } else if (actual > upper) {
            s += 2 / alpha * (actual - upper);
        }
        return s;
    }

    public int horizon() {
        return n.length;
    }

    public long count() {
        return sum(n);
    }

    public double mae() {
        return ratio(sum(abs), count());
    }

    public double mae(int step) {
        return ratio(abs[step - 1], n[step - 1]);
    }

    public double rmse() {
        return Math.sqrt(ratio(sum(sq), count()));
    }

    public double rmse(int step) {
        return Math.sqrt(ratio(sq[step - 1], n[step - 1]));
    }

    public boolean hasIntervals() {
        return sum(intervals) > 0;
    }

    public double coverage() {
        return ratio(sum(covered), sum(intervals));
    }

    public double coverage(int step) {
        return ratio(covered[step - 1], intervals[step - 1]);
    }

    public double meanWidth() {
        return ratio(sum(width), sum(intervals));
    }

    public double meanWidth(int step) {
        return ratio(width[step - 1], intervals[step - 1]);
    }

    public double intervalScore() {
        return ratio(sum(intervalScore), sum(intervals));
    }

    public double intervalScore(int step) {
        return ratio(intervalScore[step - 1], intervals[step - 1]);
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
