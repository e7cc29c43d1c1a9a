package io.prognos.lstm;

import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of the LSTM plugin, declared once. Defaults are the original system's (1 layer of
 * 32 units, window 30, horizon 12, 20 epochs, batch 16, patience 5); each can be overridden by
 * configuration and, for the training ones, per request ({@link #TRAIN_OPTIONS}).
 *
 * @param interval zero: detected per sensor from its readings' spacing
 * @param cautiousExtremes a value beyond the range seen is scored with Student's t ({@code lstm.new-extremes})
 * @param liveErrorScale the anomaly score's standardized errors are rescaled by live errors ({@code
 *     lstm.error-scale}, {@link LiveErrorScale})
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
        int anomalyWindow,
        double anomalyThreshold,
        LstmEngine.Kind engine,
        int modelsInMemory,
        boolean cautiousExtremes,
        boolean liveErrorScale) {

    /** The largest {@code lstm.units} and {@code lstm.horizon}; a stored model beyond them is damaged. */
    static final int MAX_UNITS = 512;

    static final int MAX_HORIZON = 168;

    static final ConfigDef DEF = new ConfigDef()
            .define("lstm.units", Type.INT, "32", 1, MAX_UNITS, "LSTM units in the single recurrent layer")
            .define("lstm.sequence-length", Type.INT, "30", 2, 512, "input window, in sensor intervals")
            .define("lstm.horizon", Type.INT, "12", 1, MAX_HORIZON, "forecast horizon, in sensor intervals")
            .define("lstm.epochs", Type.INT, "20", 1, 1000, "maximum training epochs")
            .define("lstm.batch-size", Type.INT, "16", 1, 4096, "training mini-batch size")
            .define(
                    "lstm.patience",
                    Type.INT,
                    "5",
                    1,
                    1000,
                    "epochs without validation improvement before training stops early")
            .define("lstm.learning-rate", Type.DOUBLE, "0.003", 1e-6, 1, "Adam learning rate")
            .define(
                    "lstm.interval",
                    Type.DURATION,
                    "0s",
                    0,
                    366 * 86400.0,
                    "the sensors' data interval, readings averaged into buckets of this size; 0 detects it per"
                            + " sensor from the median spacing of its readings, rounded to 1s, 2s, 5s, ... 1h, ... 1d")
            .define(
                    "lstm.max-gap",
                    Type.DURATION,
                    "3h",
                    0,
                    366 * 86400.0,
                    "gaps up to this long are interpolated; longer gaps split the history and are never bridged")
            .define(
                    "lstm.seasonal-period",
                    Type.DURATION,
                    "24h",
                    0,
                    366 * 86400.0,
                    "period of the seasonal candidates (0 disables them)")
            .define("lstm.coverage", Type.DOUBLE, "0.9", 0.5, 0.999, "nominal coverage of forecast intervals")
            .define(
                    "lstm.adaptation-rate",
                    Type.DOUBLE,
                    "0.128",
                    0,
                    0.5,
                    "largest step size of adaptive conformal inference: intervals adapt at this rate and"
                            + " 7 halvings of it at once, weighted by how well each does (0 = off)")
            .define(
                    "lstm.validation-fraction",
                    Type.DOUBLE,
                    "0.2",
                    0.05,
                    0.3,
                    "share of windows, drawn in blocks across the history, for early stopping and the method weights;"
                            + " as many again calibrate the intervals")
            .define("lstm.min-windows", Type.INT, "24", 5, 1_000_000, "fewest training windows a model is trained from")
            .define(
                    "lstm.max-windows",
                    Type.INT,
                    "2000",
                    10,
                    100_000,
                    "most windows used per training (the most recent are kept) to bound training time")
            .define("lstm.seed", Type.INT, "42", 0, Integer.MAX_VALUE, "random seed: same data, same model")
            .define(
                    "lstm.anomaly-window",
                    Type.INT,
                    "1",
                    1,
                    1000,
                    "intervals whose surprise is averaged before it is judged against its long-run distribution"
                            + " (1 judges each interval alone: best on the NAB tuning set among 1, 3 and 5)")
            .define(
                    "lstm.anomaly-threshold",
                    Type.DOUBLE,
                    "0.57",
                    0.01,
                    0.99,
                    "anomaly score from which an interval counts as anomalous (alerts, risk, NAB); 0.57 is a tail"
                            + " probability of about 4e-4 under the sensor's normal behaviour, chosen on the NAB"
                            + " tuning set (never on the series reported)")
            .defineChoice(
                    "lstm.new-extremes",
                    "normal",
                    "how a value beyond any the sensor showed is scored, undiscounted by its usual surprises: normal"
                            + " (default; its errors read with the normal law) or cautious (read with Student's t,"
                            + " allowing for a scale estimated from few calibration windows: of 300 generated healthy"
                            + " sensors 5 instead of 21 raised a false alert in 30 days, but of 90 with a shift of three"
                            + " noise deviations 28 instead of 38 were alerted within a day; NAB's tuning set 67.9"
                            + " instead of 69.7; docs/evaluation.md)",
                    "normal",
                    "cautious")
            .defineChoice(
                    "lstm.error-scale",
                    "calibration",
                    "the scale the anomaly score reads each error on: calibration (default; each step's from its"
                            + " 60-100 calibration windows, 10-20 % off on many sensors) or live (that scale corrected"
                            + " by the sensor's live errors as they come: of 300 generated healthy sensors 2 instead of"
                            + " 21 raised a false alert in 30 days, faults caught within a day as often; NAB's tuning"
                            + " set 69.0 instead of 69.7, its false alert episodes 15 instead of 13; docs/evaluation.md)",
                    "calibration",
                    "live")
            .defineChoice(
                    "lstm.engine",
                    "jvm",
                    "what computes the network: jvm (default; flat memory, fastest"
                            + " here) or samediff (Deeplearning4j's fused lstmLayer, from the lstm-samediff module)",
                    "jvm",
                    "samediff")
            .define(
                    "lstm.models-in-memory",
                    Type.INT,
                    "100000",
                    1,
                    100_000_000,
                    "trained models held in memory (about 35 KB each); beyond this the least recently used one is"
                            + " dropped and read from the model store again at its sensor's next reading (a forecast on"
                            + " request of one not held, memory full, reads it for that request alone)");

    /**
     * What a training request may override, under the original REST API's names, each bounded so
     * that no request can ask for more work or memory than a host can give (10,000 epochs of batch
     * size 1 ran on after its client had gone).
     */
    static final ConfigDef TRAIN_OPTIONS = new ConfigDef()
            .define("sequence_length", Type.INT, null, 2, 512, "input window, in intervals")
            .define("forecast_horizon", Type.INT, null, 1, 168, "forecast steps")
            .define("epochs", Type.INT, null, 1, 1000, "maximum training epochs")
            .define("batch_size", Type.INT, null, 1, 4096, "training mini-batch size")
            .define("patience", Type.INT, null, 1, 1000, "epochs without improvement before stopping")
            .define(
                    "interval",
                    Type.DURATION,
                    null,
                    0.001,
                    366 * 86400.0,
                    "the sensor's data interval (default: the configured one, or detected)");

    /**
     * The most intervals a model is built over (its grid is allocated whole): a longer history's older
     * readings are left out, and a training whose newest intervals this many hold too few readings
     * is refused before allocating.
     */
    static final long MAX_BUCKETS = 2_000_000;

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
                c.getInt("lstm.anomaly-window"),
                c.getDouble("lstm.anomaly-threshold"),
                LstmEngine.Kind.valueOf(c.getString("lstm.engine").toUpperCase(Locale.ROOT)),
                c.getInt("lstm.models-in-memory"),
                c.getString("lstm.new-extremes").equals("cautious"),
                c.getString("lstm.error-scale").equals("live"));
    }

    static LstmSettings defaults() {
        return from(Map.of());
    }

    /** These settings with a training request's options applied; an unknown or bad option is refused by name. */
    LstmSettings with(Map<String, String> options) {
        List<ConfigProblem> problems = TRAIN_OPTIONS.validate(options);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("the training request of plugin lstm", problems);
        }
        ConfigDef.Config o = TRAIN_OPTIONS.parse("the training request", options);
        return new LstmSettings(
                units,
                options.containsKey("sequence_length") ? o.getInt("sequence_length") : sequenceLength,
                options.containsKey("forecast_horizon") ? o.getInt("forecast_horizon") : horizon,
                options.containsKey("epochs") ? o.getInt("epochs") : epochs,
                options.containsKey("batch_size") ? o.getInt("batch_size") : batchSize,
                options.containsKey("patience") ? o.getInt("patience") : patience,
                learningRate,
                options.containsKey("interval") ? o.getDuration("interval") : interval,
                maxGap,
                seasonalPeriod,
                coverage,
                adaptationRate,
                validationFraction,
                minWindows,
                maxWindows,
                seed,
                anomalyWindow,
                anomalyThreshold,
                engine,
                modelsInMemory,
                cautiousExtremes,
                liveErrorScale);
    }

    /** These settings at a given interval (a detected one). */
    LstmSettings at(Duration detected) {
        return new LstmSettings(
                units,
                sequenceLength,
                horizon,
                epochs,
                batchSize,
                patience,
                learningRate,
                detected,
                maxGap,
                seasonalPeriod,
                coverage,
                adaptationRate,
                validationFraction,
                minWindows,
                maxWindows,
                seed,
                anomalyWindow,
                anomalyThreshold,
                engine,
                modelsInMemory,
                cautiousExtremes,
                liveErrorScale);
    }

    /** Largest number of consecutive missing buckets that is still interpolated. */
    int maxGapSteps() {
        return (int) (maxGap.toMillis() / interval.toMillis());
    }

    /** Seasonal period in steps, or 0 when it is off or shorter than two steps. */
    int seasonalSteps() {
        if (interval.isZero()) {
            return 0;
        }
        long p = seasonalPeriod.toMillis() / interval.toMillis();
        return p >= 2 && p <= 10_000 ? (int) p : 0;
    }

    /** Intervals of history a training needs at least. */
    int pointsNeeded() {
        return sequenceLength + horizon + minWindows - 1;
    }
}
