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
 * <p>Errors: operations throw {@link BadRequestException} when the request is wrong and
 * {@link RetryLaterException} when it may succeed later; anything else is a bug.
 */
public interface ForecastingPlugin extends AutoCloseable {

    /** Stable id, e.g. {@code lstm}. */
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
     * naming every bad key) and loads stored models. A corrupt stored model does not fail start;
     * it is reported with {@link ModelStatus#NEEDS_RETRAINING}.
     */
    void start(PluginContext context);

    /** Stops the plugin and releases threads and native memory. Idempotent. */
    void stop();

    @Override
    default void close() {
        stop();
    }

    /** Trains a sensor's model from its history and stores it; blocks until done. */
    ModelInfo train(TrainRequest request);

    /** Forecasts the next steps of one sensor. */
    Forecast forecast(ForecastRequest request);

    /** Forecasts many sensors at once, cheaper than one call each. */
    BatchForecast forecastBatch(List<ForecastRequest> requests);

    /** Failure risk from a forecast and the sensor's operating limits (which may be empty). */
    RiskAssessment assessRisk(Forecast forecast, OperatingLimits limits);

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
