package io.prognos.lstm;

import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import io.prognos.api.TrainingOptions;
import java.time.Duration;
import java.util.Map;

/**
 * Every setting of the LSTM plugin, declared once. Defaults are the original system's (1 layer of
 * 32 units, window 30, horizon 12, 20 epochs, batch 16, patience 5); each can be overridden by
 * configuration and, for the training ones, per request.
 */
record LstmSettings(
        int units,
        int sequenceLength,
        int horizon,
        int epochs,
        int batchSize,
        int patience,
        double learningRate,
        Duration interval,
        Duration maxGap,
        Duration seasonalPeriod,
        double coverage,
        double adaptationRate,
        double validationFraction,
        int minWindows,
        int maxWindows,
        long seed,
        LstmEngine.Kind engine) {

    static final ConfigDef DEF = new ConfigDef()
            .define("lstm.units", Type.INT, "32", 1, 512, "LSTM units in the single recurrent layer")
            .define("lstm.sequence-length", Type.INT, "30", 2, 1000, "input window, in sensor intervals")
            .define("lstm.horizon", Type.INT, "12", 1, 1000, "forecast horizon, in sensor intervals")
            .define("lstm.epochs", Type.INT, "20", 1, 10_000, "maximum training epochs")
            .define("lstm.batch-size", Type.INT, "16", 1, 100_000, "training mini-batch size")
            .define("lstm.patience", Type.INT, "5", 1, 10_000,
                    "epochs without validation improvement before training stops early")
            .define("lstm.learning-rate", Type.DOUBLE, "0.003", 1e-6, 1, "Adam learning rate")
            .define("lstm.interval", Type.DURATION, "1h", 0.001, 366 * 86400.0,
                    "the sensor's data interval; readings are averaged into buckets of this size")
            .define("lstm.max-gap", Type.DURATION, "3h", 0, 366 * 86400.0,
                    "gaps up to this long are interpolated; longer gaps split the history and are never bridged")
            .define("lstm.seasonal-period", Type.DURATION, "24h", 0, 366 * 86400.0,
                    "period of the seasonal-last-value baseline (0 disables it)")
            .define("lstm.coverage", Type.DOUBLE, "0.9", 0.5, 0.999, "nominal coverage of forecast intervals")
            .define("lstm.adaptation-rate", Type.DOUBLE, "0.05", 0, 0.5,
                    "step size of adaptive conformal inference: how fast intervals react to misses (0 = off)")
            .define("lstm.validation-fraction", Type.DOUBLE, "0.2", 0.05, 0.5,
                    "share of windows, drawn in blocks across the whole history, held out for validation")
            .define("lstm.min-windows", Type.INT, "24", 5, 1_000_000,
                    "fewest training windows a model is trained from")
            .define("lstm.max-windows", Type.INT, "2000", 10, 10_000_000,
                    "most windows used per training (the most recent are kept) to bound training time")
            .define("lstm.seed", Type.INT, "42", 0, Integer.MAX_VALUE, "random seed: same data, same model")
            .defineChoice("lstm.engine", "jvm", "what computes the network: jvm (default; flat memory, fastest"
                    + " here) or samediff (Deeplearning4j's fused lstmLayer; its 1.0.0-M2.1 backward op keeps native"
                    + " memory per training step)", "jvm", "samediff");

    static LstmSettings from(Map<String, String> config) {
        ConfigDef.Config c = DEF.parse("plugin lstm", config);
        return new LstmSettings(
                c.getInt("lstm.units"),
                c.getInt("lstm.sequence-length"),
                c.getInt("lstm.horizon"),
                c.getInt("lstm.epochs"),
                c.getInt("lstm.batch-size"),
                c.getInt("lstm.patience"),
                c.getDouble("lstm.learning-rate"),
                c.getDuration("lstm.interval"),
                c.getDuration("lstm.max-gap"),
                c.getDuration("lstm.seasonal-period"),
                c.getDouble("lstm.coverage"),
                c.getDouble("lstm.adaptation-rate"),
                c.getDouble("lstm.validation-fraction"),
                c.getInt("lstm.min-windows"),
                c.getInt("lstm.max-windows"),
                c.getInt("lstm.seed"),
                LstmEngine.Kind.valueOf(c.getString("lstm.engine").toUpperCase(java.util.Locale.ROOT)));
    }

    static LstmSettings defaults() {
        return from(Map.of());
    }

    LstmSettings with(TrainingOptions o) {
        return new LstmSettings(units,
                o.sequenceLength() != null ? o.sequenceLength() : sequenceLength,
                o.horizon() != null ? o.horizon() : horizon,
                o.epochs() != null ? o.epochs() : epochs,
                o.batchSize() != null ? o.batchSize() : batchSize,
                o.patience() != null ? o.patience() : patience,
                learningRate,
                o.interval() != null ? o.interval() : interval,
                maxGap, seasonalPeriod, coverage, adaptationRate, validationFraction, minWindows, maxWindows, seed,
                engine);
    }

    /** Largest number of consecutive missing buckets that is still interpolated. */
    int maxGapSteps() {
        return (int) (maxGap.toMillis() / interval.toMillis());
    }

    /** Seasonal period in steps, or 0 when it does not fit in the input window. */
    int seasonalSteps() {
        long p = seasonalPeriod.toMillis() / interval.toMillis();
        return p >= 2 && p <= sequenceLength ? (int) p : 0;
    }

    int pointsNeeded() {
        return sequenceLength + horizon + minWindows - 1;
    }
}
