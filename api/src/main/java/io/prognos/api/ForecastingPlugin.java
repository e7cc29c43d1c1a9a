package io.prognos.api;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A forecasting plugin, discovered with {@link java.util.ServiceLoader} (see {@link PluginDiscovery}).
 *
 * <p>Lifecycle: the host instantiates the plugin, checks {@link #spiVersion()}, calls
 * {@link #validate} with the plugin's configuration, then {@link #start} once, then any operation
 * from any thread, then {@link #stop}. Operations before start throw {@link IllegalStateException}.
 *
 * <p>A sensor's life: {@link #train} from its history; {@link #openState} once; then for every
 * batch of new readings {@link #observe} (an anomaly score for each interval they complete), and
 * {@link #forecast} or {@link #forecastBatch} at the host's cadence, {@link #assessRisk} on the
 * forecast. The host keeps each sensor's {@link SensorState}; calls for one sensor come from one
 * thread at a time, calls for different sensors from any number.
 *
 * <p>Errors: operations throw {@link BadRequestException} when the request is wrong and
 * {@link RetryLaterException} when it may succeed later; anything else is a bug.
 */
public interface ForecastingPlugin extends AutoCloseable {

    /** Stable id, e.g. {@code lstm}; its configuration keys start with {@code id + "."}. */
    String id();

    /** The plugin's own version. */
    String version();

    /** Version of the SPI this plugin was built against; see {@link Spi#isCompatible}. */
    default String spiVersion() {
        return Spi.VERSION;
    }

    /** Version of the engine behind the plugin (for example the Deeplearning4j version). */
    default String engineVersion() {
        return "";
    }

    Set<Capability> capabilities();

    /** The configuration keys the plugin accepts. */
    ConfigDef configDef();

    /** Every problem with a configuration, without starting; empty when it is valid. */
    default List<ConfigProblem> validate(Map<String, String> config) {
        return configDef().validate(config);
    }

    /**
     * Starts the plugin: validates the configuration (throwing {@link InvalidConfigurationException}
     * naming every bad key) and finds its stored models (reading each then or at its first use). A
     * corrupt stored model fails neither: it is reported with {@link ModelStatus#NEEDS_RETRAINING}
     * once found.
     */
    void start(PluginContext context);

    /** Stops the plugin and releases threads and native memory. Idempotent. */
    void stop();

    @Override
    default void close() {
        stop();
    }

    /** What the started plugin serves: horizon, interval, coverage, anomaly threshold, training options. */
    PluginDescription describe();

    /** Trains a sensor's model from its history and stores it; blocks until done. */
    ModelInfo train(TrainRequest request);

    /**
     * A sensor's online state: restored from {@code saved} (bytes of {@link SensorState#toBytes()})
     * when given and readable, else fresh. A state saved for the sensor's earlier model comes back as
     * it was and carries on with the current one (see {@link #observe}). An unreadable one comes back
     * fresh, bound to no model ({@link SensorState#modelVersion()} null): the host then hands it the
     * sensor's recent readings to warm it up.
     */
    SensorState openState(SensorId sensor, byte[] saved);

    /**
     * New readings of the state's sensor. Each interval they complete is scored once against the
     * forecasts made before it, whatever the reading and forecast cadence; the state learns from
     * it. Readings for an interval already scored are counted as late, not used. Before the sensor
     * has a model the readings only fill the state. A state of the sensor's earlier model carries on
     * with its retrained one, keeping what it learned online that still applies; when the new
     * model's interval differs, the state starts again on the new grid and needs the recent readings
     * (open a fresh one and hand it those).
     */
    Observation observe(SensorState state, List<Reading> readings);

    /** Forecasts the next steps of the state's sensor from its newest complete interval. */
    Forecast forecast(SensorState state);

    /** Forecasts many sensors at once, cheaper than one call each; one failure never fails the others. */
    BatchForecast forecastBatch(List<SensorState> states);

    /**
     * Failure risk from a forecast, the sensor's operating limits (which may be empty) and the
     * state's anomaly statistics.
     */
    RiskAssessment assessRisk(Forecast forecast, SensorState state, OperatingLimits limits);

    /**
     * Ranks assessments into a maintenance schedule, one entry per device (its worst sensor),
     * keeping devices that need action within {@code window}.
     */
    List<ScheduleEntry> schedule(Collection<RiskAssessment> assessments, Duration window);

    /** Every known model with its metrics. */
    List<ModelInfo> models();

    Optional<ModelInfo> model(SensorId sensor);

    /** Deletes a sensor's model from the cache and the store; true when one existed. */
    boolean deleteModel(SensorId sensor);
}
