package io.prognos.evaluation.forecast;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How the alerts of one series went: NAB's scores for the series, and plain facts. An alert is an
 * assessment at risk level medium or above, stamped at the time of the last reading that produced
 * it; an episode is a run of consecutive alerting assessments.
 *
 * @param dutyCycle             share of the test part's assessments that were alerting
 * @param falseEpisodesPer30Days episodes starting outside every labelled window, per 30 days of
 *                              test time outside the windows (the only time in which an alert can be false)
 * @param nab                   by profile, NAB's score for this series (the training part plays
 *                              the probationary period); absent without windows
 * @param timeToFailure         how true its times to failure were; absent without a failure limit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertReport(
        String limits,
        int assessments,
        int alerting,
        Double dutyCycle,
        int episodes,
        int falseEpisodes,
        Double daysOutsideWindows,
        Double falseEpisodesPer30Days,
        Map<String, NabSeriesScore> nab,
        int windowsInTestPart,
        int caughtBeforeFailure,
        List<WindowReport> windows,
        TimeToFailureReport timeToFailure) {

    /** A profile's NAB score for one series: raw, and normalized over the series' own windows. */
    public record NabSeriesScore(
            double raw, Double score, double threshold, int tp, int fp, int fn, int windows, int windowsDetected) {}

    /**
     * One labelled window in the test part and the first alert inside it (an alert before the
     * window's start is a false alert by NAB's rules). Hours are positive before the event.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WindowReport(
            Instant start,
            Instant end,
            Instant failurePoint,
            boolean caught,
            Instant firstAlert,
            Double hoursBeforeStart,
            Double hoursBeforeFailure) {}
}
