package io.prognos.host.runtime;

import io.prognos.api.Forecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import io.prognos.api.UnknownSensorException;
import io.prognos.jdbc.ReadingsSource;
import io.prognos.jdbc.ResultsWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the REST API and the command line ask of the host: train from stored readings, forecast
 * with risk, and the schedule, with results written back to the database.
 */
public final class SensorService {

    private static final Logger LOG = LoggerFactory.getLogger(SensorService.class);

    /** A forecast and the risk drawn from it. */
    public record Prediction(Forecast forecast, RiskAssessment risk) {
    }

    /** The schedule and how many sensors could not be assessed (no recent readings, say). */
    public record Schedule(List<ScheduleEntry> entries, int assessed, Map<SensorId, String> skipped) {
    }

    private final ForecastingPlugin plugin;
    private final ReadingsSource readings;
    private final ResultsWriter results;
    private final Function<SensorId, OperatingLimits> limits;
    private final Duration history;
    private final Duration lookback;
    private final Clock clock;

    SensorService(ForecastingPlugin plugin, ReadingsSource readings, ResultsWriter results,
                  Function<SensorId, OperatingLimits> limits, Duration history, Duration lookback, Clock clock) {
        this.plugin = plugin;
        this.readings = readings;
        this.results = results;
        this.limits = limits;
        this.history = history;
        this.lookback = lookback;
        this.clock = clock;
    }

    public ForecastingPlugin plugin() {
        return plugin;
    }

    public ModelInfo train(SensorId sensor, TrainingOptions options) {
        List<Reading> past = recent(sensor, history);
        if (past.isEmpty()) {
            throw new UnknownSensorException(sensor, "no readings for sensor " + sensor + " in the last "
                    + history.toDays() + " days (prognos.history)");
        }
        return plugin.train(new TrainRequest(sensor, past, options));
    }

    public Prediction predict(SensorId sensor, OperatingLimits override) {
        if (plugin.model(sensor).isEmpty()) {
            throw new UnknownSensorException(sensor);
        }
        Forecast f = plugin.forecast(new ForecastRequest(sensor, recent(sensor, lookback)));
        RiskAssessment a = plugin.assessRisk(f, override != null ? override : limits.apply(sensor));
        store(f, a);
        return new Prediction(f, a);
    }

    /** Fresh forecasts of every model, in one batch, ranked into a schedule. */
    public Schedule schedule(Duration window) {
        List<ForecastRequest> requests = new ArrayList<>();
        for (ModelInfo m : plugin.models()) {
            requests.add(new ForecastRequest(m.sensor(), recent(m.sensor(), lookback)));
        }
        var batch = plugin.forecastBatch(requests);
        List<RiskAssessment> assessed = new ArrayList<>();
        batch.forecasts().forEach((sensor, f) -> assessed.add(plugin.assessRisk(f, limits.apply(sensor))));
        Map<SensorId, String> skipped = new java.util.TreeMap<>();
        batch.failures().forEach((sensor, e) -> skipped.put(sensor, e.getMessage()));
        List<ScheduleEntry> entries = plugin.schedule(assessed, window);
        try {
            results.write(clock.instant(), entries);
        } catch (RuntimeException e) {
            LOG.warn("maintenance schedule not stored: {}", e.getMessage());
        }
        return new Schedule(entries, assessed.size(), skipped);
    }

    private List<Reading> recent(SensorId sensor, Duration span) {
        // A minute of future skew: a sensor's clock running slightly ahead still counts.
        Instant to = clock.instant().plus(Duration.ofMinutes(1));
        return readings.read(sensor, to.minus(span), to);
    }

    /** Results are a by-product of the answer: a database hiccup is logged, not the caller's error. */
    private void store(Forecast f, RiskAssessment a) {
        try {
            results.write(f, a);
        } catch (RuntimeException e) {
            LOG.warn("forecast of {} not stored: {}", f.sensor(), e.getMessage());
        }
    }
}
