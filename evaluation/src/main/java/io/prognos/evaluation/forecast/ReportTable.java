package io.prognos.evaluation.forecast;

import io.prognos.evaluation.nab.CorpusScore;
import java.util.Locale;
import java.util.Map;

/** The reports as tables for people; {@code --json} gives the same figures to scripts. */
public final class ReportTable {

    private ReportTable() {}

    public static String series(SeriesReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(f(
                "%s: %d readings at %s, %d origins from %s, horizon %d (metrics version %d)%n",
                r.series(), r.readings(), r.interval(), r.origins(), r.testStart(), r.horizon(), r.metricsVersion()));
        sb.append(f(
                "MASE scale (training part): one-step naive MAE %s, seasonal naive MAE %s (%d steps)%n",
                n(r.scales().naiveMae()),
                n(r.scales().seasonalNaiveMae()),
                r.scales().seasonSteps()));
        sb.append(f(
                "%-14s %10s %10s %7s %9s %7s %9s%n",
                "method", "MAE", "RMSE", "MASE", "MASE_seas", "relMAE", "relMAE_s"));
        r.methods()
                .forEach((name, m) -> sb.append(f(
                        "%-14s %10s %10s %7s %9s %7s %9s%n",
                        name,
                        n(m.mae()),
                        n(m.rmse()),
                        n(m.mase()),
                        n(m.maseSeasonal()),
                        n(m.relmae()),
                        n(m.relmaeSeasonal()))));
        sb.append("relMAE per step (prognos):");
        r.methods()
                .get(Backtester.PROGNOS)
                .perStep()
                .forEach(s -> sb.append(' ').append(n(s.relmae())));
        sb.append('\n');
        SeriesReport.IntervalReport lv = r.lastValueIntervals();
        sb.append(f(
                "intervals at nominal %.2f: prognos coverage %s, mean width %s, interval score %s;"
                        + " split-conformal last value %s, %s, %s; interval score ratio %s%n",
                r.nominalCoverage(),
                n(r.coverage()),
                n(r.meanWidth()),
                n(r.intervalScore()),
                n(lv.coverage()),
                n(lv.meanWidth()),
                n(lv.intervalScore()),
                n(r.intervalScoreRatio())));
        SeriesReport.ModelReport m = r.model();
        sb.append(f(
                "model: trained as %s (validation MAE %s vs %s last value); served %s%n",
                m.trainedMethod(), n(m.validationMae()), n(m.validationLastValueMae()), m.servedPerOrigin()));
        AlertReport a = r.alerts();
        sb.append(f(
                "alerts (limits %s): %d of %d assessments alerting (duty cycle %s), %d episodes, %d false"
                        + " (%s per 30 days outside windows)%n",
                a.limits(),
                a.alerting(),
                a.assessments(),
                n(a.dutyCycle()),
                a.episodes(),
                a.falseEpisodes(),
                n(a.falseEpisodesPer30Days())));
        if (a.nab() != null) {
            sb.append("NAB (test part):");
            a.nab().forEach((profile, s) -> sb.append(f(" %s %s (raw %s)", profile, n(s.score()), n(s.raw()))));
            sb.append(f("; windows caught before failure: %d of %d%n", a.caughtBeforeFailure(), a.windowsInTestPart()));
        }
        for (AlertReport.WindowReport w : a.windows()) {
            sb.append(f(
                    "  window %s .. %s (failure %s): %s%n",
                    w.start(),
                    w.end(),
                    w.failurePoint(),
                    w.caught()
                            ? f(
                                    "first alert %s, %s h after start, %s h before failure",
                                    w.firstAlert(), n(-w.hoursBeforeStart()), n(w.hoursBeforeFailure()))
                            : "missed"));
        }
        if (a.timeToFailure() != null) {
            sb.append(timeToFailure(a.timeToFailure()));
        }
        SeriesReport.Timing t = r.timing();
        sb.append(f(
                "timing: %d training(s) %.2f s, forecast median %s ms%n",
                t.trainings(), t.trainSeconds(), n(t.forecastMsMedian())));
        if (r.plot() != null) {
            sb.append("plot: ").append(r.plot()).append('\n');
        }
        return sb.toString();
    }

    public static String scorecard(Scorecard c) {
        StringBuilder sb = new StringBuilder();
        sb.append(f(
                "%-52s %7s %9s %7s %9s %8s %8s %9s%n",
                "series", "MASE", "MASE_seas", "relMAE", "relMAE_s", "coverage", "width", "IS_ratio"));
        for (SeriesReport r : c.series()) {
            sb.append(f(
                    "%-52s %7s %9s %7s %9s %8s %8s %9s%n",
                    r.series(),
                    n(r.mase()),
                    n(r.maseSeasonal()),
                    n(r.relmae()),
                    n(r.relmaeSeasonal()),
                    n(r.coverage()),
                    n(r.meanWidth()),
                    n(r.intervalScoreRatio())));
        }
        c.skipped().forEach((name, why) -> sb.append(f("%-52s skipped: %s%n", name, why)));
        sb.append(f("geometric means over %d series:%n", c.seriesCount()));
        c.geometricMeans().forEach((method, m) -> {
            sb.append(f("  %-14s", method));
            m.forEach((k, v) -> sb.append(f(" %s %s", k, n(v))));
            sb.append('\n');
        });
        sb.append(f(
                "coverage: mean %s, min %s, max %s (nominal %s)%n",
                n(c.coverage().mean()),
                n(c.coverage().min()),
                n(c.coverage().max()),
                n(c.coverage().nominal())));
        if (c.nab() != null) {
            sb.append("NAB over the test parts of all series:");
            for (Map.Entry<String, CorpusScore> e : c.nab().entrySet()) {
                sb.append(f(" %s %s", e.getKey(), n(e.getValue().score())));
            }
            sb.append('\n');
        }
        Scorecard.Alerts a = c.alerts();
        if (a != null) {
            sb.append(f(
                    "alerts over the test parts: %d of %d windows caught, %d of them at or before the failure point%s;"
                            + " %d false episodes (%s per 30 days outside the windows) in %d of %d series%n",
                    a.caught(),
                    a.windows(),
                    a.caughtBeforeFailure(),
                    lead(a.medianHoursBeforeFailure()),
                    a.falseEpisodes(),
                    n(a.falseEpisodesPer30Days()),
                    a.seriesWithFalseEpisodes(),
                    c.seriesCount()));
        }
        if (c.timeToFailure() != null) {
            sb.append(timeToFailure(c.timeToFailure()));
        }
        return sb.toString();
    }

    /** How true the times to failure were, one line. */
    private static String timeToFailure(TimeToFailureReport t) {
        return f(
                        "time to failure: its 10-90 %% range held the crossing as it came in %d of %d assessments where"
                                + " one was forecast within the horizon or came (%s, nominal %s); it came earlier in %d"
                                + " (%d unforeseen), later in %d; of %d times to failure given, %d came within the"
                                + " horizon, off by a mean of %s h%n",
                        t.rangeHeld(),
                        t.forecastOrCame(),
                        n(t.rangeCoverage()),
                        n(TimeToFailureReport.NOMINAL),
                        t.cameEarlier(),
                        t.unforeseen(),
                        t.cameLater(),
                        t.given(),
                        t.came(),
                        n(t.meanAbsErrorHours()))
                + crossingProbability(t);
    }

    /**
     * How true the crossing probability was, one line: its Brier score against the base rate's, and
     * by tenths of the probability how often the crossing came; nothing without a judged assessment.
     */
    private static String crossingProbability(TimeToFailureReport t) {
        if (t.probabilityJudged() == 0) {
            return "";
        }
        StringBuilder bins = new StringBuilder();
        for (TimeToFailureReport.ReliabilityBin b : t.reliability()) {
            bins.append(f(
                    "%s%.1f-%.1f: %d of %d",
                    bins.length() == 0 ? "" : ", ", b.from(), b.to(), b.came(), b.assessments()));
        }
        return f(
                "crossing probability: Brier score %s over %d assessments whose horizon the series covers (the"
                        + " base rate %s scores %s; skill %s); crossings that came by the probability given: %s%n",
                n(t.brierScore()),
                t.probabilityJudged(),
                n(t.baseRate()),
                n(t.baseRate() * (1 - t.baseRate())),
                n(t.brierSkillScore()),
                bins);
    }

    /**
     * ", the first alert a median of 7.0 h after it" (or before it, or at it); nothing when no
     * window was caught.
     */
    static String lead(Double hoursBefore) {
        if (hoursBefore == null) {
            return "";
        }
        if (Math.abs(hoursBefore) < 0.05) {
            return ", the first alert at it (median)";
        }
        return f(
                ", the first alert a median of %.1f h %s it",
                Math.abs(hoursBefore), hoursBefore > 0 ? "before" : "after");
    }

    static String n(Double v) {
        if (v == null || !Double.isFinite(v)) {
            return "-";
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e6) ? f("%.3e", v) : f("%.4g", v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
