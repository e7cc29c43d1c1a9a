package io.prognos.lstm;

import io.prognos.api.BadRequestException;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one sensor's model. The network learns changes from the last value (a literal LSTM lost to
 * "it stays where it is"). The history's windows are split in blocks across the whole history into
 * three roles kept at least one horizon apart: training windows fit the network; validation windows
 * stop the training early and give the candidates' losses that start the online aggregation;
 * calibration windows, which played no part in either, calibrate the intervals and give the honest
 * out-of-sample figure.
 */
final class ModelTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);

    private final EngineFactory engines;
    private final Clock clock;

    /** Makes the engine that computes the network during training. */
    interface EngineFactory {
        LstmEngine create(NetworkShape shape, float[] initial, LstmSettings settings);
    }

    ModelTrainer(EngineFactory engines, Clock clock) {
        this.engines = engines;
        this.clock = clock;
    }

    /** A model of the history at {@code configured}, the settings with the request's {@code options} applied, which it keeps. */
    TrainedModel train(SensorId sensor, List<Reading> history, LstmSettings configured, Map<String, String> options) {
        long started = System.nanoTime();
        Duration interval = configured.interval();
        if (interval.isZero()) {
            interval = IntervalDetector.detect(history);
            if (interval == null) {
                throw new InsufficientHistoryException(
                        sensor,
                        configured.pointsNeeded(),
                        history.size(),
                        "training",
                        "readings at distinct times (the interval is detected from their spacing)");
            }
        }
        LstmSettings s = configured.at(interval);
        history = newestIntervals(sensor, history, interval, s.pointsNeeded());
        Grid grid = Grid.of(interval, history);
        List<SeriesPreparer.Segment> segments = SeriesPreparer.prepare(sensor, history, grid, s.maxGapSteps());
        int season = s.seasonalSteps();
        int context =
                season > 0 ? Math.max(s.sequenceLength(), season + Baselines.levelSpan(season)) : s.sequenceLength();
        long windows = Windows.count(segments, context, s.horizon());
        if (season > 0 && windows < 3 * s.minWindows()) {
            // Not enough history for a season of context: the seasonal candidates sit this one out.
            season = 0;
            context = s.sequenceLength();
            windows = Windows.count(segments, context, s.horizon());
        }
        if (windows < s.minWindows()) {
            int longest = segments.stream()
                    .mapToInt(SeriesPreparer.Segment::length)
                    .max()
                    .orElse(0);
            throw new InsufficientHistoryException(
                    sensor,
                    s.pointsNeeded(),
                    longest,
                    "training",
                    "lower the training options sequence_length or forecast_horizon (lstm.sequence-length,"
                            + " lstm.horizon)",
                    pauses(segments, s),
                    readyAt(segments, grid, windows, context, s));
        }
        Windows all = Windows.of(segments, context, s.horizon(), s.maxWindows());
        WindowSplit split = WindowSplit.of(all, s);
        Windows train = all.select(split.train());
        Windows val = all.select(split.validation());
        Windows cal = all.select(split.calibration());
        int sampleCount =
                segments.stream().mapToInt(SeriesPreparer.Segment::length).sum();
        int seq = s.sequenceLength();

        Scaler scaler = fitScaler(train, seq);
        Baselines.DampedTrend damped = Baselines.DampedTrend.fit(
                lastValues(subsample(train.inputs(), 400), seq), subsample(train.targets(), 400));

        NetworkShape shape = new NetworkShape(Scaler.FEATURES, s.units(), s.horizon(), TrainedModel.TRAINED_HEADS);
        float[] initial = shape.initialParameters(s.seed());
        NetworkFit.Fitted fitted =
                NetworkFit.fit(sensor, shape, engines.create(shape, initial, s), train, val, scaler, s);
        float[] best = fitted.parameters();
        float[] valOut =
                JavaLstm.forInference(shape, best).predict(NetworkFit.features(val, scaler, seq), val.size(), seq);
        float[] calOut =
                JavaLstm.forInference(shape, best).predict(NetworkFit.features(cal, scaler, seq), cal.size(), seq);

        boolean[] available = new boolean[Method.values().length];
        available[Method.LSTM.ordinal()] = true;
        available[Method.LAST_VALUE.ordinal()] = true;
        available[Method.DAMPED_TREND.ordinal()] = true;
        available[Method.SEASONAL.ordinal()] = season > 0;
        available[Method.SEASONAL_LEVEL.ordinal()] = season > 0;
        TrainedModel probe = new TrainedModel(
                sensor,
                "",
                Instant.EPOCH,
                grid,
                seq,
                s.horizon(),
                s.units(),
                TrainedModel.TRAINED_HEADS,
                s.coverage(),
                season,
                context,
                scaler,
                damped,
                best,
                null,
                null,
                null,
                Double.NaN,
                available,
                null,
                PatternNovelty.NONE,
                0,
                null,
                Map.of());

        TrainedModel.Novelty novelty = novelty(train);
        Validation v = validate(probe, val, valOut, s.horizon(), novelty.high() - novelty.low());
        Aggregator weights = v.online();
        Calibrated c = calibrate(probe, weights, v.point(), cal, calOut, s);
        // The calibration windows' one-step surprise (the other signals need a contiguous stream),
        // averaged, starts the anomaly baseline; the sensor's own stream takes over from there.
        double surprisalPrior = c.surprisalMean();
        String served = weights.servedName(s.horizon());
        long millis = (System.nanoTime() - started) / 1_000_000;
        String reason = String.format(
                Locale.ROOT,
                "online weighted average of %s; validation MAE %.4g on %d windows"
                        + " (last value %.4g, lstm %.4g); out of sample on %d calibration windows %.4g (last value %.4g)",
                candidateNames(available),
                v.servedMae(),
                val.size(),
                v.methodMae()[Method.LAST_VALUE.ordinal()],
                v.methodMae()[Method.LSTM.ordinal()],
                cal.size(),
                c.mae(),
                c.lastValueMae());
        TrainedModel.Metrics metrics = new TrainedModel.Metrics(
                fitted.trainLoss(),
                fitted.validationLoss(),
                v.methodMae(),
                v.servedMae(),
                c.mae(),
                c.lastValueMae(),
                sampleCount,
                train.size(),
                val.size(),
                cal.size(),
                fitted.epochs(),
                millis,
                served,
                reason,
                naiveMae(segments));
        Instant now = clock.instant();
        LOG.debug("{}: trained in {} ms at {}, {} epochs; {}", sensor, millis, interval, fitted.epochs(), reason);
        return new TrainedModel(
                sensor,
                version(now),
                now,
                grid,
                seq,
                s.horizon(),
                s.units(),
                TrainedModel.TRAINED_HEADS,
                s.coverage(),
                season,
                context,
                scaler,
                damped,
                best,
                c.calibration(),
                weights,
                v.point(),
                v.lossScale(),
                available,
                novelty,
                PatternNovelty.fit(segments, s.horizon(), 1e-6 * scaler.errorScale()),
                surprisalPrior,
                metrics,
                options);
    }

    /** Thrown when the training's thread is interrupted: the request went away or the host shuts down. */
    static final class InterruptedTraining extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InterruptedTraining(SensorId sensor) {
            super("training of " + sensor + " was cancelled");
        }
    }

    /**
     * The history's readings of its newest {@link LstmSettings#MAX_BUCKETS} intervals, the most a
     * model is built over (their grid is allocated whole): all of them when they fit. A sensor read
     * once a second has more than that in 23 days, and a host's training reads 30 by default
     * ({@code prognos.history}): its trainings were refused ("choose a coarser interval or send less
     * history", which its user had not sent), though a model learns from the newest 2,000 windows
     * only ({@code lstm.max-windows}). Refused when those intervals hold too few readings to train
     * on: the interval is then far finer than the readings (1 ms for hourly ones), and an allocation
     * of a billion intervals is not begun.
     */
    /**
     * The readings at or after {@code from}, in their order: the tail of a history in time order
     * (as read from a database) as a view of it, not a copy, which for a host keeping its
     * readings as columns made two million {@code Reading} objects, about 100 MB.
     */
    private static List<Reading> newestFrom(List<Reading> history, long from) {
        int first = -1;
        boolean tail = true;
        int i = 0;
        for (Reading r : history) {
            boolean in = r.timestamp().toEpochMilli() >= from;
            if (in && first < 0) {
                first = i;
            }
            if (first >= 0 && !in) {
                tail = false;
                break;
            }
            i++;
        }
        if (tail) {
            return first < 0 ? List.of() : history.subList(first, history.size());
        }
        List<Reading> newest = new ArrayList<>();
        for (Reading r : history) {
            if (r.timestamp().toEpochMilli() >= from) {
                newest.add(r);
            }
        }
        return newest;
    }

    private static List<Reading> newestIntervals(
            SensorId sensor, List<Reading> history, Duration interval, int needed) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Reading r : history) {
            min = Math.min(min, r.timestamp().toEpochMilli());
            max = Math.max(max, r.timestamp().toEpochMilli());
        }
        long step = Math.max(1, interval.toMillis());
        if (history.isEmpty() || (max - min) / step <= LstmSettings.MAX_BUCKETS) {
            return history;
        }
        long from = max - (LstmSettings.MAX_BUCKETS - 1) * step;
        List<Reading> newest = newestFrom(history, from);
        if (newest.size() < needed) {
            throw new BadRequestException(
                    "interval",
                    sensor + ": an interval of " + interval + " over " + Duration.ofMillis(max - min)
                            + " of history makes more than " + LstmSettings.MAX_BUCKETS + " intervals, and the newest "
                            + LstmSettings.MAX_BUCKETS + " hold only " + newest.size() + " readings of the "
                            + needed + " a training needs; choose a coarser interval");
        }
        LOG.info(
                "{}: its history of {} spans more than {} intervals of {}; trained on the newest {} ({} of {}"
                        + " readings)",
                sensor,
                Duration.ofMillis(max - min),
                LstmSettings.MAX_BUCKETS,
                interval,
                Duration.ofMillis(max - from),
                newest.size(),
                history.size());
        return newest;
    }

    /**
     * The earliest newest reading with which these segments, their newest continued, could hold the
     * windows a training needs: each interval after the newest lengthens the newest segment by at
     * most one, adding a window once it spans a window's context and horizon. At the smallest
     * context (no season), which a longer history can only keep. One interval early: the grid's
     * phase is fitted to the readings, and newer ones may move the buckets' edges.
     */
    private static Instant readyAt(
            List<SeriesPreparer.Segment> segments, Grid grid, long windows, int context, LstmSettings s) {
        if (segments.isEmpty()) {
            return null; // no readings: none to count from
        }
        SeriesPreparer.Segment newest = segments.get(segments.size() - 1);
        int span = context + s.horizon() - 1;
        long newestWindows = Math.max(0, newest.length() - span);
        long more = Math.max(1, s.minWindows() - (windows - newestWindows) + span - newest.length());
        long newestBucket = newest.startBucket() + newest.length() - 1;
        long startMs = newestBucket * grid.intervalMs() - grid.shiftMs();
        return Instant.ofEpochMilli(startMs + (more - 1) * grid.intervalMs());
    }

    /**
     * Why the history breaks into stretches too short to train on, when pauses longer than {@code
     * lstm.max-gap} break it; null when it is one stretch. Without it, a sensor that paused 5 hours
     * after every 8 hourly readings was told "only 8 are usable; send more history", which more
     * history never mends.
     */
    private static String pauses(List<SeriesPreparer.Segment> segments, LstmSettings s) {
        long longest = 0;
        for (int i = 1; i < segments.size(); i++) {
            SeriesPreparer.Segment before = segments.get(i - 1);
            longest = Math.max(longest, segments.get(i).startBucket() - before.startBucket() - before.length());
        }
        if (longest == 0) {
            return null;
        }
        Duration interval = s.interval();
        return "its readings paused " + (segments.size() - 1) + " times for longer than lstm.max-gap ("
                + s.maxGap() + "), the longest for " + longest + " intervals of " + interval + " ("
                + interval.multipliedBy(longest) + "), and each pause starts the consecutive intervals"
                + " afresh; a sensor that reports only when its value changes needs an lstm.max-gap longer"
                + " than its steady spells";
    }

    private static String version(Instant now) {
        return now.toEpochMilli() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String candidateNames(boolean[] available) {
        List<String> names = new ArrayList<>();
        for (Method m : Method.values()) {
            if (available[m.ordinal()]) {
                names.add(m.wireName());
            }
        }
        return String.join(", ", names);
    }

    /**
     * The validation windows' aggregations (where the online ones carry on: the forecast intervals
     * and anomaly signals are centred on, and the served point), and each candidate's and the served
     * point's MAE there.
     */
    private record Validation(
            Aggregator online, Aggregator point, double lossScale, double[] methodMae, double servedMae) {}

    /**
     * Runs the aggregation through the validation windows in time order; the online aggregation
     * carries on from its state. A round's loss is the absolute error over the range of the training
     * history, clipped to 1 (the bound needs losses in [0, 1]); the range seldom clips, so a
     * candidate far off loses more than one slightly off.
     *
     * <p>Before, the online weights were rebuilt from the validation losses at Hedge's worst-case
     * rate, without the shares fixed share had spread, and a round's loss was clipped at four
     * last-value MAEs: a candidate best all through validation then kept its weight for days after
     * its pattern broke. On the tuning set, relMAE 0.596 -> 0.560 (NAB files) and 0.809 -> 0.807
     * (SKAB valve1); carrying on alone, with the old clip, gave 0.564 and 0.808 (docs/evaluation.md).
     */
    private static Validation validate(TrainedModel probe, Windows val, float[] valOut, int horizon, double range) {
        int nm = Method.values().length;
        int outputs = probe.shape().outputs();
        // A constant history has no range; any positive number keeps the arithmetic finite.
        double scale = Math.max(1e-9, range);
        Aggregator online = new Aggregator(horizon, probe.available());
        Aggregator point = new Aggregator(horizon, probe.available());
        double[] methodAbs = new double[nm];
        double servedAbs = 0;
        double[] w = new double[nm];
        for (int i = 0; i < val.size(); i++) {
            double[][] c = probe.candidates(val.inputs()[i], valOut, i * outputs);
            double[][] pc = probe.pointCandidates(c, val.inputs()[i], valOut, i * outputs);
            float[][] asFloat = toFloat(c);
            float[][] pointFloat = toFloat(pc);
            for (int h = 0; h < horizon; h++) {
                double y = val.targets()[i][h];
                for (int m = 0; m < nm; m++) {
                    if (c[m] != null) {
                        methodAbs[m] += Math.abs(y - c[m][h]);
                    }
                }
                servedAbs += Math.abs(y - point.mix(h, pc, w));
                online.update(h, asFloat, h, y, scale);
                point.update(h, pointFloat, h, y, scale);
            }
        }
        double count = Math.max(1, (double) val.size() * horizon);
        double[] methodMae = new double[nm];
        for (int m = 0; m < nm; m++) {
            methodMae[m] = probe.available()[m] ? methodAbs[m] / count : Double.NaN;
        }
        return new Validation(online, point, scale, methodMae, servedAbs / count);
    }

    static float[][] toFloat(double[][] c) {
        float[][] f = new float[c.length][];
        for (int m = 0; m < c.length; m++) {
            if (c[m] != null) {
                f[m] = new float[c[m].length];
                for (int h = 0; h < c[m].length; h++) {
                    f[m][h] = (float) c[m][h];
                }
            }
        }
        return f;
    }

    private record Calibrated(Calibration calibration, double mae, double lastValueMae, double surprisalMean) {}

    /**
     * Conformal scores of the forecast the intervals are centred on (weights as validation left
     * them) on the calibration windows, and the served point's MAE there.
     */
    private static Calibrated calibrate(
            TrainedModel probe, Aggregator weights, Aggregator point, Windows cal, float[] calOut, LstmSettings s) {
        int horizon = s.horizon();
        int outputs = probe.shape().outputs();
        int nm = Method.values().length;
        double[][] scores = new double[horizon][cal.size()];
        // Neither aggregation learns during calibration: each step's weights once.
        double[][] wh = new double[horizon][nm];
        double[][] ph = new double[horizon][nm];
        for (int h = 0; h < horizon; h++) {
            weights.weights(h, wh[h]);
            point.weights(h, ph[h]);
        }
        double abs = 0;
        double lastAbs = 0;
        double scale = probe.scaler().errorScale();
        for (int i = 0; i < cal.size(); i++) {
            double[][] c = probe.candidates(cal.inputs()[i], calOut, i * outputs);
            double[][] pc = probe.pointCandidates(c, cal.inputs()[i], calOut, i * outputs);
            double last = cal.inputs()[i][cal.inputs()[i].length - 1];
            for (int h = 0; h < horizon; h++) {
                double y = cal.targets()[i][h];
                abs += Math.abs(y - Aggregator.mix(ph[h], pc, h));
                lastAbs += Math.abs(y - last);
                scores[h][i] = Math.abs(y - Aggregator.mix(wh[h], c, h)) / scale;
            }
        }
        Calibration calibration = Calibration.fromScores(scores);
        // The anomaly baseline: one-step surprise of each calibration window against the nominal interval.
        double z = Tails.normalQuantile(0.5 + s.coverage() / 2);
        double sigma1 = calibration.bound(0, 1 - s.coverage()) / z;
        double surprisal = 0;
        for (int i = 0; i < cal.size(); i++) {
            double zi = scores[0][i] / Math.max(1e-12, sigma1);
            surprisal += Math.log1p(Math.min(AnomalyStats.MAX_SURPRISAL, -Tails.log10NormalTwoSided(zi)));
        }
        double count = Math.max(1, (double) cal.size() * horizon);
        return new Calibrated(
                calibration,
                abs / count,
                lastAbs / count,
                cal.size() == 0 ? Math.log1p(1 / Math.log(10)) : surprisal / cal.size());
    }

    private static TrainedModel.Novelty novelty(Windows train) {
        int n = 0;
        for (double[] w : train.inputs()) {
            n += w.length;
        }
        double[] all = new double[n];
        int k = 0;
        for (double[] w : train.inputs()) {
            for (double v : w) {
                all[k++] = v;
            }
        }
        Arrays.sort(all);
        double lo = all[0];
        double hi = all[all.length - 1];
        double robust = (quantile(all, 0.975) - quantile(all, 0.025)) / 3.92;
        double floor = Math.max(1e-9, 1e-6 * Math.abs(quantile(all, 0.5)));
        return new TrainedModel.Novelty(lo, hi, Math.max(robust, floor));
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /**
     * The in-sample MAE of the one-step naive forecast over the training history (its interval
     * means, short gaps interpolated; never across a longer gap): the scale of Hyndman and
     * Koehler's MASE. 0 for a history that never changes.
     */
    static double naiveMae(List<SeriesPreparer.Segment> segments) {
        double sum = 0;
        long n = 0;
        for (SeriesPreparer.Segment seg : segments) {
            double[] v = seg.values();
            for (int t = 1; t < v.length; t++) {
                sum += Math.abs(v[t] - v[t - 1]);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    private static Scaler fitScaler(Windows train, int seq) {
        // Each window contributes its LSTM inputs; overlap weights points evenly enough for a scale.
        int n = train.size();
        double[] points = new double[n * seq];
        double[] diffs = new double[n * (seq - 1)];
        int p = 0;
        int d = 0;
        for (double[] full : train.inputs()) {
            int from = full.length - seq;
            for (int t = 0; t < seq; t++) {
                points[p++] = full[from + t];
                if (t > 0) {
                    diffs[d++] = full[from + t] - full[from + t - 1];
                }
            }
        }
        return Scaler.fit(points, diffs);
    }

    private static double[][] lastValues(double[][] rows, int seq) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Arrays.copyOfRange(rows[i], rows[i].length - seq, rows[i].length);
        }
        return out;
    }

    private static double[][] subsample(double[][] rows, int max) {
        if (rows.length <= max) {
            return rows;
        }
        double[][] out = new double[max][];
        for (int i = 0; i < max; i++) {
            out[i] = rows[(int) ((long) i * rows.length / max)];
        }
        return out;
    }
}
