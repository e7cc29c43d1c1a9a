package io.prognos.lstm;

import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.SensorId;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to forecast and score a sensor, immutable once trained: the network weights
 * and how inputs are scaled, the baselines' parameters, the candidates' validation losses (the
 * aggregation's prior), the interval calibration, what the training history's values looked like
 * (for novelty), and the figures that justified it all.
 *
 * @param grid           the intervals readings are averaged into
 * @param contextLength  intervals a forecast looks back: the LSTM's window, or one season and a
 *                       little more when the seasonal candidates are on
 * @param prior          the aggregation as the validation windows left it (never changed: each
 *                       state carries on from a {@link #aggregation copy})
 * @param heads          the network's heads ({@link NetworkShape}): 2 since model format 7, 1 before
 * @param pointPrior     the same for the served point forecast, whose LSTM candidate is the median
 *                       head's ({@link #pointCandidates}); with one head, {@code prior}
 * @param lossScale      the aggregation's loss scale: a round's loss is its absolute error over this,
 *                       clipped to 1 (the training history's range; {@link Aggregator})
 * @param available      [method]: which candidates this model has
 * @param patterns       the training history's shapes, for the novelty of a stretch ({@link PatternNovelty})
 * @param surprisalPrior mean raw surprisal on the calibration windows
 * @param trainOptions   the training request's options, as given ({@link ModelInfo#trainOptions()})
 */
record TrainedModel(
        SensorId sensor,
        String modelVersion,
        Instant trainedAt,
        Grid grid,
        int sequenceLength,
        int horizon,
        int units,
        int heads,
        double coverage,
        int seasonalSteps,
        int contextLength,
        Scaler scaler,
        Baselines.DampedTrend dampedTrend,
        float[] parameters,
        Calibration calibration,
        Aggregator prior,
        Aggregator pointPrior,
        double lossScale,
        boolean[] available,
        Novelty novelty,
        PatternNovelty patterns,
        double surprisalPrior,
        Metrics metrics,
        Map<String, String> trainOptions) {

    TrainedModel {
        trainOptions = trainOptions == null ? Map.of() : Map.copyOf(trainOptions);
    }

    /**
     * A new aggregation that carries on from the validation windows, where training's own left off:
     * the same weights, rate and rounds, so the bound counts them as rounds already played.
     */
    Aggregator aggregation() {
        return prior.copy();
    }

    /** The same for the served point forecast ({@link #pointCandidates}). */
    Aggregator pointAggregation() {
        return pointPrior.copy();
    }

    /**
     * The network's heads: the first, fitted to the squared error, gives the LSTM candidate of the
     * forecast that intervals, anomaly signals and risk are centred on; the second, fitted to the
     * absolute error, the LSTM candidate of the served point forecast, which the absolute error
     * judges. One head alone did worse at one of the two (docs/evaluation.md).
     */
    static final int TRAINED_HEADS = 2;

    /**
     * Validation and training figures. MAE values are in sensor units, losses in scaled units.
     * {@code calibrationMae} is the served forecast's MAE on the calibration windows, which played
     * no part in training, early stopping or the weights: the honest figure.
     */
    record Metrics(
            double trainLoss,
            double valLoss,
            double[] methodMae,
            double servedMae,
            double calibrationMae,
            double calibrationLastValueMae,
            int sampleCount,
            int trainWindows,
            int valWindows,
            int calWindows,
            int epochsRun,
            long trainingMillis,
            String servedMethod,
            String reason,
            double inSampleNaiveMae) {}

    /**
     * What the training history's values looked like: a value beyond the smallest or largest one
     * is novel, by as many robust standard deviations as it lies beyond.
     */
    record Novelty(double low, double high, double scale) {

        /** Decimal digits of surprise: 0 inside the range, then a normal tail continued from three sigma. */
        double surprisal(double v) {
            double beyond = v > high ? v - high : v < low ? low - v : 0;
            if (beyond <= 0) {
                return 0;
            }
            return Math.max(0, -Tails.log10NormalTwoSided(3 + beyond / scale) + Tails.log10NormalTwoSided(3));
        }
    }

    /** The sensor's interval. */
    Duration interval() {
        return grid.interval();
    }

    NetworkShape shape() {
        return new NetworkShape(Scaler.FEATURES, units, horizon, heads);
    }

    /** The LSTM's input: the last {@code sequenceLength} values of a context window. */
    double[] lstmWindow(double[] context) {
        return Arrays.copyOfRange(context, context.length - sequenceLength, context.length);
    }

    /**
     * Every candidate's forecast from a context window (oldest first, {@link #contextLength} long,
     * or shorter but at least {@link #sequenceLength} after a gap), indexed by {@link
     * Method#ordinal()}; unavailable candidates stay null, and so do the seasonal ones from a window
     * shorter than their season. {@code networkOutput} is the network's scaled output for this
     * window at {@code offset}, or null.
     */
    double[][] candidates(double[] context, float[] networkOutput, int offset) {
        double[][] c = new double[Method.values().length][];
        double[] lstmIn = lstmWindow(context);
        if (networkOutput != null && available[Method.LSTM.ordinal()]) {
            double[] f = new double[horizon];
            for (int h = 0; h < horizon; h++) {
                f[h] = scaler.toValue(lstmIn, networkOutput[offset + h]);
            }
            c[Method.LSTM.ordinal()] = f;
        }
        double[] last = new double[horizon];
        Baselines.lastValue(context, last);
        c[Method.LAST_VALUE.ordinal()] = last;
        boolean wholeSeason = context.length >= contextLength;
        if (available[Method.SEASONAL.ordinal()] && wholeSeason) {
            double[] s = new double[horizon];
            Baselines.seasonal(context, seasonalSteps, s);
            c[Method.SEASONAL.ordinal()] = s;
        }
        if (available[Method.SEASONAL_LEVEL.ordinal()] && wholeSeason) {
            double[] s = new double[horizon];
            Baselines.seasonalLevel(context, seasonalSteps, s);
            c[Method.SEASONAL_LEVEL.ordinal()] = s;
        }
        double[] d = new double[horizon];
        dampedTrend.forecast(context, context.length - sequenceLength, d);
        c[Method.DAMPED_TREND.ordinal()] = d;
        return c;
    }

    /**
     * The candidates of the served point forecast: {@code c} (from {@link #candidates}) with the
     * LSTM's forecast from the median head of the same output; {@code c} itself is not changed.
     * A model of one head (an earlier format) has no other: {@code c}.
     */
    double[][] pointCandidates(double[][] c, double[] context, float[] networkOutput, int offset) {
        if (heads == 1) {
            return c;
        }
        double[][] p = c.clone();
        if (c[Method.LSTM.ordinal()] != null) {
            double[] lstmIn = lstmWindow(context);
            double[] f = new double[horizon];
            for (int h = 0; h < horizon; h++) {
                f[h] = scaler.toValue(lstmIn, networkOutput[offset + horizon + h]);
            }
            p[Method.LSTM.ordinal()] = f;
        }
        return p;
    }

    /** The z of the nominal two-sided interval, e.g. 1.645 for 90 %. */
    double nominalZ() {
        return Tails.normalQuantile(0.5 + coverage / 2);
    }

    ModelInfo info(ModelStatus status) {
        Metrics m = metrics;
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put(ModelInfo.VAL_MAE, m.servedMae());
        figures.put(ModelInfo.BASELINE_MAE, m.methodMae()[Method.LAST_VALUE.ordinal()]);
        figures.put("calibration_mae", m.calibrationMae());
        figures.put("calibration_last_value_mae", m.calibrationLastValueMae());
        if (m.inSampleNaiveMae() > 0) {
            // Hyndman and Koehler's MASE, on the calibration windows (out of sample: they chose
            // nothing): the served forecast's MAE over all steps, over the training history's
            // in-sample MAE of the one-step naive forecast. Not listed for a model of an earlier
            // format (NaN) or of a history that never changed (0: no scale).
            figures.put("in_sample_naive_mae", m.inSampleNaiveMae());
            figures.put("mase", m.calibrationMae() / m.inSampleNaiveMae());
        }
        figures.put("train_loss", m.trainLoss());
        figures.put("val_loss", m.valLoss());
        figures.put("lstm_val_mae", m.methodMae()[Method.LSTM.ordinal()]);
        figures.put("sequence_length", (double) sequenceLength);
        figures.put(ModelInfo.CONTEXT_INTERVALS, (double) contextLength);
        figures.put("epochs_run", (double) m.epochsRun());
        figures.put("train_windows", (double) m.trainWindows());
        figures.put("validation_windows", (double) m.valWindows());
        figures.put("calibration_windows", (double) m.calWindows());
        figures.put("coverage", coverage);
        return new ModelInfo(
                sensor,
                modelVersion,
                ModelCodec.FORMAT_VERSION,
                interval(),
                Duration.ofMillis(grid.shiftMs()),
                horizon,
                m.servedMethod(),
                m.sampleCount(),
                m.trainingMillis(),
                trainedAt,
                status,
                figures,
                trainOptions);
    }
}
