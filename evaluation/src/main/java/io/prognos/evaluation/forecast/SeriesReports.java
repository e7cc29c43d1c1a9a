package io.prognos.evaluation.forecast;

import static io.prognos.evaluation.Stats.round;

import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.evaluation.data.LabelledWindows.Window;
import io.prognos.evaluation.data.Resampled;
import io.prognos.evaluation.nab.ScoredFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link SeriesReport} from a backtest. */
public final class SeriesReports {

    private SeriesReports() {}

    public static SeriesReport of(
            String series,
            List<Reading> raw,
            Resampled resampled,
            Backtester.Result r,
            List<Window> windows,
            OperatingLimits limits,
            int seasonSteps,
            String plot) {
        TrainingFacts t = r.training();
        PairScores prognos = r.scores().get(Backtester.PROGNOS);
        PairScores last = r.scores().get(ReferenceForecasts.LAST_VALUE);
        PairScores seasonal = r.scores().get(ReferenceForecasts.SEASONAL);
        // Without two seasons of training data the seasonal naive forecast is the last value in disguise:
        // it is left out rather than reported under a name it does not deserve.
        boolean hasSeason = Double.isFinite(t.seasonalNaiveMae());
        PairScores seasonalRef = hasSeason ? seasonal : null;
        Map<String, SeriesReport.MethodReport> methods = new LinkedHashMap<>();
        r.scores().forEach((name, s) -> {
            if (hasSeason || !name.equals(ReferenceForecasts.SEASONAL)) {
                methods.put(name, method(s, last, seasonalRef, t));
            }
        });
        Double isRatio = prognos.hasIntervals() && last.hasIntervals()
                ? round(prognos.intervalScore() / last.intervalScore())
                : null;
        int trainPoints =
                (int) Duration.between(resampled.start(), r.testStart()).dividedBy(resampled.interval());
        var model = r.model();
        return new SeriesReport(
                SeriesReport.METRICS_VERSION,
                series,
                round(prognos.mae() / t.naiveMae()),
                round(prognos.mae() / t.seasonalNaiveMae()),
                round(prognos.mae() / last.mae()),
                hasSeason ? round(prognos.mae() / seasonal.mae()) : null,
                round(prognos.coverage()),
                r.nominalCoverage(),
                round(prognos.meanWidth()),
                round(prognos.meanWidth()),
                round(prognos.intervalScore()),
                isRatio,
                new SeriesReport.IntervalReport(
                        round(last.coverage()),
                        round(last.meanWidth()),
                        round(last.intervalScore()),
                        t.calibrationOrigins()),
                raw.size(),
                resampled.interval(),
                r.testStart(),
                r.testEnd(),
                r.origins(),
                r.horizon(),
                prognos.count(),
                new SeriesReport.Scales(round(t.naiveMae()), round(t.seasonalNaiveMae()), seasonSteps, trainPoints),
                methods,
                new SeriesReport.ModelReport(
                        model.servedMethod(),
                        round(model.metric(ModelInfo.VAL_MAE)),
                        round(model.metric(ModelInfo.BASELINE_MAE)),
                        r.methodsServed(),
                        r.lastMethodReason()),
                AlertFacts.of(r, raw, windows, limits, series),
                new SeriesReport.Timing(round(r.trainSeconds()), r.trainings(), round(r.forecastMsMedian())),
                plot);
    }

    /** The series' alerts as NAB rows, its test part scored (for a NAB score over several series). */
    public static ScoredFile scoredFile(Backtester.Result r, List<Reading> raw, List<Window> windows, String key) {
        return AlertFacts.scoredFile(r, raw, windows, key);
    }

    private static SeriesReport.MethodReport method(
            PairScores s, PairScores last, PairScores seasonal, TrainingFacts t) {
        List<SeriesReport.StepReport> steps = new ArrayList<>();
        for (int h = 1; h <= s.horizon(); h++) {
            boolean iv = s.hasIntervals();
            steps.add(new SeriesReport.StepReport(
                    h,
                    round(s.mae(h)),
                    round(s.rmse(h)),
                    round(s.mae(h) / t.naiveMae()),
                    round(s.mae(h) / last.mae(h)),
                    seasonal == null ? null : round(s.mae(h) / seasonal.mae(h)),
                    iv ? round(s.coverage(h)) : null,
                    iv ? round(s.meanWidth(h)) : null,
                    iv ? round(s.intervalScore(h)) : null));
        }
        boolean iv = s.hasIntervals();
        return new SeriesReport.MethodReport(
                round(s.mae()),
                round(s.rmse()),
                round(s.mae() / t.naiveMae()),
                round(s.mae() / t.seasonalNaiveMae()),
                round(s.mae() / last.mae()),
                seasonal == null ? null : round(s.mae() / seasonal.mae()),
                iv ? round(s.coverage()) : null,
                iv ? round(s.meanWidth()) : null,
                iv ? round(s.intervalScore()) : null,
                steps);
    }
}
