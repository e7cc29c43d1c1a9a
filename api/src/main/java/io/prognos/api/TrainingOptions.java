package io.prognos.api;

import java.time.Duration;

/**
 * Per-request overrides of the plugin's training configuration; a null field keeps the
 * configured value.
 */
public record TrainingOptions(Integer sequenceLength, Integer horizon, Integer epochs, Integer batchSize,
                              Integer patience, Duration interval) {

    private static final TrainingOptions DEFAULTS = new TrainingOptions(null, null, null, null, null, null);

    public TrainingOptions {
        positive("sequence_length", sequenceLength, 2, 1000);
        positive("forecast_horizon", horizon, 1, 1000);
        positive("epochs", epochs, 1, 10_000);
        positive("batch_size", batchSize, 1, 100_000);
        positive("patience", patience, 1, 10_000);
        if (interval != null && (interval.isNegative() || interval.isZero())) {
            throw new BadRequestException("interval", "interval must be positive, got " + interval);
        }
    }

    public static TrainingOptions defaults() {
        return DEFAULTS;
    }

    private static void positive(String field, Integer v, int min, int max) {
        if (v != null && (v < min || v > max)) {
            throw new BadRequestException(field, field + " must be between " + min + " and " + max + ", got " + v);
        }
    }
}
