package io.prognos.host.runtime;

import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.api.UnknownSensorException;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.SensorFaults;
import io.prognos.jdbc.ReadingsSource;
import io.prognos.jdbc.ResultsWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the REST API and the command line ask of the host, through the same sensor cycle and the
 * same per-sensor contexts as MQTT: train from stored readings, forecast with risk and the anomaly
 * score, and the schedule, with results written back to the database.
 */
public final class SensorService {

    private static final Logger LOG = LoggerFactory.getLogger(SensorService.class);

    /** The schedule and how many sensors could not be assessed (no recent readings, say). */
    public record Schedule(List<ScheduleEntry> entries, int assessed, Map<SensorId, String> skipped) {}

    private final ForecastingPlugin plugin;
    private final SensorCycle cycle;
    private final SensorContexts contexts;
    private final ReadingsSource readings;
    private final ResultsWriter results;
    private final Duration history;
    private final Clock clock;
    private final SensorFaults faults = new SensorFaults(LOG);

    public SensorService(
            ForecastingPlugin plugin,
            SensorCycle cycle,
            SensorContexts contexts,
            ReadingsSource readings,
            ResultsWriter results,
            Duration history,
            Clock clock) {
        this.plugin = plugin;
        this.cycle = cycle;
        this.contexts = contexts;
        this.readings = readings;
        this.results = results;
        this.history = history;
        this.clock = clock;
    }

    public ForecastingPlugin plugin() {
        return plugin;
    }

    /**
     * The readings a training of the sensor takes from the database: those of the last {@code
     * prognos.history}, or its newest {@code cycle.buffer-size} when there are some but fewer than a
     * training needs ({@link ReadingsSource#recentOrNewest}). REST's and the cycle's trainings.
     */
    public List<Reading> storedHistory(SensorId sensor) {
        Instant to = clock.instant().plus(Duration.ofMinutes(1));
        return readings.recentOrNewest(
                sensor,
                to,
                history,
                plugin.describe().minReadingsToTrain(),
                cycle.settings().bufferSize());
    }

    /**
     * Trains from the sensor's stored readings of the last {@code prognos.history}, or its newest
     * {@code cycle.buffer-size} when there are some but fewer than a training needs (a sensor that
     * reports daily, {@link ReadingsSource#recentOrNewest}).
     */
    public ModelInfo train(SensorId sensor, Map<String, String> options) {
        // Bad options are the caller's mistake whatever the readings: named before the database is asked.
        List<ConfigProblem> problems = plugin.describe().trainOptions().validate(options);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("the training request", problems);
        }
        List<Reading> past = storedHistory(sensor);
        if (past.isEmpty()) {
            throw new UnknownSensorException(
                    sensor,
                    "no readings for sensor " + sensor + " in the last " + history.toDays()
                            + " days (prognos.history)");
        }
        return plugin.train(new TrainRequest(sensor, past, options));
    }

    /**
     * The sensor's newest {@code limit} stored readings of the last {@code span}, or, for a sensor
     * silent longer than that, of the {@code span} up to its newest reading (looked for back to
     * {@code prognos.history}): a sensor that stopped sending is the one a user looks at, and its view
     * was empty under the forecast made from its last readings. The database picks them: a week's
     * view of a one-second sensor read 604,800 rows to show 2,000, and of one silent for 8 days every
     * row back to {@code prognos.history}.
     */
    public List<Reading> recentReadings(SensorId sensor, Duration span, int limit) {
        Instant now = clock.instant();
        List<Reading> recent = readings.newest(sensor, now.minus(span), now.plus(Duration.ofMinutes(1)), limit);
        if (!recent.isEmpty() || span.compareTo(history) >= 0) {
            return recent;
        }
        List<Reading> older = readings.newest(sensor, now.minus(history), now.minus(span), limit);
        if (older.isEmpty()) {
            return older;
        }
        // As many as the same span back from now would hold: the newest reading's time less the span is left out.
        Instant from = older.get(older.size() - 1).timestamp().minus(span);
        int first = 0;
        while (!older.get(first).timestamp().isAfter(from)) {
            first++;
        }
        return older.subList(first, older.size());
    }

    /** A forecast now, its risk (with {@code override} limits when given) and the newest anomaly score; stored. */
    public SensorCycle.Result predict(SensorId sensor, OperatingLimits override) {
        if (plugin.model(sensor).isEmpty()) {
            throw new UnknownSensorException(sensor);
        }
        SensorCycle.Result r = cycle.predict(contexts.get(sensor), override);
        if (override == null) {
            // Against the caller's own limits it is a what-if, answered only: stored, it replaced the
            // risk of the same interval assessed against the sensor's limits, which risk_latest, a
            // restarted dashboard and a restored alert's hold read.
            store(r);
        }
        return r;
    }

    /** Fresh forecasts of every model, ranked into a schedule. */
    public Schedule schedule(Duration window) {
        List<RiskAssessment> assessed = new ArrayList<>();
        Map<SensorId, String> skipped = new TreeMap<>();
        for (ModelInfo m : plugin.models()) {
            try {
                SensorCycle.Result r = cycle.predict(contexts.get(m.sensor()), null);
                assessed.add(r.risk());
                faults.handled(m.sensor());
            } catch (PrognosException e) {
                skipped.put(m.sensor(), e.getMessage());
            } catch (RuntimeException e) {
                // A fault of the plugin's on this sensor (a bug): it answered the whole plant's
                // schedule with a 500. The sensor is left out, saying why, the others ranked;
                // logged once while it repeats (a monitor may ask for the schedule every minute).
                faults.fault(m.sensor(), "the forecast of {} for the schedule failed", e);
                skipped.put(m.sensor(), "internal error: " + e);
            }
        }
        List<ScheduleEntry> entries = plugin.schedule(assessed, window);
        try {
            results.write(clock.instant(), entries);
        } catch (RuntimeException e) {
            LOG.warn("maintenance schedule not stored: {}", e.getMessage());
        }
        return new Schedule(entries, assessed.size(), skipped);
    }

    /** Results are a by-product of the answer: a database hiccup is logged, not the caller's error. */
    private void store(SensorCycle.Result r) {
        try {
            results.write(r.forecast(), r.risk());
        } catch (RuntimeException e) {
            LOG.warn("forecast of {} not stored: {}", r.forecast().sensor(), e.getMessage());
        }
    }
}
