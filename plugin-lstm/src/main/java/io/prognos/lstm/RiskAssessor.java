package io.prognos.lstm;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.OperatingLimits;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a forecast into a failure risk. Time to failure is the first time the point forecast
 * crosses a failure limit (as ThingsBoard Trendz does); the crossing probability reads each step's
 * interval as a normal distribution. Without limits the only signal is deviation: actual readings
 * that keep falling outside their own forecast intervals. Statistical thresholds are deliberately
 * not invented here: they raised alerts on most hours of a real machine-temperature series.
 *
 * <p>Levels: critical when a limit is already crossed or will be within {@link #CRITICAL_HOURS};
 * high when the forecast crosses a failure limit within the horizon; medium when a crossing is
 * plausible (probability at least {@link #MEDIUM_PROBABILITY}), a warning limit is crossed, or
 * deviation is well above nominal; low otherwise.
 */
final class RiskAssessor {

    static final double CRITICAL_HOURS = 2;
    static final double MEDIUM_PROBABILITY = 0.2;
    /**
     * Miss rate this many times the nominal rate means the model no longer explains the sensor.
     * With OnlineState's 12-reading average, set by `evaluate` on NAB's labelled series: 2.5 gave
     * 3 false alerts per 30 days on ambient temperature, 3.5 missed two of nyc_taxi's windows; 3.25
     * catches half the windows before their failure point with at most 1.6 false alerts per 30 days.
     */
    static final double DEVIATION_MEDIUM = 3.25;
    static final double DEVIATION_HIGH = 5;
    /** Deviation is judged only after this many actuals were scored. */
    static final long MIN_SCORED = 12;

    RiskAssessment assess(Forecast f, OperatingLimits limits, double missRate, double nominalMiss, long scored,
                          Instant now) {
        List<String> reasons = new ArrayList<>();
        boolean hasLimits = limits != null && !limits.isEmpty();
        double hoursPerStep = f.interval().toMillis() / 3_600_000.0;
        double z = zFor(f.coverage());

        Double ttf = null;
        double pCross = 0;
        boolean warningCrossed = false;
        boolean crossedNow = false;
        if (hasLimits) {
            crossedNow = beyond(f.lastValue(), limits.low(), limits.high());
            if (crossedNow) {
                ttf = 0.0;
                reasons.add(String.format(Locale.ROOT, "the current value %.4g is beyond the operating limit %s",
                        f.lastValue(), describe(limits)));
            }
            double prev = f.lastValue();
            for (ForecastPoint p : f.points()) {
                if (ttf == null) {
                    Double frac = crossing(prev, p.value(), limits.low(), limits.high());
                    if (frac != null) {
                        ttf = (p.stepsAhead() - 1 + frac) * hoursPerStep;
                    }
                }
                double sigma = Math.max(1e-12, (p.upper() - p.lower()) / (2 * z));
                double step = 0;
                if (limits.high() != null) {
                    step += 1 - normalCdf((limits.high() - p.value()) / sigma);
                }
                if (limits.low() != null) {
                    step += normalCdf((limits.low() - p.value()) / sigma);
                }
                pCross = Math.max(pCross, Math.min(1, step));
                warningCrossed |= beyond(p.value(), limits.warningLow(), limits.warningHigh());
                prev = p.value();
            }
            if (crossedNow) {
                pCross = 1;
            }
            if (ttf != null && !crossedNow) {
                reasons.add(String.format(Locale.ROOT, "forecast crosses the operating limit %s in %.1f h",
                        describe(limits), ttf));
            }
            if (pCross >= 0.01 && ttf == null) {
                reasons.add(String.format(Locale.ROOT, "%.0f %% probability of crossing %s within %d h", 100 * pCross,
                        describe(limits), Math.round(f.horizon() * hoursPerStep)));
            }
            if (warningCrossed) {
                reasons.add("forecast crosses a warning level");
            }
        } else {
            reasons.add("no operating limits configured: the assessment relies on deviation from the model only");
        }

        double deviationRatio = scored >= MIN_SCORED ? missRate / nominalMiss : 1;
        if (deviationRatio >= DEVIATION_MEDIUM) {
            reasons.add(String.format(Locale.ROOT,
                    "behaviour no longer matches the model: %.0f %% of recent readings fell outside their forecast"
                            + " interval (expected %.0f %%)", 100 * missRate, 100 * nominalMiss));
        }

        RiskLevel level;
        int score;
        double horizonHours = f.horizon() * hoursPerStep;
        if (crossedNow || (ttf != null && ttf <= CRITICAL_HOURS)) {
            level = RiskLevel.CRITICAL;
            score = crossedNow ? 100 : (int) Math.round(90 + 9 * (1 - ttf / CRITICAL_HOURS));
        } else if (ttf != null || deviationRatio >= DEVIATION_HIGH) {
            level = RiskLevel.HIGH;
            double urgency = ttf != null ? 1 - ttf / Math.max(horizonHours, ttf) : 0.5;
            score = (int) Math.round(70 + 19 * urgency);
        } else if (pCross >= MEDIUM_PROBABILITY || warningCrossed || deviationRatio >= DEVIATION_MEDIUM) {
            level = RiskLevel.MEDIUM;
            double strength = Math.max(pCross, Math.min(1, (deviationRatio - 1) / (DEVIATION_HIGH - 1)));
            score = (int) Math.round(40 + 29 * Math.min(1, strength));
        } else {
            level = RiskLevel.LOW;
            double strength = Math.max(pCross / MEDIUM_PROBABILITY,
                    Math.max(0, (deviationRatio - 1) / (DEVIATION_MEDIUM - 1)));
            score = (int) Math.round(39 * Math.min(1, strength));
            if (hasLimits && reasons.isEmpty()) {
                reasons.add("forecast stays within the operating limits " + describe(limits));
            }
        }
        return new RiskAssessment(f.sensor(), now, score, level, ttf, pCross, missRate, hasLimits,
                action(level, ttf), reasons);
    }

    static String action(RiskLevel level, Double ttf) {
        return switch (level) {
            case LOW -> "Continue normal monitoring";
            case MEDIUM -> "Schedule an inspection within the week";
            case HIGH -> ttf != null
                    ? String.format(Locale.ROOT, "Plan maintenance within %.0f hours", Math.max(1, Math.floor(ttf)))
                    : "Inspect the equipment within 24 hours: behaviour changed";
            case CRITICAL -> "Act now: inspect or stop the equipment";
        };
    }

    private static boolean beyond(double v, Double low, Double high) {
        return (high != null && v >= high) || (low != null && v <= low);
    }

    /** Fraction of the step at which the line from a to b first reaches a limit, or null. */
    private static Double crossing(double a, double b, Double low, Double high) {
        Double best = null;
        if (high != null && b >= high && a < high) {
            best = (high - a) / (b - a);
        }
        if (low != null && b <= low && a > low) {
            double f = (a - low) / (a - b);
            best = best == null ? f : Math.min(best, f);
        }
        return best;
    }

    private static String describe(OperatingLimits l) {
        if (l.low() != null && l.high() != null) {
            return "[" + l.low() + ", " + l.high() + "]";
        }
        return l.high() != null ? "high " + l.high() : "low " + l.low();
    }

    static double normalCdf(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /** Abramowitz-Stegun 7.1.26; error below 1.5e-7, plenty for a risk score. */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }

    /** The last coverage asked for and its z: every model of a host uses the same coverage. */
    private volatile double[] lastZ = {Double.NaN, Double.NaN};

    private double zFor(double coverage) {
        double[] cached = lastZ;
        if (cached[0] == coverage) {
            return cached[1];
        }
        double z = normalQuantile(0.5 + coverage / 2);
        lastZ = new double[] {coverage, z};
        return z;
    }

    /** Inverse normal CDF by bisection (80 halvings of [-10, 10]). */
    static double normalQuantile(double p) {
        double lo = -10;
        double hi = 10;
        for (int i = 0; i < 80; i++) {
            double mid = (lo + hi) / 2;
            if (normalCdf(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
