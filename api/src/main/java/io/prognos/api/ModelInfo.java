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
 * @param intervalOffset  how the intervals sit on the clock: the interval labelled {@code k * interval}
 *                        (epoch-aligned; forecast points carry these labels) holds the readings at
 *                        times {@code t} with {@code k * interval <= t + intervalOffset < (k + 1) *
 *                        interval}. Zero on the plain grid (an hourly interval runs from the hour);
 *                        up to half an interval either way for a sensor that reports at a usual time
 *                        in each interval, whose boundaries a plugin may keep away from that time
 * @param horizon         forecast steps
 * @param servedMethod    what forecasts start from (see {@link Forecast#method()})
 * @param sampleCount     intervals the model was trained from
 * @param metrics         the plugin's figures by name; well-known names: {@code val_mae} (validation
 *                        MAE of the served forecast, sensor units), {@code baseline_mae} (that of the
 *                        last value on the same windows)
 * @param trainOptions    the {@link TrainRequest#options() options} the model was trained with, for a
 *                        host that trains the sensor again on its own (a scheduled retraining, a
 *                        user's "retrain") to repeat rather than fall back to the plugin's defaults;
 *                        empty when it was trained without any or the plugin does not say (since SPI 2.7)
 */
public record ModelInfo(
        SensorId sensor,
        String modelVersion,
        int formatVersion,
        Duration interval,
        Duration intervalOffset,
        int horizon,
        String servedMethod,
        int sampleCount,
        long trainingMillis,
        Instant trainedAt,
        ModelStatus status,
        Map<String, Double> metrics,
        Map<String, String> trainOptions) {

    public static final String VAL_MAE = "val_mae";
    public static final String BASELINE_MAE = "baseline_mae";

    /**
     * Well-known metric: the intervals of readings a fresh state of the model needs before its
     * first forecast (how far its forecast looks back), for a host that warms a sensor's state from
     * stored readings after a start; absent when the plugin does not say.
     *
     * @since SPI 2.6
     */
    public static final String CONTEXT_INTERVALS = "context_intervals";

    public ModelInfo {
        if (intervalOffset == null) {
            throw new IllegalArgumentException("intervalOffset is null; Duration.ZERO for the plain grid");
        }
        metrics = Map.copyOf(metrics);
        trainOptions = trainOptions == null ? Map.of() : Map.copyOf(trainOptions);
    }

    /** SPI 2.1's constructor: a model that does not say its training options. */
    public ModelInfo(
            SensorId sensor,
            String modelVersion,
            int formatVersion,
            Duration interval,
            Duration intervalOffset,
            int horizon,
            String servedMethod,
            int sampleCount,
            long trainingMillis,
            Instant trainedAt,
            ModelStatus status,
            Map<String, Double> metrics) {
        this(
                sensor,
                modelVersion,
                formatVersion,
                interval,
                intervalOffset,
                horizon,
                servedMethod,
                sampleCount,
                trainingMillis,
                trainedAt,
                status,
                metrics,
                Map.of());
    }

    /** SPI 2.0's constructor: a model on the plain grid. */
    public ModelInfo(
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
        this(
                sensor,
                modelVersion,
                formatVersion,
                interval,
                Duration.ZERO,
                horizon,
                servedMethod,
                sampleCount,
                trainingMillis,
                trainedAt,
                status,
                metrics);
    }

    /** A named figure, NaN when the plugin does not report it. */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }

    /**
     * {@link #CONTEXT_INTERVALS}; 0 when the plugin does not say.
     *
     * @since SPI 2.6
     */
    public int contextIntervals() {
        double v = metric(CONTEXT_INTERVALS);
        return v >= 1 ? (int) Math.min(Integer.MAX_VALUE, v) : 0; // false for NaN
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
                intervalOffset,
                horizon,
                servedMethod,
                sampleCount,
                trainingMillis,
                trainedAt,
                newStatus,
                metrics,
                trainOptions);
    }
}
