package io.prognos.lstm;

import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one sensor's model. The design answers why a literal LSTM lost to "it stays where it is":
 * the network learns changes from the last value; validation windows are drawn in blocks from
 * across the whole history instead of one calm tail; and the served forecast is whichever of the
 * LSTM, the simple baselines and their blend validates best, so it is never worse on validation than
 * the best baseline.
 */
final class ModelTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);
    private static final int MIN_VALIDATION_WINDOWS = 5;
    /** Relative MAE improvement over the last value a method needs on validation to be served. */
    static final double LAST_VALUE_MARGIN = 0.03;

    private final NetworkPool networks;
    private final Clock clock;

    ModelTrainer(NetworkPool networks, Clock clock) {
        this.networks = networks;
        this.clock = clock;
    }

    /** Input windows and targets in sensor units, in time order. */
    record Windows(double[][] inputs, double[][] targets, long[] absoluteIndex) {
        int size() {
            return inputs.length;
        }

        Windows select(int[] idx) {
            double[][] in = new double[idx.length][];
            double[][] tg = new double[idx.length][];
            long[] ai = new long[idx.length];
            for (int i = 0; i < idx.length; i++) {
                in[i] = inputs[idx[i]];
                tg[i] = targets[idx[i]];
                ai[i] = absoluteIndex[idx[i]];
            }
            return new Windows(in, tg, ai);
        }
    }

    TrainedModel train(SensorId sensor, List<Reading> history, LstmSettings s) {
        long started = System.nanoTime();
        List<SeriesPreparer.Segment> segments =
                SeriesPreparer.prepare(sensor, history, s.interval(), s.maxGapSteps());
        Windows all = windows(segments, s);
        if (all.size() < s.minWindows()) {
            int longest = segments.stream().mapToInt(SeriesPreparer.Segment::length).max().orElse(0);
            throw new InsufficientHistoryException(sensor, s.pointsNeeded(), longest, "training");
        }
        if (all.size() > s.maxWindows()) {
            int[] recent = new int[s.maxWindows()];
            for (int i = 0; i < recent.length; i++) {
                recent[i] = all.size() - s.maxWindows() + i;
            }
            all = all.select(recent);
        }
        int[][] split = split(all, s);
        Windows train = all.select(split[0]);
        Windows val = all.select(split[1]);
        int sampleCount = segments.stream().mapToInt(SeriesPreparer.Segment::length).sum();

        Scaler scaler = fitScaler(train);
        Baselines.DampedTrend damped = Baselines.DampedTrend.fit(subsample(train.inputs(), 400),
                subsample(train.targets(), 400));
        int seasonal = s.seasonalSteps();

        LstmNetwork.Shape shape = new LstmNetwork.Shape(Scaler.FEATURES, s.units(), s.horizon());
        float[] initial = LstmNetwork.initialParameters(shape, s.seed());
        LstmEngine net = s.engine() == LstmEngine.Kind.SAMEDIFF
                ? new SameDiffEngine(networks, shape, initial)
                : new JavaLstm(shape, initial, s.learningRate());
        int seq = s.sequenceLength();
        float[] best;
        double trainLoss;
        double bestVal;
        int epochsRun = 0;
        float[] valOut;
        try {
            List<float[][]> batches = batches(train, scaler, s);
            float[] valX = features(val, scaler, seq);
            float[] valY = targets(val, scaler, s.horizon());
            best = net.parameters();
            bestVal = mse(net.predict(valX, val.size(), seq), valY);
            int sinceBest = 0;
            for (int epoch = 0; epoch < s.epochs() && sinceBest < s.patience(); epoch++) {
                for (float[][] b : batches) {
                    net.fitBatch(b[0], b[1], b[1].length / s.horizon(), seq);
                }
                epochsRun++;
                double v = mse(net.predict(valX, val.size(), seq), valY);
                if (v < bestVal - 1e-9) {
                    bestVal = v;
                    best = net.parameters();
                    sinceBest = 0;
                } else {
                    sinceBest++;
                }
            }
            net.setParameters(best);
            valOut = net.predict(valX, val.size(), seq);
            trainLoss = mse(net.predict(features(train, scaler, seq), train.size(), seq),
                    targets(train, scaler, s.horizon()));
        } finally {
            if (net instanceof SameDiffEngine sd) {
                sd.close();
            }
        }

        Selection sel = select(val, valOut, scaler, damped, seasonal, s.horizon());
        TrainedModel provisional = new TrainedModel(sensor, "", Instant.EPOCH, s.interval(), s.sequenceLength(),
                s.horizon(), s.units(), s.coverage(), seasonal, scaler, damped, sel.method, sel.blendWeights,
                sel.reason, best, null, null);
        Calibration calibration = calibrate(provisional, val, valOut);
        long millis = (System.nanoTime() - started) / 1_000_000;
        TrainedModel.Metrics metrics = new TrainedModel.Metrics(trainLoss, bestVal, sel.mae, sampleCount,
                train.size(), val.size(), epochsRun, millis);
        Instant now = clock.instant();
        LOG.debug("{}: trained in {} ms, {} epochs, serving {} ({})", sensor, millis, epochsRun, sel.method,
                sel.reason);
        return new TrainedModel(sensor, version(now), now, s.interval(), s.sequenceLength(), s.horizon(),
                s.units(), s.coverage(), seasonal, scaler, damped, sel.method, sel.blendWeights, sel.reason, best,
                calibration, metrics);
    }

    private static String version(Instant now) {
        return now.toEpochMilli() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Windows windows(List<SeriesPreparer.Segment> segments, LstmSettings s) {
        int seq = s.sequenceLength();
        int hor = s.horizon();
        List<double[]> in = new ArrayList<>();
        List<double[]> tg = new ArrayList<>();
        List<Long> idx = new ArrayList<>();
        long step = s.interval().toMillis();
        long origin0 = segments.isEmpty() ? 0 : segments.get(0).start().toEpochMilli();
        for (SeriesPreparer.Segment seg : segments) {
            double[] v = seg.values();
            long base = (seg.start().toEpochMilli() - origin0) / step;
            for (int last = seq - 1; last + hor < v.length; last++) {
                in.add(Arrays.copyOfRange(v, last - seq + 1, last + 1));
                tg.add(Arrays.copyOfRange(v, last + 1, last + 1 + hor));
                idx.add(base + last);
            }
        }
        long[] ai = new long[idx.size()];
        for (int i = 0; i < ai.length; i++) {
            ai[i] = idx.get(i);
        }
        return new Windows(in.toArray(new double[0][]), tg.toArray(new double[0][]), ai);
    }

    /**
     * Validation windows come in blocks of {@code horizon} consecutive origins, every k-th block
     * across the whole history, so that validation sees calm and turbulent stretches alike.
     * Training windows within half a horizon of a validation block are dropped to limit leakage
     * through overlapping targets.
     */
    static int[][] split(Windows w, LstmSettings s) {
        int k = (int) Math.max(2, Math.round(1 / s.validationFraction()));
        int block = s.horizon();
        int guard = s.horizon() / 2;
        long first = w.absoluteIndex()[0];
        boolean[] isVal = new boolean[w.size()];
        int nVal = 0;
        for (int i = 0; i < w.size(); i++) {
            long b = (w.absoluteIndex()[i] - first) / block;
            if (b % k == k / 2) {
                isVal[i] = true;
                nVal++;
            }
        }
        if (nVal < MIN_VALIDATION_WINDOWS) {
            // Too little history for blocks: every k-th window instead.
            Arrays.fill(isVal, false);
            for (int i = k / 2; i < w.size(); i += k) {
                isVal[i] = true;
            }
            guard = 0;
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            if (isVal[i]) {
                val.add(i);
            } else if (!nearValidation(w, isVal, i, guard)) {
                train.add(i);
            }
        }
        if (train.size() < MIN_VALIDATION_WINDOWS) {
            train.clear();
            for (int i = 0; i < w.size(); i++) {
                if (!isVal[i]) {
                    train.add(i);
                }
            }
        }
        return new int[][] {train.stream().mapToInt(Integer::intValue).toArray(),
                val.stream().mapToInt(Integer::intValue).toArray()};
    }

    private static boolean nearValidation(Windows w, boolean[] isVal, int i, int guard) {
        if (guard == 0) {
            return false;
        }
        long a = w.absoluteIndex()[i];
        for (int j = Math.max(0, i - guard); j <= Math.min(w.size() - 1, i + guard); j++) {
            if (isVal[j] && Math.abs(w.absoluteIndex()[j] - a) <= guard) {
                return true;
            }
        }
        return false;
    }

    private static Scaler fitScaler(Windows train) {
        // Each window contributes its inputs; overlap weights points evenly enough for a scale.
        int n = train.size();
        int seq = train.inputs()[0].length;
        double[] points = new double[n * seq];
        double[] diffs = new double[n * (seq - 1)];
        int p = 0;
        int d = 0;
        for (double[] w : train.inputs()) {
            for (int t = 0; t < seq; t++) {
                points[p++] = w[t];
                if (t > 0) {
                    diffs[d++] = w[t] - w[t - 1];
                }
            }
        }
        return Scaler.fit(points, diffs);
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

    static float[] features(Windows w, Scaler scaler, int seq) {
        float[] x = new float[w.size() * seq * Scaler.FEATURES];
        for (int i = 0; i < w.size(); i++) {
            scaler.features(w.inputs()[i], x, i * seq * Scaler.FEATURES);
        }
        return x;
    }

    private static float[] targets(Windows w, Scaler scaler, int horizon) {
        float[] y = new float[w.size() * horizon];
        for (int i = 0; i < w.size(); i++) {
            scaler.targets(w.inputs()[i], w.targets()[i], y, i * horizon);
        }
        return y;
    }

    /** Mini-batches as {features, targets}, shuffled once and reused every epoch. */
    private static List<float[][]> batches(Windows train, Scaler scaler, LstmSettings s) {
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rnd = new Random(s.seed());
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Windows shuffled = train.select(order);
        List<float[][]> out = new ArrayList<>();
        for (int start = 0; start < n; start += s.batchSize()) {
            int end = Math.min(n, start + s.batchSize());
            int[] idx = new int[end - start];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            Windows b = shuffled.select(idx);
            out.add(new float[][] {features(b, scaler, s.sequenceLength()), targets(b, scaler, s.horizon())});
        }
        return out;
    }

    private static double mse(float[] pred, float[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double e = pred[i] - y[i];
            s += e * e;
        }
        return s / y.length;
    }

    private record Selection(Method method, double[] blendWeights, double[] mae, String reason) {
    }

    /** Validation MAE of every method and of an inverse-MSE blend; the lowest is served. */
    private static Selection select(Windows val, float[] valOut, Scaler scaler, Baselines.DampedTrend damped,
                                    int seasonal, int horizon) {
        TrainedModel probe = new TrainedModel(null, "", Instant.EPOCH, Duration.ofHours(1), 0, horizon, 0, 0,
                seasonal, scaler, damped, Method.LSTM, new double[Method.COMPONENTS.length], "", null, null, null);
        int nc = Method.COMPONENTS.length;
        double[] absErr = new double[nc];
        double[] sqErr = new double[nc];
        double[][][] parts = new double[val.size()][][];
        for (int i = 0; i < val.size(); i++) {
            parts[i] = probe.componentForecasts(val.inputs()[i], valOut, i * horizon);
            for (int c = 0; c < nc; c++) {
                if (parts[i][c] == null) {
                    continue;
                }
                for (int h = 0; h < horizon; h++) {
                    double e = val.targets()[i][h] - parts[i][c][h];
                    absErr[c] += Math.abs(e);
                    sqErr[c] += e * e;
                }
            }
        }
        double count = (double) val.size() * horizon;
        double[] mae = new double[Method.values().length];
        Arrays.fill(mae, Double.NaN);
        double[] weights = new double[nc];
        double wsum = 0;
        for (int c = 0; c < nc; c++) {
            if (parts[0][c] != null) {
                mae[Method.COMPONENTS[c].ordinal()] = absErr[c] / count;
                weights[c] = 1 / Math.max(1e-12, sqErr[c] / count);
                wsum += weights[c];
            }
        }
        for (int c = 0; c < nc; c++) {
            weights[c] /= wsum;
        }
        double blendErr = 0;
        for (int i = 0; i < val.size(); i++) {
            for (int h = 0; h < horizon; h++) {
                double v = 0;
                for (int c = 0; c < nc; c++) {
                    if (parts[i][c] != null) {
                        v += weights[c] * parts[i][c][h];
                    }
                }
                blendErr += Math.abs(val.targets()[i][h] - v);
            }
        }
        mae[Method.BLEND.ordinal()] = blendErr / count;

        // "It stays where it is" is served unless another method is clearly better: validation on a
        // few dozen windows is noisy, and a user must never get a forecast worse than the last value.
        Method best = Method.LAST_VALUE;
        double bar = mae[Method.LAST_VALUE.ordinal()] * (1 - LAST_VALUE_MARGIN);
        for (Method m : new Method[] {Method.SEASONAL, Method.DAMPED_TREND, Method.LSTM, Method.BLEND}) {
            double e = mae[m.ordinal()];
            if (!Double.isNaN(e) && e < bar && (best == Method.LAST_VALUE || e < mae[best.ordinal()])) {
                best = m;
            }
        }
        Method bestBaseline = Method.LAST_VALUE;
        for (Method m : new Method[] {Method.SEASONAL, Method.DAMPED_TREND}) {
            if (!Double.isNaN(mae[m.ordinal()]) && mae[m.ordinal()] < mae[bestBaseline.ordinal()]) {
                bestBaseline = m;
            }
        }
        String reason = String.format(java.util.Locale.ROOT,
                "%s has the lowest validation MAE (%.4g) on %d windows across the history; lstm %.4g, last_value %.4g,"
                        + " best baseline %s %.4g, blend %.4g",
                best.wireName(), mae[best.ordinal()], val.size(), mae[Method.LSTM.ordinal()],
                mae[Method.LAST_VALUE.ordinal()], bestBaseline.wireName(), mae[bestBaseline.ordinal()],
                mae[Method.BLEND.ordinal()]);
        return new Selection(best, weights, mae, reason);
    }

    private static Calibration calibrate(TrainedModel model, Windows val, float[] valOut) {
        int horizon = model.horizon();
        double[][] scores = new double[horizon][val.size()];
        double[] locals = new double[val.size()];
        for (int i = 0; i < val.size(); i++) {
            double[] pred = model.pointForecast(val.inputs()[i], valOut, i * horizon);
            double local = model.scaler().localScale(val.inputs()[i]);
            locals[i] = local;
            for (int h = 0; h < horizon; h++) {
                scores[h][i] = Math.abs(val.targets()[i][h] - pred[h]) / local;
            }
        }
        Arrays.sort(locals);
        return Calibration.fromScores(scores, locals[locals.length / 2]);
    }
}
