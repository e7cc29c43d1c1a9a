package io.prognos.lstm;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Chronological backtest: train on the first 70 % of a series, then walk through the rest one
 * interval at a time, forecasting from the readings seen so far and scoring each forecast against
 * what happened. No reading after an origin reaches its forecast.
 */
final class Backtest {

    record Result(String name, int origins, double mae, double lastValueMae, double coverage, double meanWidth,
                  String method, long trainMillis) {
        double mase() {
            return mae / lastValueMae;
        }
    }

    static Result run(ForecastingPlugin plugin, String name, List<Reading> readings, Duration interval) {
        List<Reading> sorted = new ArrayList<>(readings);
        sorted.sort((a, b) -> a.timestamp().compareTo(b.timestamp()));
        Instant first = sorted.get(0).timestamp();
        Instant last = sorted.get(sorted.size() - 1).timestamp();
        Instant cut = first.plusMillis((long) ((last.toEpochMilli() - first.toEpochMilli()) * 0.7));
        List<Reading> train = sorted.stream().filter(r -> r.timestamp().isBefore(cut)).toList();
        SensorId sensor = SensorId.of("backtest", name);
        long t0 = System.nanoTime();
        ModelInfo info = plugin.train(new TrainRequest(sensor, train, new TrainingOptions(null, null, null, null, null,
                interval)));
        long trainMillis = (System.nanoTime() - t0) / 1_000_000;

        // Actual bucket means over the whole series: what each forecast point is scored against.
        List<SeriesPreparer.Segment> segs = SeriesPreparer.prepare(sensor, sorted, interval, 0);
        java.util.Map<Long, Double> actual = new java.util.HashMap<>();
        for (SeriesPreparer.Segment s : segs) {
            for (int i = 0; i < s.length(); i++) {
                actual.put(s.start().plus(interval.multipliedBy(i)).toEpochMilli(), s.values()[i]);
            }
        }
        long step = interval.toMillis();
        int lookback = info.sequenceLength() + info.horizon() + 8;
        double absErr = 0;
        double lastErr = 0;
        double width = 0;
        int covered = 0;
        int scored = 0;
        int origins = 0;
        int from = train.size();
        int lo = 0;
        for (long b = Math.floorDiv(cut.toEpochMilli(), step); b * step <= last.toEpochMilli(); b++) {
            long originEnd = (b + 1) * step;
            while (from < sorted.size() && sorted.get(from).timestamp().toEpochMilli() < originEnd) {
                from++;
            }
            long windowStart = originEnd - lookback * step;
            while (lo < from && sorted.get(lo).timestamp().toEpochMilli() < windowStart) {
                lo++;
            }
            List<Reading> recent = sorted.subList(lo, from);
            Forecast f;
            try {
                f = plugin.forecast(new ForecastRequest(sensor, recent));
            } catch (io.prognos.api.InsufficientHistoryException e) {
                continue; // inside a long gap: nothing to forecast from, as in production
            }
            origins++;
            for (ForecastPoint p : f.points()) {
                Double a = actual.get(p.timestamp().toEpochMilli());
                if (a == null) {
                    continue;
                }
                absErr += Math.abs(a - p.value());
                lastErr += Math.abs(a - f.lastValue());
                width += p.upper() - p.lower();
                covered += p.contains(a) ? 1 : 0;
                scored++;
            }
        }
        if (plugin instanceof LstmForecastingPlugin lstm && Boolean.getBoolean("backtest.debug")) {
            OnlineState o = lstm.onlineState(sensor);
            StringBuilder sb = new StringBuilder(name + " recent errors:");
            for (Method m : Method.values()) {
                sb.append(' ').append(m.wireName()).append('=').append(String.format("%.4g", o.recentError(m)));
            }
            System.out.println(sb + " served=" + java.util.Arrays.toString(o.served()));
        }
        return new Result(name, origins, absErr / scored, lastErr / scored, (double) covered / scored, width / scored,
                info.servedMethod(), trainMillis);
    }
}
