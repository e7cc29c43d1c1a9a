package io.prognos.evaluation.forecast;

import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.evaluation.Stats;
import io.prognos.evaluation.data.LabelledWindows.Window;
import io.prognos.evaluation.nab.CostProfile;
import io.prognos.evaluation.nab.FileScore;
import io.prognos.evaluation.nab.NabScorer;
import io.prognos.evaluation.nab.ScoredFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a backtest's assessments into the alert section of the report. */
final class AlertFacts {

    /** An alert is a binary detection: NAB's threshold for a binary output. */
    static final double BINARY_THRESHOLD = 0.5;

    private AlertFacts() {}

    static AlertReport of(
            Backtester.Result r, List<Reading> raw, List<Window> windows, OperatingLimits limits, String seriesKey) {
        List<Backtester.Assessment> as = r.assessments();
        int alerting = 0;
        int episodes = 0;
        int falseEpisodes = 0;
        for (Backtester.Assessment a : as) {
            if (a.alerting()) {
                alerting++;
            }
            // Episodes as the host raises them: a dip below medium shorter than a horizon is the
            // same episode (AlertEpisodes), not a new alert.
            if (a.opened()) {
                episodes++;
                Instant t = a.stampedAt();
                if (windows.stream().noneMatch(w -> w.contains(t))) {
                    falseEpisodes++;
                }
            }
        }
        double testDays = days(r.testStart(), r.testEnd());
        double inWindows = 0;
        for (Window w : windows) {
            Instant s = w.start().isAfter(r.testStart()) ? w.start() : r.testStart();
            Instant e = w.end().isBefore(r.testEnd()) ? w.end() : r.testEnd();
            if (e.isAfter(s)) {
                inWindows += days(s, e);
            }
        }
        double outside = testDays - inWindows;

        List<AlertReport.WindowReport> reports = new ArrayList<>();
        int inTest = 0;
        int beforeFailure = 0;
        for (Window w : windows) {
            if (w.end().isBefore(r.testStart()) || w.start().isAfter(r.testEnd())) {
                continue;
            }
            inTest++;
            Instant first = as.stream()
                    .filter(Backtester.Assessment::raised)
                    .map(Backtester.Assessment::stampedAt)
                    .filter(w::contains)
                    .findFirst()
                    .orElse(null);
            if (first != null && !first.isAfter(w.failure())) {
                beforeFailure++;
            }
            reports.add(new AlertReport.WindowReport(
                    w.start(),
                    w.end(),
                    w.failure(),
                    first != null,
                    first,
                    first == null ? null : Stats.round(hours(first, w.start())),
                    first == null ? null : Stats.round(hours(first, w.failure()))));
        }
        Map<String, AlertReport.NabSeriesScore> nab = windows.isEmpty() ? null : nab(r, raw, windows, seriesKey);
        return new AlertReport(
                limits.isEmpty() ? "none" : describe(limits),
                as.size(),
                alerting,
                as.isEmpty() ? null : Stats.round((double) alerting / as.size()),
                episodes,
                falseEpisodes,
                Stats.round(outside),
                outside > 0 ? Stats.round(falseEpisodes * 30 / outside) : null,
                nab,
                inTest,
                beforeFailure,
                reports,
                limits.low() == null && limits.high() == null ? null : TimeToFailureReport.of(r.timesToFailure()));
    }

    /**
     * The raw readings as NAB rows: a row is a detection when an alert was raised at its time (as
     * the host raises them: once per episode and on an escalation). The training part plays NAB's
     * probationary period: only the test part is scored.
     */
    static ScoredFile scoredFile(Backtester.Result r, List<Reading> raw, List<Window> windows, String key) {
        Map<Instant, Boolean> alertAt = new HashMap<>();
        r.assessments().forEach(a -> alertAt.merge(a.stampedAt(), a.raised(), Boolean::logicalOr));
        Instant[] ts = new Instant[raw.size()];
        double[] scores = new double[raw.size()];
        int firstTest = raw.size();
        for (int i = 0; i < ts.length; i++) {
            ts[i] = raw.get(i).timestamp();
            scores[i] = alertAt.getOrDefault(ts[i], false) ? 1 : 0;
            if (firstTest == raw.size() && !ts[i].isBefore(r.testStart())) {
                firstTest = i;
            }
        }
        return new ScoredFile(key, ts, scores, windows, firstTest);
    }

    private static Map<String, AlertReport.NabSeriesScore> nab(
            Backtester.Result r, List<Reading> raw, List<Window> windows, String key) {
        ScoredFile file = scoredFile(r, raw, windows, key);
        NabScorer scorer = new NabScorer();
        Map<String, AlertReport.NabSeriesScore> out = new LinkedHashMap<>();
        for (CostProfile p : CostProfile.NAB) {
            FileScore s = scorer.score(file, p, BINARY_THRESHOLD);
            double nul = -p.fnWeight() * s.windows();
            double perfect = p.tpWeight() * s.windows();
            Double normalized = s.windows() == 0 ? null : Stats.round(100 * (s.score() - nul) / (perfect - nul));
            out.put(
                    p.name(),
                    new AlertReport.NabSeriesScore(
                            Stats.round(s.score()),
                            normalized,
                            BINARY_THRESHOLD,
                            s.tp(),
                            s.fp(),
                            s.fn(),
                            s.windows(),
                            s.windowsDetected()));
        }
        return out;
    }

    private static double days(Instant a, Instant b) {
        return Duration.between(a, b).toMillis() / 86_400_000.0;
    }

    /** Hours from {@code t} to {@code event}: positive when {@code t} is earlier. */
    private static double hours(Instant t, Instant event) {
        return Duration.between(t, event).toMillis() / 3_600_000.0;
    }

    static String describe(OperatingLimits l) {
        return "low " + (l.low() == null ? "-" : l.low()) + ", high " + (l.high() == null ? "-" : l.high());
    }
}
