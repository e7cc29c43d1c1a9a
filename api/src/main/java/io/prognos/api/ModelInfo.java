package io.prognos.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a host may want to know about a trained model without loading it: core facts every
 * plugin has, and the plugin's own figures in {@code metrics} by name (for an LSTM for example
 * {@code val_mae}, {@code baseline_mae}, {@code train_loss}, {@code sequence_length}).
 *
 * @param modelVersion    opaque version, changes with every training
 * @param formatVersion   version of the serialised byte format
 * @param interval        the sensor's data interval the model works at
 * @param horizon         forecast steps
 * @param servedMethod    what forecasts start from (see {@link Forecast#method()})
 * @param sampleCount     intervals the model was trained from
 * @param metrics         the plugin's figures by name; well-known names: {@code val_mae} (validation
 *                        MAE of the served forecast, sensor units), {@code baseline_mae} (that of the
 *                        last value on the same windows)
 */
public record ModelInfo(
        SensorId sensor,
        String modelVersion,
        int formatVersion,
        Duration interval,
        int horizon,
        String servedMethod,
        int sampleCount,
        long trainingMillis,
        Instant trainedAt,
        ModelStatus status,
        Map<String, Double> metrics) {

    public static final String VAL_MAE = "val_mae";
    public static final String BASELINE_MAE = "baseline_mae";

    public ModelInfo {
        metrics = Map.copyOf(metrics);
    }

    /** A named figure, NaN when the plugin does not report it. */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }

    /** Validation MAE relative to the last value's on the same windows; below 1 beats "it stays". */
    public double valRelmae() {
        double base = metric(BASELINE_MAE);
        return base > 0 ? metric(VAL_MAE) / base : Double.NaN;
    }

    public ModelInfo withStatus(ModelStatus newStatus) {
        return new ModelInfo(
                sensor,
                modelVersion,
                formatVersion,
                interval,
                horizon,
                servedMethod,
                sampleCount,
                trainingMillis,
                trainedAt,
                newStatus,
                metrics);
    }
}
