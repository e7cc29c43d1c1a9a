package io.prognos.lstm;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.OperatingLimits;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Turns a forecast, the operating limits and the anomaly score into a failure risk.
 *
 * <p>The crossing probability comes from the forecast's own, adapted per-step distributions, read
 * as normal with the spread each step's interval implies, and joined into paths whose errors grow
 * like a random walk (independent increments, each step's variance the growth of the interval's):
 * a fixed set of {@link #PATHS} paths, so the same forecast always gives the same risk. The time to
 * failure is the paths' median first crossing, with the 10 % and 90 % first crossings as its range.
 * Statistical limits are deliberately not invented: without operating limits the assessment rests
 * on the anomaly score.
 *
 * <p>Levels: critical when a limit is crossed now or half the paths cross within
 * {@link #CRITICAL_HOURS}; high when half the paths cross within the horizon, or the anomaly score
 * reaches {@link #HIGH_ANOMALY}; medium when a fifth of them do, a warning limit is crossed now or
 * forecast to be, or the anomaly score reaches the plugin's threshold; low otherwise. The score runs
 * 0-39, 40-69, 70-89 and 90-100 through the levels, by the strength of what set the level.
 */
final class RiskAssessor {

    static final double CRITICAL_HOURS = 2;
    static final double HIGH_PROBABILITY = 0.5;
    static final double MEDIUM_PROBABILITY = 0.2;
    /** An anomaly score of 0.9: a tail probability of about 4e-6 under the sensor's normal behaviour. */
    static final double HIGH_ANOMALY = 0.9;

    static final int PATHS = 400;

    private final double anomalyThreshold;
    /** Standard normal draws, [path][step], grown as horizons need; fixed seed for reproducible risk. */
    private volatile double[][] normals = new double[0][0];

    RiskAssessor(double anomalyThreshold) {
        this.anomalyThreshold = anomalyThreshold;
    }

    /** First crossings of the simulated paths, in hours; NaN for a path that does not cross. */
    private record Crossings(double[] hours, double probability) {
        /** The first crossing that a share {@code q} of all paths reach, or null when fewer cross. */
        Double quantile(double q) {
            double[] sorted = hours.clone();
            Arrays.sort(sorted); // NaN sorts last
            int rank = (int) Math.ceil(q * sorted.length) - 1;
            return rank >= 0 && !Double.isNaN(sorted[rank]) ? sorted[rank] : null;
        }

        double withinHours(double h) {
            int n = 0;
            for (double x : hours) {
                n += !Double.isNaN(x) && x <= h ? 1 : 0;
            }
            return (double) n / hours.length;
        }
    }

    /**
     * @param anomaly    the newest interval's anomaly score
     * @param sustained  the lower of the last two intervals' scores
     * @param stillFor   intervals the value has stayed the same, when longer than ever in training (else 0)
     * @param centreShift what the paths add to the forecast's centre ({@link CentreBias#mean})
     * @param shape      the law of the paths' deviations at each step ({@link ErrorShape})
     */
    RiskAssessment assess(
            Forecast f,
            OperatingLimits limits,
            double anomaly,
            double sustained,
            int stillFor,
            double missRate,
            double centreShift,
            ErrorShape shape,
            Instant basedOn,
            Instant now) {
        List<String> reasons = new ArrayList<>();
        boolean hasLimits = limits != null && !limits.isEmpty();
        double hoursPerStep = f.interval().toMillis() / 3_600_000.0;
        boolean crossedNow = hasLimits && limits.failed(f.lastValue());
        Crossings c = hasLimits && !crossedNow ? simulate(f, limits, hoursPerStep, centreShift, shape) : null;
        double p = crossedNow ? 1 : c == null ? 0 : c.probability();
        double pSoon = crossedNow ? 1 : c == null ? 0 : c.withinHours(CRITICAL_HOURS);
        Double ttf = crossedNow ? Double.valueOf(0) : c == null || p < 0.5 ? null : c.quantile(0.5);
        Double ttfLow = crossedNow ? Double.valueOf(0) : c == null ? null : c.quantile(0.1);
        Double ttfHigh = crossedNow ? Double.valueOf(0) : c == null ? null : c.quantile(0.9);
        // A value in the warning zone now is a warning, as one beyond a limit now is critical: read
        // from the forecast alone, a sensor at 88 against a warning of 85, forecast to cool to 84 within
        // the hour, was low.
        boolean warningNow =
                hasLimits && !crossedNow && beyond(f.lastValue(), limits.warningLow(), limits.warningHigh());
        boolean warning = warningNow;
        if (hasLimits) {
            for (ForecastPoint pt : f.points()) {
                warning |= beyond(pt.value(), limits.warningLow(), limits.warningHigh());
            }
            if (crossedNow) {
                reasons.add(currentBeyond(f, "the operating limit", limits));
            } else if (ttfLow != null) {
                reasons.add(String.format(
                        Locale.ROOT,
                        "%.0f %% probability of crossing %s within %d h%s",
                        100 * p,
                        describe(limits),
                        Math.round(f.horizon() * hoursPerStep),
                        ttf != null
                                ? String.format(
                                        Locale.ROOT,
                                        ", most likely in %.1f h (%s)",
                                        ttf,
                                        ttfHigh == null
                                                ? String.format(Locale.ROOT, "%.1f h to beyond the horizon", ttfLow)
                                                : String.format(Locale.ROOT, "%.1f-%.1f h", ttfLow, ttfHigh))
                                : ""));
            }
            if (warningNow) {
                reasons.add(currentBeyond(f, "a warning level", limits));
            } else if (warning) {
                reasons.add("forecast crosses a warning level");
            }
        } else {
            reasons.add("no operating limits configured: the assessment rests on the anomaly score");
        }
        if (stillFor > 0) {
            reasons.add("the value has not changed for " + stillFor + " intervals, more than twice as long as ever in"
                    + " the training history: a stuck sensor or a lost connection to it? check it");
        }
        if (anomaly >= anomalyThreshold) {
            reasons.add(String.format(
                    Locale.ROOT,
                    "behaviour departs from the model: anomaly score %.2f (a tail"
                            + " probability of %.1g under normal behaviour)%s",
                    anomaly,
                    AnomalyStats.tailProbability(anomaly),
                    sustained >= anomalyThreshold || anomaly >= HIGH_ANOMALY ? "" : ", for one interval so far"));
        }

        RiskLevel level;
        int score;
        if (crossedNow || pSoon >= HIGH_PROBABILITY) {
            level = RiskLevel.CRITICAL;
            score = crossedNow ? 100 : 90 + (int) Math.round(9 * pSoon);
        } else if (p >= HIGH_PROBABILITY || anomaly >= HIGH_ANOMALY) {
            level = RiskLevel.HIGH;
            score = 70 + (int) Math.round(19 * Math.max(p, anomaly));
        } else if (p >= MEDIUM_PROBABILITY || warning || sustained >= anomalyThreshold) {
            level = RiskLevel.MEDIUM;
            double strength =
                    Math.max(p / HIGH_PROBABILITY, (sustained - anomalyThreshold) / (HIGH_ANOMALY - anomalyThreshold));
            score = 40 + (int) Math.round(29 * clamp(strength));
        } else {
            level = RiskLevel.LOW;
            score = (int) Math.round(39 * clamp(Math.max(p / MEDIUM_PROBABILITY, sustained / anomalyThreshold)));
            if (hasLimits && reasons.isEmpty()) {
                reasons.add("forecast stays within the operating limits " + describe(limits));
            }
        }
        Instant actBy = ttfLow != null
                ? basedOn.plusSeconds(Math.round(ttfLow * 3600))
                : switch (level) {
                    case CRITICAL -> basedOn;
                    case HIGH -> basedOn.plus(Duration.ofHours(24));
                    case MEDIUM -> basedOn.plus(Duration.ofDays(7));
                    case LOW -> basedOn.plus(Duration.ofDays(30));
                };
        return new RiskAssessment(
                f.sensor(),
                now,
                basedOn,
                score,
                level,
                ttf,
                ttfLow,
                ttfHigh,
                p,
                anomaly,
                missRate,
                hasLimits,
                actBy,
                action(level, ttfLow, stillFor > 0),
                reasons);
    }

    private Crossings simulate(
            Forecast f, OperatingLimits limits, double hoursPerStep, double centreShift, ErrorShape shape) {
        int horizon = f.horizon();
        double[][] n = normals(horizon);
        double z = Tails.normalQuantile(0.5 + f.coverage() / 2);
        double[] increment = new double[horizon];
        double[] sd = new double[horizon]; // the walk's standard deviation at each step
        double[] perSd = new double[horizon]; // its inverse, 0 where it is 0: multiplied, not divided, per path
        // Centred on the interval's middle (the served point may be another head's forecast),
        // shifted by the centre's recent one-step bias (CentreBias).
        double[] centre = new double[horizon];
        // Steps no path can cross at: however far its deviation reaches, it stays within the limits.
        boolean[] within = new boolean[horizon];
        double previousVariance = 0;
        for (int h = 0; h < horizon; h++) {
            ForecastPoint pt = f.points().get(h);
            centre[h] = (pt.lower() + pt.upper()) / 2 + centreShift;
            double sigma = (pt.upper() - pt.lower()) / (2 * z);
            double variance = sigma * sigma;
            increment[h] = Math.sqrt(Math.max(0, variance - previousVariance));
            previousVariance = Math.max(previousVariance, variance);
            sd[h] = Math.sqrt(previousVariance);
            perSd[h] = sd[h] > 0 ? 1 / sd[h] : 0;
            if (perSd[h] > 0) {
                // Rounding is monotone, so a path's value lies between these two as computed.
                double reach = sd[h] * shape.reach(h);
                within[h] = limits.firstCrossing(centre[h], centre[h] + reach) == null
                        && limits.firstCrossing(centre[h], centre[h] - reach) == null;
            }
        }
        double[] hours = new double[PATHS];
        int crossed = 0;
        for (int k = 0; k < PATHS; k++) {
            double error = 0;
            double prev = f.lastValue();
            // A step within the limits is not valued (most of an assessment's cost, with the
            // errors' shape, when limits are far), unless the next step needs it to time its crossing.
            double skippedError = Double.NaN;
            hours[k] = Double.NaN;
            for (int h = 0; h < horizon; h++) {
                error += increment[h] * n[k][h];
                if (within[h]) {
                    skippedError = error;
                    continue;
                }
                if (h > 0 && within[h - 1]) {
                    prev = value(centre, sd, perSd, shape, h - 1, skippedError);
                }
                double y = value(centre, sd, perSd, shape, h, error);
                Double frac = limits.firstCrossing(prev, y);
                if (frac != null) {
                    hours[k] = (h + frac) * hoursPerStep;
                    crossed++;
                    break;
                }
                prev = y;
            }
        }
        return new Crossings(hours, (double) crossed / PATHS);
    }

    /** A path's value at step {@code h}: the walk's deviation carried to the law of the step's errors (ErrorShape). */
    private static double value(double[] centre, double[] sd, double[] perSd, ErrorShape shape, int h, double error) {
        double deviation = perSd[h] > 0 ? sd[h] * shape.deviation(h, error * perSd[h]) : error;
        return centre[h] + deviation;
    }

    private double[][] normals(int horizon) {
        double[][] cached = normals;
        if (cached.length == PATHS && cached[0].length >= horizon) {
            return cached;
        }
        Random r = new Random(20_250_101L);
        double[][] n = new double[PATHS][Math.max(horizon, 12)];
        for (double[] row : n) {
            for (int h = 0; h < row.length; h++) {
                row[h] = r.nextGaussian();
            }
        }
        normals = n;
        return n;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    /**
     * What to do at a level. A sensor whose value has stopped changing (and no limit is forecast
     * to be crossed) wants its sensor checked, not the equipment inspected: "behaviour changed"
     * sent a stuck sensor's plant to the machine.
     */
    static String action(RiskLevel level, Double ttfLow, boolean still) {
        if (still && ttfLow == null && (level == RiskLevel.MEDIUM || level == RiskLevel.HIGH)) {
            return "Check the sensor and its connection within " + (level == RiskLevel.HIGH ? "24 hours" : "the week")
                    + ": its value has stopped changing";
        }
        return switch (level) {
            case LOW -> "Continue normal monitoring";
            case MEDIUM -> "Schedule an inspection within the week";
            case HIGH ->
                ttfLow != null
                        ? String.format(
                                Locale.ROOT, "Plan maintenance within %.0f hours", Math.max(1, Math.floor(ttfLow)))
                        : "Inspect the equipment within 24 hours: behaviour changed";
            case CRITICAL -> "Act now: inspect or stop the equipment";
        };
    }

    private static boolean beyond(double v, Double low, Double high) {
        return (high != null && v >= high) || (low != null && v <= low);
    }

    /** "the current value 92.8 is beyond {@code what} [lo, hi]". */
    private static String currentBeyond(Forecast f, String what, OperatingLimits limits) {
        return String.format(
                Locale.ROOT, "the current value %.4g is beyond %s %s", f.lastValue(), what, describe(limits));
    }

    private static String describe(OperatingLimits l) {
        if (l.low() != null && l.high() != null) {
            return "[" + l.low() + ", " + l.high() + "]";
        }
        return l.high() != null ? "high " + l.high() : "low " + l.low();
    }
}
