package io.prognos.host;

/**
 * Error sums of one forecasting method per horizon step: MAE and RMSE per step and over all
 * steps. MASE is the ratio of two methods' MAE on the same (origin, step) pairs.
 */
final class ForecastScores {

    private final double[] abs;
    private final double[] sq;
    private final long[] n;

    ForecastScores(int horizon) {
        abs = new double[horizon];
        sq = new double[horizon];
        n = new long[horizon];
    }

    /** {@code step} counts from 1. */
    void add(int step, double actual, double predicted) {
        double e = actual - predicted;
        abs[step - 1] += Math.abs(e);
        sq[step - 1] += e * e;
        n[step - 1]++;
    }

    int horizon() {
        return n.length;
    }

    long count() {
        long c = 0;
        for (long x : n) {
            c += x;
        }
        return c;
    }

    double mae(int step) {
        return n[step - 1] == 0 ? Double.NaN : abs[step - 1] / n[step - 1];
    }

    double rmse(int step) {
        return n[step - 1] == 0 ? Double.NaN : Math.sqrt(sq[step - 1] / n[step - 1]);
    }

    double mae() {
        double s = 0;
        for (double x : abs) {
            s += x;
        }
        return count() == 0 ? Double.NaN : s / count();
    }

    double rmse() {
        double s = 0;
        for (double x : sq) {
            s += x;
        }
        return count() == 0 ? Double.NaN : Math.sqrt(s / count());
    }

    /** This method's MAE relative to {@code reference}'s on the same pairs. */
    double mase(ForecastScores reference) {
        return mae() / reference.mae();
    }
}
