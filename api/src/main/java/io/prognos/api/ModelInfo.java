package io.prognos.api;

import java.time.Duration;
import java.time.Instant;

/**
 * What a host may want to know about a trained model without loading it.
 *
 * @param modelVersion    opaque version, changes with every training
 * @param formatVersion   version of the serialised byte format
 * @param valMae          validation MAE of the served method, in sensor units
 * @param baselineMae     validation MAE of the last-value forecast on the same windows
 * @param servedMethod    which method forecasts are served with (see {@link Forecast#method()})
 * @param sampleCount     resampled points the model was trained from
 */
public record ModelInfo(
        SensorId sensor,
        String modelVersion,
        int formatVersion,
        int sequenceLength,
        int horizon,
        Duration interval,
        double trainLoss,
        double valLoss,
        double valMae,
        double baselineMae,
        String servedMethod,
        int sampleCount,
        int epochsRun,
        long trainingMillis,
        Instant trainedAt,
        ModelStatus status) {

    /** Validation MAE relative to the last-value baseline; below 1 means better than "it stays". */
    public double mase() {
        return baselineMae > 0 ? valMae / baselineMae : Double.NaN;
    }

    public ModelInfo withStatus(ModelStatus newStatus) {
        return new ModelInfo(sensor, modelVersion, formatVersion, sequenceLength, horizon, interval, trainLoss,
                valLoss, valMae, baselineMae, servedMethod, sampleCount, epochsRun, trainingMillis, trainedAt,
                newStatus);
    }
}
