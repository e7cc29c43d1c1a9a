package io.prognos.evaluation.forecast;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code evaluate} reports for one series, as JSON (snake_case) and as a table. The headline
 * figures are Prognos's; every method, baselines included, is scored on the same (origin, step)
 * pairs.
 *
 * <p>Metrics version 2: {@code mase} is Hyndman and Koehler's MASE (MAE over the in-sample
 * one-step naive MAE of the training part). Version 1 printed, under that name, the MAE relative
 * to the last value on the same pairs; that figure is now {@code relmae}.
 *
 * @param mase                 MAE / in-sample one-step naive MAE of the training part
 * @param maseSeasonal         MAE / in-sample seasonal naive MAE (needs two seasons of training data)
 * @param relmae               MAE / MAE of the last value on the same pairs
 * @param relmaeSeasonal       MAE / MAE of the seasonal naive forecast on the same pairs
 * @param coverage             share of actuals inside Prognos's intervals
 * @param meanWidth            mean width of those intervals
 * @param meanIntervalWidth    the same, under its version-1 name (kept one release)
 * @param intervalScore        mean interval (Winkler) score at the nominal level
 * @param intervalScoreRatio   Prognos's interval score / that of split-conformal last-value intervals
 * @param lastValueIntervals   the split-conformal last-value intervals, calibrated on the end of
 *                             the training part
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SeriesReport(
        int metricsVersion,
        String series,
        Double mase,
        Double maseSeasonal,
        Double relmae,
        Double relmaeSeasonal,
        Double coverage,
        Double nominalCoverage,
        Double meanWidth,
        Double meanIntervalWidth,
        Double intervalScore,
        Double intervalScoreRatio,
        IntervalReport lastValueIntervals,
        int readings,
        Duration interval,
        Instant testStart,
        Instant testEnd,
        int origins,
        int horizon,
        long scoredPairs,
        Scales scales,
        Map<String, MethodReport> methods,
        ModelReport model,
        AlertReport alerts,
        Timing timing,
        String plot) {

    public static final int METRICS_VERSION = 2;

    /** The denominators of MASE, from the training part. */
    public record Scales(Double naiveMae, Double seasonalNaiveMae, int seasonSteps, int trainingPoints) {}

    /** A method's intervals: coverage, width and interval score. */
    public record IntervalReport(Double coverage, Double meanWidth, Double intervalScore, Integer calibrationOrigins) {}

    /** One method's figures, overall and per step. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MethodReport(
            Double mae,
            Double rmse,
            Double mase,
            Double maseSeasonal,
            Double relmae,
            Double relmaeSeasonal,
            Double coverage,
            Double meanWidth,
            Double intervalScore,
            List<StepReport> perStep) {}

    /** One step ahead's figures. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepReport(
            int step,
            Double mae,
            Double rmse,
            Double mase,
            Double relmae,
            Double relmaeSeasonal,
            Double coverage,
            Double meanWidth,
            Double intervalScore) {}

    /** The model as trained, and which method served the forecasts. */
    public record ModelReport(
            String trainedMethod,
            Double validationMae,
            Double validationLastValueMae,
            Map<String, Integer> servedPerOrigin,
            String lastReason) {}

    /** How long things took. */
    public record Timing(double trainSeconds, int trainings, Double forecastMsMedian) {}
}
