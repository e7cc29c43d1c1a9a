package io.prognos.host.core;

import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import java.time.Duration;
import java.util.Map;

/**
 * The policy of the sensor cycle, the same for every driver (MQTT, the JDBC poller, REST, Kafka).
 *
 * @param trainAfter        a sensor without a model is trained once this many readings are buffered
 * @param bufferSize        recent readings kept per sensor (training history and state warm-up)
 * @param forecastEvery     a forecast after this many new readings
 * @param forecastInterval  also a forecast when this much time passed with new readings (zero: off)
 * @param retrainEvery      a model older than this is retrained, with the options it was trained with (zero: never)
 * @param scheduleInterval  the schedule is re-ranked on a level change, else at most this often
 * @param maxSensors        sensors kept in memory; the least recently used beyond it are evicted
 */
public record CycleSettings(
        int trainAfter,
        int bufferSize,
        int forecastEvery,
        Duration forecastInterval,
        Duration retrainEvery,
        Duration scheduleInterval,
        int maxSensors) {

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    "cycle.train-after",
                    Type.INT,
                    "200",
                    2,
                    1_000_000,
                    "train a sensor without a model once this many readings are buffered")
            .define(
                    "cycle.buffer-size",
                    Type.INT,
                    "2048",
                    16,
                    1_000_000,
                    "recent readings kept per sensor, to warm its state after a restart and to train it where"
                            + " the host stores no readings (else a training takes the stored prognos.history)")
            .define("cycle.forecast-every", Type.INT, "1", 1, 1_000_000, "forecast after this many new readings")
            .define(
                    "cycle.forecast-interval",
                    Type.DURATION,
                    "0s",
                    0,
                    86400 * 30.0,
                    "also forecast every sensor with new readings at this interval (0 = only by count)")
            .define(
                    "cycle.retrain-every",
                    Type.DURATION,
                    "0s",
                    0,
                    3650 * 86400.0,
                    "retrain a model older than this from the sensor's stored history (buffered readings where"
                            + " the host stores none); the retrained model"
                            + " carries on with the sensor's online state (0 = never; retraining detected more"
                            + " anomalies but raised more false alerts on NAB's files: docs/forecasting.md,"
                            + " docs/evaluation.md)")
            .define(
                    "cycle.schedule-interval",
                    Type.DURATION,
                    "1m",
                    0,
                    86400,
                    "the schedule is re-ranked when a sensor's risk level changes, else at most this often")
            .define(
                    "cycle.max-sensors",
                    Type.INT,
                    "100000",
                    1,
                    100_000_000,
                    "sensors kept in memory; beyond this the least recently used one is evicted (and warmed"
                            + " from the database again when it reports)");

    public static CycleSettings from(Map<String, String> values) {
        ConfigDef.Config c = CONFIG.parse("the sensor cycle", values);
        return new CycleSettings(
                c.getInt("cycle.train-after"),
                c.getInt("cycle.buffer-size"),
                c.getInt("cycle.forecast-every"),
                c.getDuration("cycle.forecast-interval"),
                c.getDuration("cycle.retrain-every"),
                c.getDuration("cycle.schedule-interval"),
                c.getInt("cycle.max-sensors"));
    }

    public static CycleSettings defaults() {
        return from(Map.of());
    }
}
