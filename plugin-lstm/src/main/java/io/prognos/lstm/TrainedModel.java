package io.prognos.lstm;

import io.prognos.api.ForecastPoint;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.SensorId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything needed to forecast a sensor, immutable once trained: the network weights, how inputs
 * are scaled, which method is served (and the blend weights if it is a blend), the baselines'
 * parameters, the interval calibration, and the validation metrics that justified the choice.
 */
record TrainedModel(
        SensorId sensor,
        String modelVersion,
        Instant trainedAt,
        Duration interval,
        int sequenceLength,
        int horizon,
        int units,
        double coverage,
        int seasonalSteps,
        Scaler scaler,
        Baselines.DampedTrend dampedTrend,
        Method method,
        double[] blendWeights,
        String methodReason,
        float[] parameters,
        Calibration calibration,
        Metrics metrics) {

    /** Validation and training figures; MAE values are in sensor units, losses in scaled units. */
    record Metrics(double trainLoss, double valLoss, double[] methodMae, int sampleCount, int trainWindows,
                   int valWindows, int epochsRun, long trainingMillis) {

        double mae(Method m) {
            return methodMae[m.ordinal()];
        }
    }

    LstmNetwork.Shape shape() {
        return new LstmNetwork.Shape(Scaler.FEATURES, units, horizon);
    }

    /** Point forecast of the method validation chose, for one window given the network's scaled output. */
    double[] pointForecast(double[] window, float[] networkOutput, int outputOffset) {
        return candidates(window, networkOutput, outputOffset)[method.ordinal()];
    }

    /**
     * Forecasts of every method, indexed by {@link Method#ordinal()}; a method that is unavailable
     * (no network output, no seasonal period) stays null. The blend uses the validated weights.
     */
    double[][] candidates(double[] window, float[] networkOutput, int outputOffset) {
        double[][] parts = componentForecasts(window, networkOutput, outputOffset);
        double[][] all = new double[Method.values().length][];
        double[] blend = new double[horizon];
        boolean blendComplete = true;
        for (int c = 0; c < Method.COMPONENTS.length; c++) {
            all[Method.COMPONENTS[c].ordinal()] = parts[c];
            if (blendWeights[c] > 0) {
                if (parts[c] == null) {
                    blendComplete = false;
                    continue;
                }
                for (int h = 0; h < horizon; h++) {
                    blend[h] += blendWeights[c] * parts[c][h];
                }
            }
        }
        all[Method.BLEND.ordinal()] = blendComplete ? blend : null;
        return all;
    }

    /** Forecasts of each component method ({@link Method#COMPONENTS} order); unavailable ones stay null. */
    double[][] componentForecasts(double[] window, float[] networkOutput, int outputOffset) {
        double[][] parts = new double[Method.COMPONENTS.length][];
        if (networkOutput != null) {
            parts[0] = new double[horizon];
            for (int h = 0; h < horizon; h++) {
                parts[0][h] = scaler.toValue(window, networkOutput[outputOffset + h]);
            }
        }
        parts[1] = new double[horizon];
        Baselines.lastValue(window, parts[1]);
        if (seasonalSteps > 0) {
            parts[2] = new double[horizon];
            Baselines.seasonal(window, seasonalSteps, parts[2]);
        }
        parts[3] = new double[horizon];
        dampedTrend.forecast(window, parts[3]);
        return parts;
    }

    /** Forecast points with conformal intervals; {@code alpha[h]} is the current miscoverage per step. */
    List<ForecastPoint> points(double[] window, double[] values, Instant lastObserved, double[] alpha) {
        double local = scaler.localScale(window);
        List<ForecastPoint> points = new ArrayList<>(horizon);
        for (int h = 0; h < horizon; h++) {
            double half = calibration.bound(h, alpha[h]) * local;
            points.add(new ForecastPoint(lastObserved.plus(interval.multipliedBy(h + 1L)), h + 1, values[h],
                    values[h] - half, values[h] + half));
        }
        return points;
    }

    /** Interval half-widths at nominal coverage and the validation windows' typical volatility. */
    double[] referenceHalfWidths() {
        double[] w = new double[horizon];
        for (int h = 0; h < horizon; h++) {
            w[h] = calibration.bound(h, 1 - coverage) * calibration.referenceScale();
        }
        return w;
    }

    ModelInfo info(ModelStatus status) {
        return new ModelInfo(sensor, modelVersion, ModelCodec.FORMAT_VERSION, sequenceLength, horizon, interval,
                metrics.trainLoss(), metrics.valLoss(), metrics.mae(method), metrics.mae(Method.LAST_VALUE),
                method.wireName(), metrics.sampleCount(), metrics.epochsRun(), metrics.trainingMillis(), trainedAt,
                status);
    }
}
