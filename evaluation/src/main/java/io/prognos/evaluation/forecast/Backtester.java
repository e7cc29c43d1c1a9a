package io.prognos.evaluation.forecast;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.TrainRequest;
import io.prognos.evaluation.Stats;
import io.prognos.evaluation.data.Resampled;
import io.prognos.host.core.AlertEpisodes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A chronological rolling-origin backtest: train on the first part, then at every interval
 * forecast the horizon from the readings up to that point only, step forward, retrain as
 * configured. No reading after an origin reaches its forecast, its baselines or its risk. The
 * plugin gets raw readings as in production; the resampled series is what forecasts are scored
 * against and what the reference baselines see.
 */
public final class Backtester {

    public static final String PROGNOS = "prognos";

    /**
     * One assessment at an origin, stamped at the time of the last reading that produced it:
     * {@code alerting} when its level is medium or above, {@code raised} when the host would raise
     * an alert there and {@code opened} when that alert opens a new episode ({@code AlertEpisodes}:
     * not an escalation within one).
     */
    public record Assessment(
            Instant origin,
            Instant stampedAt,
            RiskLevel level,
            int score,
            boolean alerting,
            boolean raised,
            boolean opened) {}

    /**
     * One assessment's time to failure against the crossing as it came, in hours from the last
     * value (with limits, the last value within them): {@code forecastHours} the median first
     * crossing of the risk's paths (null: under half cross within the horizon), {@code lowHours}
     * and {@code highHours} its 10 % and 90 % ones (null: beyond the horizon), {@code cameHours} the
     * series' own first crossing within the horizon (null: none came within it),
     * {@code crossingProbability} the share of the paths crossing within the horizon, and
     * {@code horizonSeen} whether the series runs to the horizon's end (else a crossing that did not
     * come may still have been due).
     */
    public record TimeToFailureCase(
            Double forecastHours,
            Double lowHours,
            Double highHours,
            Double cameHours,
            double crossingProbability,
            boolean horizonSeen) {}

    /** What the plot needs of one origin: its one-step forecast and interval. */
    public record OriginPoint(Instant target, double forecast, double lower, double upper) {}

    /** Everything measured; {@code scores} has Prognos's and each baseline's by name, on the same pairs. */
    public record Result(
            int origins,
            int horizon,
            Instant testStart,
            Instant testEnd,
            double nominalCoverage,
            Map<String, PairScores> scores,
            TrainingFacts training,
            Map<String, Integer> methodsServed,
            String lastMethodReason,
            List<Assessment> assessments,
            List<TimeToFailureCase> timesToFailure,
            List<OriginPoint> points,
            double trainSeconds,
            int trainings,
            double forecastMsMedian,
            ModelInfo model,
            Resampled series) {}

    private final ForecastingPlugin plugin;
    private final double trainFraction;
    private final Duration retrainEvery;

    public Backtester(ForecastingPlugin plugin, double trainFraction, Duration retrainEvery) {
        this.plugin = plugin;
        this.trainFraction = trainFraction;
        this.retrainEvery = retrainEvery;
    }

    public Result run(
            SensorId sensor, List<Reading> raw, Resampled series, OperatingLimits limits, int seasonalPeriod) {
        double[] v = series.values();
        int n = v.length;
        int cut = cut(n, trainFraction);
        // The plugin works on the grid the scores are kept on.
        Map<String, String> options = Map.of("interval", series.interval().toMillis() + "ms");
        long t0 = System.nanoTime();
        ModelInfo model = plugin.train(new TrainRequest(sensor, upTo(raw, series.time(cut)), options));
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        if (!model.intervalOffset().equals(series.offset())) {
            // The model's intervals sit elsewhere on the clock (a sensor with a usual reading time):
            // its forecasts are scored against the readings its intervals hold.
            Instant trainedTo = series.time(cut);
            series = Resampled.of(raw, series.interval(), model.intervalOffset());
            v = series.values();
            n = v.length;
            cut = 0;
            while (cut < n - 1 && series.time(cut).isBefore(trainedTo)) {
                cut++;
            }
            cut = Math.max(1, cut);
        }
        int trainings = 1;
        Instant lastTrained = series.time(cut - 1);
        int horizon = model.horizon();
        // As a host does: a state for the sensor, warmed with the history, then fed reading by interval.
        SensorState state = plugin.openState(sensor, null);
        plugin.observe(state, upTo(raw, series.readingsFrom(cut)));

        double[] train = Arrays.copyOfRange(v, 0, cut);
        ReferenceForecasts baselines = ReferenceForecasts.fit(train, seasonalPeriod);
        ReferenceForecasts.Holt trend = baselines.newTrend();
        for (double x : train) {
            trend.observe(x);
        }
        double nominal = Double.NaN;
        TrainingFacts facts = null;
        Map<String, PairScores> scores = null;
        Map<String, Integer> served = new TreeMap<>();
        String reason = "";
        List<Assessment> assessments = new ArrayList<>();
        List<TimeToFailureCase> timesToFailure = new ArrayList<>();
        boolean hasLimits = limits != null && !limits.isEmpty();
        RiskLevel episode = RiskLevel.LOW;
        Instant lastAlerting = null;
        List<OriginPoint> points = new ArrayList<>();
        List<Double> forecastMs = new ArrayList<>();
        int origins = 0;
        for (int o = cut; o < n - 1; o++) {
            trend.observe(v[o]);
            if (retrainEvery != null
                    && !retrainEvery.isZero()
                    && !series.time(o).isBefore(lastTrained.plus(retrainEvery))) {
                long r0 = System.nanoTime();
                model = plugin.train(new TrainRequest(sensor, upTo(raw, series.readingsFrom(o)), options));
                trainSeconds += (System.nanoTime() - r0) / 1e9;
                trainings++;
                lastTrained = series.time(o);
            }
            List<Reading> arriving = between(raw, series.readingsFrom(o), series.readingsFrom(o + 1));
            if (arriving.isEmpty()) {
                continue;
            }
            Forecast f;
            long f0 = System.nanoTime();
            try {
                plugin.observe(state, arriving);
                f = plugin.forecast(state);
            } catch (InsufficientHistoryException e) {
                continue; // inside a gap: nothing to forecast from, as in production
            }
            forecastMs.add((System.nanoTime() - f0) / 1e6);
            if (scores == null) {
                nominal = f.coverage();
                facts = TrainingFacts.of(train, seasonalPeriod, horizon, 1 - nominal);
                scores = new LinkedHashMap<>();
                for (String name : List.of(
                        PROGNOS,
                        ReferenceForecasts.LAST_VALUE,
                        ReferenceForecasts.SEASONAL,
                        ReferenceForecasts.DAMPED_TREND)) {
                    scores.put(name, new PairScores(horizon, 1 - nominal));
                }
            }
            origins++;
            served.merge(f.method(), 1, Integer::sum);
            reason = f.methodReason();
            RiskAssessment risk = plugin.assessRisk(f, state, limits);
            boolean on = risk.level().atLeast(RiskLevel.MEDIUM);
            Instant stamp = arriving.get(arriving.size() - 1).timestamp();
            AlertEpisodes.Step step = AlertEpisodes.step(
                    episode, lastAlerting, risk.level(), stamp, f.interval().multipliedBy(f.horizon()));
            boolean opened = step.raised() && !episode.atLeast(RiskLevel.MEDIUM);
            episode = step.episodeLevel();
            lastAlerting = step.lastAlerting();
            assessments.add(
                    new Assessment(series.time(o), stamp, risk.level(), risk.score(), on, step.raised(), opened));
            if (hasLimits && !limits.failed(f.lastValue())) {
                double hoursPerStep = f.interval().toMillis() / 3_600_000.0;
                timesToFailure.add(new TimeToFailureCase(
                        risk.timeToFailureHours(),
                        risk.timeToFailureLowHours(),
                        risk.timeToFailureHighHours(),
                        firstCrossingHours(f.lastValue(), v, o, Math.min(n - 1, o + horizon), limits, hoursPerStep),
                        risk.crossingProbability(),
                        o + horizon <= n - 1));
            }
            Map<Long, ForecastPoint> byTime = new HashMap<>();
            f.points().forEach(p -> byTime.put(p.timestamp().toEpochMilli(), p));
            double[][] base = baselines.forecast(v, o, horizon, trend);
            for (int h = 1; h <= horizon && o + h < n; h++) {
                double actual = v[o + h];
                ForecastPoint p = byTime.get(series.time(o + h).toEpochMilli());
                if (Double.isNaN(actual) || p == null) {
                    continue;
                }
                PairScores prognos = scores.get(PROGNOS);
                prognos.add(h, actual, p.value());
                prognos.addInterval(h, actual, p.lower(), p.upper());
                PairScores last = scores.get(ReferenceForecasts.LAST_VALUE);
                last.add(h, actual, base[0][h - 1]);
                double half = facts.lastValueHalfWidth()[h - 1];
                last.addInterval(h, actual, base[0][h - 1] - half, base[0][h - 1] + half);
                scores.get(ReferenceForecasts.SEASONAL).add(h, actual, base[1][h - 1]);
                scores.get(ReferenceForecasts.DAMPED_TREND).add(h, actual, base[2][h - 1]);
                if (h == 1) {
                    points.add(new OriginPoint(p.timestamp(), p.value(), p.lower(), p.upper()));
                }
            }
        }
        double[] ms = forecastMs.stream().mapToDouble(Double::doubleValue).toArray();
        return new Result(
                origins,
                horizon,
                series.time(cut),
                series.time(n - 1),
                nominal,
                scores == null ? Map.of() : scores,
                facts,
                served,
                reason,
                assessments,
                timesToFailure,
                points,
                trainSeconds,
                trainings,
                Stats.median(ms),
                model,
                series);
    }

    /**
     * The series' own first crossing of a failure limit after origin {@code o}, up to index
     * {@code last}, read as the risk reads its forecast paths: from the last value, along straight
     * lines between the intervals' values, in hours from it; null when none comes.
     */
    static Double firstCrossingHours(
            double lastValue, double[] v, int o, int last, OperatingLimits limits, double hoursPerStep) {
        double prev = lastValue;
        int prevIndex = o;
        for (int j = o + 1; j <= last; j++) {
            if (Double.isNaN(v[j])) {
                continue; // an interval without readings: the line runs on to the next that has some
            }
            Double frac = limits.firstCrossing(prev, v[j]);
            if (frac != null) {
                return (prevIndex - o + frac * (j - prevIndex)) * hoursPerStep;
            }
            prev = v[j];
            prevIndex = j;
        }
        return null;
    }

    /** The first interval of the test part: the model trains on the readings before it. */
    public static int cut(int intervals, double trainFraction) {
        return Math.max(1, (int) Math.floor(intervals * trainFraction));
    }

    /** Readings before {@code end}, from time-sorted {@code raw}. */
    public static List<Reading> upTo(List<Reading> raw, Instant end) {
        return raw.subList(0, indexOf(raw, end));
    }

    /** Readings in [from, to), from time-sorted {@code raw}. */
    static List<Reading> between(List<Reading> raw, Instant from, Instant to) {
        return raw.subList(indexOf(raw, from), indexOf(raw, to));
    }

    /** The first index whose reading is at or after {@code t}. */
    static int indexOf(List<Reading> raw, Instant t) {
        int lo = 0;
        int hi = raw.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (raw.get(mid).timestamp().isBefore(t)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
