package io.prognos.host;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A chronological rolling-origin backtest: train on the past, forecast the next horizon from the
 * readings up to each origin, step forward one interval, retrain as configured. No reading after an
 * origin reaches its forecast, its baselines or its risk.
 */
final class Backtester {

    /** A series resampled to bucket means on an epoch-aligned grid; NaN where a bucket is empty. */
    record Resampled(Instant start, Duration interval, double[] values) {
        Instant time(int i) {
            return start.plus(interval.multipliedBy(i));
        }

        static Resampled of(List<Reading> readings, Duration interval) {
            long step = interval.toMillis();
            long first = Math.floorDiv(readings.get(0).timestamp().toEpochMilli(), step);
            long last = first;
            for (Reading r : readings) {
                last = Math.max(last, Math.floorDiv(r.timestamp().toEpochMilli(), step));
                first = Math.min(first, Math.floorDiv(r.timestamp().toEpochMilli(), step));
            }
            int n = Math.toIntExact(last - first + 1);
            double[] sum = new double[n];
            int[] count = new int[n];
            for (Reading r : readings) {
                int i = (int) (Math.floorDiv(r.timestamp().toEpochMilli(), step) - first);
                sum[i] += r.value();
                count[i]++;
            }
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
            }
            return new Resampled(Instant.ofEpochMilli(first * step), interval, v);
        }
    }

    /** What the plot needs of one origin: the one-step forecast and whether an alert was on. */
    record OriginPoint(Instant origin, Instant target, double forecast, double lower, double upper, boolean alerting) {
    }

    /** Everything measured. {@code scores} has Prognos's and each baseline's, by name. */
    record Result(int origins, int horizon, Instant testStart, Instant testEnd, Map<String, ForecastScores> scores,
                  long covered, long scored, double widthSum, double nominalCoverage, Map<String, Integer> methodsServed,
                  String lastMethodReason, List<Instant> alertStarts, List<Instant> alertingTimes,
                  List<OriginPoint> points, double trainSeconds, int trainings, double forecastMsMedian,
                  ModelInfo model) {
        double coverage() {
            return scored == 0 ? Double.NaN : (double) covered / scored;
        }

        double meanWidth() {
            return scored == 0 ? Double.NaN : widthSum / scored;
        }
    }

    static final String PROGNOS = "prognos";

    private final ForecastingPlugin plugin;
    private final double trainFraction;
    private final Duration retrainEvery;
    private final Duration alertQuiet;

    Backtester(ForecastingPlugin plugin, double trainFraction, Duration retrainEvery, Duration alertQuiet) {
        this.plugin = plugin;
        this.trainFraction = trainFraction;
        this.retrainEvery = retrainEvery;
        this.alertQuiet = alertQuiet;
    }

    /**
     * The plugin gets the raw readings, as in production (it resamples them itself); the resampled
     * series is what forecasts are scored against and what the baselines see.
     */
    Result run(SensorId sensor, List<Reading> raw, Resampled series, OperatingLimits limits, int seasonalPeriod) {
        double[] v = series.values();
        int n = v.length;
        int cut = Math.max(1, (int) Math.floor(n * trainFraction));
        TrainingOptions options = new TrainingOptions(null, null, null, null, null, series.interval());
        long t0 = System.nanoTime();
        ModelInfo model = plugin.train(new TrainRequest(sensor, upTo(raw, series.time(cut)), options));
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        int trainings = 1;
        Instant lastTrained = series.time(cut - 1);
        int horizon = model.horizon();
        int lookback = model.sequenceLength() + horizon + 8;

        double[] train = java.util.Arrays.copyOfRange(v, 0, cut);
        ReferenceForecasts baselines = ReferenceForecasts.fit(train, seasonalPeriod);
        ReferenceForecasts.Holt trend = baselines.newTrend();
        for (double x : train) {
            trend.observe(x);
        }
        Map<String, ForecastScores> scores = new java.util.LinkedHashMap<>();
        for (String name : List.of(PROGNOS, ReferenceForecasts.LAST_VALUE, ReferenceForecasts.SEASONAL,
                ReferenceForecasts.DAMPED_TREND)) {
            scores.put(name, new ForecastScores(horizon));
        }
        long covered = 0;
        long scored = 0;
        double width = 0;
        Map<String, Integer> served = new TreeMap<>();
        String reason = "";
        double nominal = Double.NaN;
        List<Instant> alertStarts = new ArrayList<>();
        List<Instant> alerting = new ArrayList<>();
        List<OriginPoint> points = new ArrayList<>();
        List<Double> forecastMs = new ArrayList<>();
        Instant lastAlert = null;
        int origins = 0;
        for (int o = cut; o < n - 1; o++) {
            trend.observe(v[o]);
            if (retrainEvery != null && !retrainEvery.isZero()
                    && !series.time(o).isBefore(lastTrained.plus(retrainEvery))) {
                long r0 = System.nanoTime();
                model = plugin.train(new TrainRequest(sensor, upTo(raw, series.time(o + 1)), options));
                trainSeconds += (System.nanoTime() - r0) / 1e9;
                trainings++;
                lastTrained = series.time(o);
            }
            List<Reading> recent = between(raw, series.time(Math.max(0, o - lookback + 1)), series.time(o + 1));
            if (recent.isEmpty()) {
                continue;
            }
            Forecast f;
            long f0 = System.nanoTime();
            try {
                f = plugin.forecast(new ForecastRequest(sensor, recent));
            } catch (InsufficientHistoryException e) {
                continue; // inside a gap: nothing to forecast from, as in production
            }
            forecastMs.add((System.nanoTime() - f0) / 1e6);
            origins++;
            served.merge(f.method(), 1, Integer::sum);
            reason = f.methodReason();
            nominal = f.coverage();
            RiskAssessment risk = plugin.assessRisk(f, limits);
            boolean on = risk.level().atLeast(RiskLevel.MEDIUM);
            Instant now = series.time(o);
            if (on) {
                if (lastAlert == null || Duration.between(lastAlert, now).compareTo(alertQuiet) > 0) {
                    alertStarts.add(now);
                }
                lastAlert = now;
                alerting.add(now);
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
                scores.get(PROGNOS).add(h, actual, p.value());
                scores.get(ReferenceForecasts.LAST_VALUE).add(h, actual, base[0][h - 1]);
                scores.get(ReferenceForecasts.SEASONAL).add(h, actual, base[1][h - 1]);
                scores.get(ReferenceForecasts.DAMPED_TREND).add(h, actual, base[2][h - 1]);
                covered += p.contains(actual) ? 1 : 0;
                width += p.upper() - p.lower();
                scored++;
                if (h == 1) {
                    points.add(new OriginPoint(now, p.timestamp(), p.value(), p.lower(), p.upper(), on));
                }
            }
        }
        double[] ms = forecastMs.stream().mapToDouble(Double::doubleValue).toArray();
        return new Result(origins, horizon, series.time(cut), series.time(n - 1), scores, covered, scored, width,
                nominal, served, reason, alertStarts, alerting,
                points, trainSeconds, trainings, ms.length == 0 ? Double.NaN : Bench.median(ms), model);
    }

    /** Readings before {@code end}, from time-sorted {@code raw}. */
    private static List<Reading> upTo(List<Reading> raw, Instant end) {
        return raw.subList(0, indexOf(raw, end));
    }

    /** Readings in [from, to), from time-sorted {@code raw}. */
    private static List<Reading> between(List<Reading> raw, Instant from, Instant to) {
        return raw.subList(indexOf(raw, from), indexOf(raw, to));
    }

    /** The first index whose reading is at or after {@code t}. */
    private static int indexOf(List<Reading> raw, Instant t) {
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
