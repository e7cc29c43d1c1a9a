package io.prognos.evaluation.forecast;

import io.prognos.evaluation.Stats;
import io.prognos.evaluation.nab.CorpusScore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Several series evaluated in one run: each series' report, and across them the geometric mean of
 * every ratio (the right average of relative errors: a series twice as good and one twice as bad
 * average to 1) and the range of the coverages.
 *
 * @param geometricMeans  by method, its mase, mase_seasonal, relmae and relmae_seasonal; for
 *                        Prognos also interval_score_ratio
 * @param nab             when windows were given, NAB's normalized score over all the series'
 *                        windows together, by profile
 * @param alerts          when windows were given (none among them for series known to be healthy), the
 *                        alerts over all the series' test parts
 * @param timeToFailure   when failure limits were given, how true the times to failure were over
 *                        all the series
 * @param skipped         series that could not be evaluated, with the reason (not in any mean)
 */
public record Scorecard(
        int metricsVersion,
        int seriesCount,
        Map<String, Map<String, Double>> geometricMeans,
        Coverage coverage,
        Map<String, CorpusScore> nab,
        Alerts alerts,
        TimeToFailureReport timeToFailure,
        List<SeriesReport> series,
        Map<String, String> skipped) {

    /** Coverage is not a ratio: its mean and range. */
    public record Coverage(Double mean, Double min, Double max, Double nominal) {}

    /**
     * The alerts a plant would have received over every series' test part, summed: labelled windows,
     * those caught (an alert raised inside), those caught at or before their failure point, and the
     * episodes that began outside every window, per 30 days of test time outside the windows, and
     * how many series had any. Absent without windows: unlabelled, no alert can be told true or
     * false; a windows file without any says the series are healthy, so that every alert is false.
     *
     * @param medianHoursBeforeFailure over the caught windows, the median time from their first
     *     alert to their failure point (negative: the alert came after it); null when none was caught
     */
    public record Alerts(
            int windows,
            int caught,
            int caughtBeforeFailure,
            Double medianHoursBeforeFailure,
            int falseEpisodes,
            Double falseEpisodesPer30Days,
            int seriesWithFalseEpisodes) {

        static Alerts of(List<AlertReport> reports) {
            int windows = 0;
            int caught = 0;
            int before = 0;
            int falseEpisodes = 0;
            int withFalse = 0;
            double outside = 0;
            List<Double> leads = new ArrayList<>();
            for (AlertReport a : reports) {
                windows += a.windowsInTestPart();
                for (AlertReport.WindowReport w : a.windows()) {
                    if (w.caught()) {
                        caught++;
                        leads.add(w.hoursBeforeFailure());
                    }
                }
                before += a.caughtBeforeFailure();
                falseEpisodes += a.falseEpisodes();
                withFalse += a.falseEpisodes() > 0 ? 1 : 0;
                outside += a.daysOutsideWindows() == null ? 0 : a.daysOutsideWindows();
            }
            return new Alerts(
                    windows,
                    caught,
                    before,
                    leads.isEmpty()
                            ? null
                            : Stats.round(Stats.median(leads.stream()
                                    .mapToDouble(Double::doubleValue)
                                    .toArray())),
                    falseEpisodes,
                    outside > 0 ? Stats.round(falseEpisodes * 30 / outside) : null,
                    withFalse);
        }
    }

    /** {@code labelled}: windows were given, perhaps none (healthy series), so alerts can be judged. */
    public static Scorecard of(
            List<SeriesReport> reports, Map<String, CorpusScore> nab, boolean labelled, Map<String, String> skipped) {
        Map<String, Map<String, Double>> means = new LinkedHashMap<>();
        if (!reports.isEmpty()) {
            for (String method : reports.get(0).methods().keySet()) {
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("mase", gm(reports, r -> r.methods().get(method).mase()));
                m.put("mase_seasonal", gm(reports, r -> r.methods().get(method).maseSeasonal()));
                m.put("relmae", gm(reports, r -> r.methods().get(method).relmae()));
                m.put(
                        "relmae_seasonal",
                        gm(reports, r -> r.methods().get(method).relmaeSeasonal()));
                if (method.equals(Backtester.PROGNOS)) {
                    m.put("interval_score_ratio", gm(reports, SeriesReport::intervalScoreRatio));
                }
                means.put(method, m);
            }
        }
        List<Double> cov = new ArrayList<>();
        reports.forEach(r -> {
            if (r.coverage() != null && Double.isFinite(r.coverage())) {
                cov.add(r.coverage());
            }
        });
        Coverage c = new Coverage(
                cov.isEmpty()
                        ? null
                        : Stats.round(cov.stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElse(0)),
                cov.isEmpty() ? null : cov.stream().min(Double::compare).orElseThrow(),
                cov.isEmpty() ? null : cov.stream().max(Double::compare).orElseThrow(),
                reports.isEmpty() ? null : reports.get(0).nominalCoverage());
        List<TimeToFailureReport> ttf = reports.stream()
                .map(r -> r.alerts().timeToFailure())
                .filter(t -> t != null)
                .toList();
        return new Scorecard(
                SeriesReport.METRICS_VERSION,
                reports.size(),
                means,
                c,
                nab,
                labelled ? Alerts.of(reports.stream().map(SeriesReport::alerts).toList()) : null,
                ttf.isEmpty() ? null : TimeToFailureReport.pooled(ttf),
                reports,
                Map.copyOf(skipped));
    }

    private static Double gm(List<SeriesReport> reports, Function<SeriesReport, Double> f) {
        List<Double> v = new ArrayList<>();
        reports.forEach(r -> v.add(f.apply(r)));
        double g = Stats.geometricMean(v);
        return Double.isNaN(g) ? null : Stats.round(g);
    }
}
