package io.prognos.host.core;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.Observation;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.ReadingList;
import io.prognos.api.RetryLaterException;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.api.UnknownSensorException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sensor's life in a host, written once for every driver (MQTT, the JDBC poller, REST, Kafka,
 * the NAB runner): readings in; a training when the sensor has no model (or one due for retraining),
 * run off the reading thread; an anomaly score for every interval the readings complete; a forecast
 * and its risk at the host's cadence; the alert state machine; the schedule re-ranked when a level
 * changes or its interval has passed. Drivers only move data in and out: they hand readings to
 * {@link #accept} and publish what the {@link Listener} is told.
 *
 * <p>Calls for one sensor may come from several threads (MQTT readings, a REST predict): the cycle
 * serializes them per sensor on its context's lock; different sensors run in parallel.
 */
public final class SensorCycle {

    private static final Logger LOG = LoggerFactory.getLogger(SensorCycle.class);

    /** What the cycle produced, for the driver to publish and store. Called on the caller's thread. */
    public interface Listener {
        /** Valid readings as they arrive, before any model work. */
        default void readings(SensorId sensor, List<Reading> readings) {}

        /** Anomaly scores of intervals completed by new readings. */
        default void anomalies(SensorId sensor, List<AnomalyScore> scores) {}

        /** A forecast, its risk and the alert transition it caused, if any. */
        default void result(Result result) {}

        /** The maintenance schedule, re-ranked. */
        default void schedule(List<ScheduleEntry> schedule) {}

        /**
         * A forecast due was not made, and why (too few consecutive intervals after a pause in the
         * readings, with when forecasts resume; the plugin's refusal; an internal error; a stored
         * model that could not be read), told at each reading while it lasts; the next forecast
         * made is a {@link #result}. For views such as a dashboard: a sensor whose forecasts
         * stopped said why only in the log, once, while its view kept showing its last forecast.
         */
        default void forecastMissed(SensorId sensor, String why) {}

        /**
         * A forecast made for a request (REST or MQTT predict, the schedule) against the sensor's
         * own limits: its newest forecast, for views such as a dashboard, but not a published
         * result (no alert transition, nothing to publish or store). A what-if against a caller's
         * own limits is not told.
         */
        default void requested(Result result) {}

        /**
         * An open alert closed by a request ({@link SensorCycle#alertClosed}): for a sensor retired
         * or silent, whose alert no assessment would ever clear. Told on the caller's thread, once
         * the close is stored.
         */
        default void alertClosed(ClosedAlert closed) {}

        /**
         * Returns once everything told so far is durable. An adapter that acknowledges its input in
         * batches (Kafka commits its offsets) calls it before each acknowledgement, so that a
         * listener writing on a thread of its own loses nothing acknowledged when the host is
         * killed: input not yet acknowledged is delivered again and told again.
         *
         * @throws io.prognos.api.RetryLaterException when something told is not durable yet (the
         *     database is down): the adapter must not acknowledge, and syncs again later
         */
        default void sync() {}
    }

    /** An alert: the risk level rose to medium or above ({@code raised}), or fell below it ({@code cleared}). */
    public record Alert(String alertId, String state, RiskLevel previousLevel) {}

    /**
     * An open alert closed by a request: {@code alertId} the close's own id, {@code level} the level
     * the alert was raised (or last climbed) at, {@code at} the newest interval the sensor was assessed
     * on, {@code risk} its newest risk known (null when none is), {@code note} the request's note
     * ({@link CloseNote}; null when it gave none).
     */
    public record ClosedAlert(
            SensorId sensor, String alertId, RiskLevel level, Instant at, RiskAssessment risk, String note) {}

    /** A forecast, the risk drawn from it, the sensor's newest anomaly score and the alert it caused. */
    public record Result(Forecast forecast, RiskAssessment risk, AnomalyScore anomaly, Alert alert) {}

    /** What one call did: the scores, the result if a forecast was due, and whether a training was queued. */
    public record Outcome(
            SensorId sensor, List<AnomalyScore> anomalies, Result result, boolean trainingQueued, int lateReadings) {

        /** The reason a driver reports readings that were not used, with {@link #lateMessage}. */
        public static final String LATE_READING = "late_reading";

        /** What to tell the sender of readings that were not used; null when all were. */
        public String lateMessage() {
            return lateReadings == 0
                    ? null
                    : lateReadings + " reading(s) of " + sensor
                            + " arrived after their interval was scored, or repeated the reading before them,"
                            + " and were not used";
        }
    }

    /**
     * How long a request's forecast ({@link #predict}) waits for the sensor's other work, and an MQTT
     * request for the model-work thread. That work holds the sensor for tens of microseconds per
     * reading, about 0.1 s to warm a state with the default buffer of 2,048 readings; far longer only
     * when the listener waits (results held back while the database is down: back-pressure on the
     * readings) or a very long buffer is warmed.
     */
    public static final Duration REQUEST_WAIT = Duration.ofSeconds(5);

    private final ForecastingPlugin plugin;
    private final Function<SensorId, OperatingLimits> limits;
    private final CycleSettings settings;
    private final Clock clock;
    private final TrainingRunner trainer;
    private final Listener listener;
    private final ConcurrentMap<SensorId, RiskAssessment> latestRisk = new ConcurrentHashMap<>();
    private final ConcurrentMap<SensorId, AnomalyScore> latestAnomaly = new ConcurrentHashMap<>();
    private final AtomicLong lastSchedule = new AtomicLong(Long.MIN_VALUE);
    /** The kind of the plugin's last fault in ranking the schedule, told once; null once it ranks. */
    private final AtomicReference<FailureKind> scheduleFault = new AtomicReference<>();
    /** See {@link #readsBackFrom}; null: the buffer only. */
    private volatile Function<SensorId, List<Reading>> readBack;

    public SensorCycle(
            ForecastingPlugin plugin,
            Function<SensorId, OperatingLimits> limits,
            CycleSettings settings,
            Clock clock,
            TrainingRunner trainer,
            Listener listener) {
        this.plugin = plugin;
        this.limits = limits;
        this.settings = settings;
        this.clock = clock;
        this.trainer = trainer;
        this.listener = listener;
    }

    public CycleSettings settings() {
        return settings;
    }

    /** Waits until the listeners have made durable what they were told so far ({@link Listener#sync}). */
    public void sync() {
        listener.sync();
    }

    /** New readings of the context's sensor; non-finite values are refused by the plugin, naming the first. */
    public Outcome accept(SensorContext ctx, List<Reading> readings) {
        ctx.lock.lock();
        try {
            for (Reading r : readings) {
                ctx.add(r);
            }
            ctx.sinceForecast += readings.size();
            listener.readings(ctx.sensor(), readings);
            return work(ctx, readings);
        } finally {
            ctx.lock.unlock();
        }
    }

    /**
     * Serves the sensors in {@code contexts}: when a training the cycle queued finishes, the sensor
     * is forecast at once from the readings it buffered meanwhile, instead of at its next reading
     * (which may be an interval away, or never for a replayed history).
     */
    public void forecastWhenTrained(SensorContexts contexts) {
        if (trainer != null) {
            trainer.afterTraining(m -> {
                SensorContext ctx = contexts.peek(m.sensor());
                if (ctx != null) {
                    tick(ctx);
                }
            });
        }
    }

    /**
     * Where a fresh state for a sensor's new model reads more of its stored readings than the buffer
     * holds, when the model looks back further than the buffer spans ({@link
     * ModelInfo#contextIntervals()}): a sensor first served before it had a model was warmed with
     * its newest readings only, and a model trained on its stored history that looks back a season
     * (9,720 intervals of a ten-second sensor) waited 21 hours for its first forecast. {@code
     * stored} reads as a context's warm-up does, the sensor's model known by then (the host's
     * {@code ReadingsSource.forContext}).
     */
    public void readsBackFrom(Function<SensorId, List<Reading>> stored) {
        this.readBack = stored;
    }

    /** The time cadence: a sensor with readings not yet forecast from gets a forecast if its interval passed. */
    public Outcome tick(SensorContext ctx) {
        ctx.lock.lock();
        try {
            return work(ctx, List.of());
        } finally {
            ctx.lock.unlock();
        }
    }

    /**
     * A forecast from what the context holds now, handed to the listener with its alert transition
     * as a reading's would be: for a sensor first served from readings already stored (the
     * database poller's first run), whose forecast was otherwise only answered, never published.
     */
    public Outcome forecastNow(SensorContext ctx) {
        ctx.lock.lock();
        try {
            ctx.sinceForecast = Math.max(1, ctx.sinceForecast);
            return work(ctx, List.of());
        } finally {
            ctx.lock.unlock();
        }
    }

    private Outcome work(SensorContext ctx, List<Reading> fresh) {
        SensorId sensor = ctx.sensor();
        Optional<ModelInfo> model = plugin.model(sensor);
        boolean queued = false;
        if (model.isEmpty() || model.get().status() == ModelStatus.NEEDS_RETRAINING) {
            ctx.warmedBeyondBuffer = null; // held for a state's warm-up, which waits for a model
            if (model.isPresent()) {
                // Without a model its view says so, and why its training failed if it did.
                listener.forecastMissed(
                        sensor,
                        sensor + ": its stored model could not be read (corrupt, or of another format);"
                                + " forecasts resume once it is trained again");
            }
            // Not while its training waits: the buffer is made into readings only for a training
            // (2,048 of them, at every reading of a sensor waiting in the trainings' queue).
            if (ctx.buffered() >= settings.trainAfter() && trainer != null && trainer.takes(sensor, ctx.newestTime())) {
                queued = trainer.submit(sensor, ctx.readings(), Map.of());
            }
            return new Outcome(sensor, List.of(), null, queued, 0);
        }
        ModelInfo m = model.get();
        if (trainer != null
                && !settings.retrainEvery().isZero()
                && m.trainedAt().plus(settings.retrainEvery()).isBefore(clock.instant())
                && trainer.takes(sensor, ctx.newestTime())) {
            queued = trainer.submit(sensor, ctx.readings(), RetrainOptions.of(plugin, m));
        }
        if (!queued
                && trainer != null
                && intervalDetected()
                && cadenceAsksTraining(ctx, m, fresh.size(), () -> trainer.isPending(sensor))) {
            queued = trainer.submitRecent(sensor, ctx.readings(), RetrainOptions.of(plugin, m));
        }
        List<AnomalyScore> scores;
        int late;
        Observation warm = readyFor(ctx, m);
        if (warm != null) {
            // A new model, or one of another interval: a fresh state, warmed with the buffered
            // readings. Only the scores of intervals the new readings completed are news.
            Instant since = fresh.isEmpty() ? Instant.MAX : fresh.get(0).timestamp();
            scores = warm.scores().stream().filter(s -> !s.at().isBefore(since)).toList();
            late = 0;
        } else if (!fresh.isEmpty()) {
            Observation o = plugin.observe(ctx.state, fresh);
            scores = o.scores();
            late = o.lateReadings();
        } else {
            scores = List.of();
            late = 0;
        }
        if (!scores.isEmpty()) {
            latestAnomaly.put(sensor, scores.get(scores.size() - 1));
            listener.anomalies(sensor, scores);
        }
        Result result = null;
        if (forecastDue(ctx)) {
            RiskLevel before = ctx.latestRisk == null ? RiskLevel.LOW : ctx.latestRisk.level();
            try {
                result = forecastAndAssess(ctx);
                listener.result(result);
                offerSchedule(result.risk().level() != before);
                ctx.forecastProblem = null;
            } catch (InsufficientHistoryException e) {
                // Too little history in the current stretch (after a gap): the next readings will do.
                // Why, when the plugin knows, is said once per pause: a sensor that pauses often
                // (one that reports only on change) would otherwise go without forecasts unexplained.
                result = null;
                listener.forecastMissed(sensor, whenForecastsResume(ctx, m, e));
                if (e.whyShort() != null && !e.whyShort().equals(ctx.forecastProblem)) {
                    LOG.info(
                            "{}: forecasts resume after {} more intervals of readings: {}",
                            sensor,
                            Math.max(1, e.needed() - e.available()),
                            e.whyShort());
                    ctx.forecastProblem = e.whyShort();
                }
            } catch (PrognosException e) {
                // Not expected (the model deleted meanwhile, say): said once per sensor until it
                // changes or a forecast succeeds, not once per reading.
                result = null;
                listener.forecastMissed(sensor, e.getMessage());
                if (!e.getMessage().equals(ctx.forecastProblem)) {
                    LOG.warn("{}: no forecast: {}", sensor, e.getMessage());
                    ctx.forecastProblem = e.getMessage();
                }
            } catch (RuntimeException e) {
                // A fault of the plugin's: the driver tells it (SensorFaults), the view says so.
                listener.forecastMissed(sensor, "internal error: " + e);
                throw e;
            }
        }
        return new Outcome(sensor, scores, result, queued, late);
    }

    /** How many of a sensor's newest spacings tell that its readings no longer come at its model's interval. */
    static final int CADENCE_SPACINGS = 30;

    /** Whether the plugin detects each sensor's interval from its readings (null until first asked). */
    private volatile Boolean intervalDetected;

    private boolean intervalDetected() {
        Boolean detected = intervalDetected;
        if (detected == null) {
            detected = plugin.describe().interval() == null;
            intervalDetected = detected;
        }
        return detected;
    }

    /**
     * For a driver that trains its sensors itself (the database poller, whose cycle has no trainer):
     * whether the sensor's readings now come at another cadence than its model's interval, decided
     * and told as for the sensors this cycle trains ({@link #cadenceAsksTraining}); {@code fresh}
     * readings were accepted since the last call. A polled sensor set to report hourly instead of
     * every minute went on being modelled at a minute.
     */
    public boolean cadenceChanged(SensorContext ctx, int fresh) {
        if (!intervalDetected()) {
            return false;
        }
        ctx.lock.lock();
        try {
            Optional<ModelInfo> m = plugin.model(ctx.sensor());
            return m.isPresent() && cadenceAsksTraining(ctx, m.get(), fresh, () -> false);
        } finally {
            ctx.lock.unlock();
        }
    }

    /**
     * Whether the sensor is to be trained again because each of its newest {@link
     * #CADENCE_SPACINGS} readings came at least three of its model's intervals after the one before
     * (two or more interpolated between each), or at most a third of one: a device set to report
     * hourly instead of every minute went on being modelled at a minute until its next scheduled
     * training (never, by default), and the reverse too. Each of them, not their median, so that a
     * sensor reporting on change is not trained again for a quiet spell. A training that does not
     * change the interval (too few readings at the new one yet) is asked for again after twice as
     * many readings as the last wait, from {@link #CADENCE_SPACINGS}; not while {@code pending}.
     */
    private boolean cadenceAsksTraining(SensorContext ctx, ModelInfo m, int fresh, BooleanSupplier pending) {
        Duration interval = m.interval();
        if (interval == null || interval.isZero()) {
            return false;
        }
        long step = interval.toMillis();
        // The newest spacing first, read in place: at the model's cadence that is all a reading costs.
        long newest = ctx.newestSpacingMillis();
        long[] spacings = newest < 0 || usual(newest, newest, step) ? null : ctx.newestSpacingsMillis(CADENCE_SPACINGS);
        if (spacings == null || usual(spacings[0], spacings[spacings.length - 1], step)) {
            ctx.cadenceWait = 0;
            return false;
        }
        long least = spacings[0];
        long most = spacings[spacings.length - 1];
        ctx.sinceCadenceAsk += fresh;
        if (ctx.sinceCadenceAsk < ctx.cadenceWait || pending.getAsBoolean()) {
            return false;
        }
        boolean told = ctx.cadenceWait > 0;
        ctx.cadenceWait = ctx.cadenceWait == 0 ? CADENCE_SPACINGS : Math.min(1 << 20, 2 * ctx.cadenceWait);
        ctx.sinceCadenceAsk = 0;
        long[] buffered = ctx.newestSpacingsMillis(ctx.buffered() - 1);
        if (!usual(buffered[0], buffered[buffered.length - 1], step)) {
            // Every buffered reading is as far from the model's interval: the interval was not
            // learnt from this cadence but chosen (a training's interval option, an hourly model of
            // a one-second sensor), and a training at the detected one replaced it with a model of a
            // second. Asked only at the waits' ends, where the buffer's spacings are sorted.
            LOG.debug(
                    "{}: every buffered reading came as far from its model's interval {}: chosen, kept",
                    ctx.sensor(),
                    interval);
            return false;
        }
        String why = "{}: its last {} readings came {} to {} s apart, its model's interval is {}: trained again";
        if (told) {
            LOG.debug(why, ctx.sensor(), CADENCE_SPACINGS, least / 1000.0, most / 1000.0, interval);
        } else {
            LOG.info(why, ctx.sensor(), CADENCE_SPACINGS, least / 1000.0, most / 1000.0, interval);
        }
        return true;
    }

    /**
     * Whether spacings from {@code least} to {@code most} are not all three model intervals or more
     * apart, nor all a third of one or less (and not 0: readings of one time are no cadence).
     */
    private static boolean usual(long least, long most, long step) {
        return least < 3 * step && (least == 0 || 3 * most > step);
    }

    private boolean forecastDue(SensorContext ctx) {
        if (ctx.sinceForecast <= 0) {
            return false;
        }
        if (ctx.sinceForecast >= settings.forecastEvery()) {
            return true;
        }
        Duration every = settings.forecastInterval();
        return !every.isZero() && clock.millis() - ctx.lastForecastMs >= every.toMillis();
    }

    /**
     * A forecast from the context now, its risk against the sensor's limits and the alert
     * transition. Throws the plugin's error when the sensor cannot be forecast.
     */
    private Result forecastAndAssess(SensorContext ctx) {
        if (ctx.state == null) {
            throw new IllegalStateException("the context of " + ctx.sensor() + " has no state yet");
        }
        Forecast f = plugin.forecast(ctx.state);
        RiskAssessment risk = plugin.assessRisk(f, ctx.state, limits.apply(ctx.sensor()));
        ctx.sinceForecast = 0;
        ctx.lastForecastMs = clock.millis();
        return transition(ctx, f, risk);
    }

    /**
     * Moves the sensor's alert episode by the risk's level ({@link AlertEpisodes}: cleared only after
     * a whole horizon below medium), and says whether that raised or cleared an alert.
     */
    private Result transition(SensorContext ctx, Forecast f, RiskAssessment risk) {
        RiskLevel before = ctx.alertLevel;
        AlertEpisodes.Step step = AlertEpisodes.step(
                before,
                ctx.lastAlertingAt,
                risk.level(),
                f.lastObserved(),
                f.interval().multipliedBy(f.horizon()));
        ctx.alertLevel = step.episodeLevel();
        ctx.lastAlertingAt = step.lastAlerting();
        ctx.latestRisk = risk;
        latestRisk.put(ctx.sensor(), risk);
        Alert alert = step.raised() || step.cleared()
                ? new Alert(UUID.randomUUID().toString(), step.raised() ? "raised" : "cleared", before)
                : null;
        return new Result(f, risk, latestAnomaly.get(ctx.sensor()), alert);
    }

    /**
     * A forecast for a request (REST predict): warms the context's state from its buffer when it has
     * none, then forecasts and assesses. The result is not handed to the listener (the caller
     * answers), so it leaves the sensor's alert level and cadence alone: a level change seen only
     * here would otherwise never be published as an alert, and one assessed against a caller's own
     * limits would later be "cleared" without ever having been raised.
     *
     * <p>It waits at most {@link #REQUEST_WAIT} for the sensor's other work, then is refused to be
     * asked again ({@link RetryLaterException}, a 503 over REST; the schedule lists the sensor as
     * skipped) instead of holding the caller's thread for as long as that work takes.
     */
    public Result predict(SensorContext ctx, OperatingLimits override) {
        ModelInfo m = plugin.model(ctx.sensor()).orElseThrow(() -> new UnknownSensorException(ctx.sensor()));
        lockForRequest(ctx);
        try {
            readyFor(ctx, m);
            Forecast f;
            try {
                f = plugin.forecast(ctx.state);
            } catch (InsufficientHistoryException e) {
                throw awaitingReadings(ctx, m, e);
            }
            RiskAssessment risk =
                    plugin.assessRisk(f, ctx.state, override != null ? override : limits.apply(ctx.sensor()));
            Result result = new Result(f, risk, latestAnomaly.get(ctx.sensor()), null);
            if (override == null) {
                listener.requested(result);
            }
            return result;
        } finally {
            ctx.lock.unlock();
        }
    }

    /**
     * A sensor the host holds readings of cannot be forecast for want of recent ones (a gap, or a
     * fresh start): the caller can do nothing but wait, so it is "try again later", with when,
     * not the plugin's "send more history", which is for a caller that sends the history.
     */
    private static RetryLaterException awaitingReadings(
            SensorContext ctx, ModelInfo m, InsufficientHistoryException e) {
        Duration wait = m.interval().multipliedBy(Math.max(1, e.needed() - e.available()));
        return new RetryLaterException(
                RetryLaterException.Reason.AWAITING_READINGS, whenForecastsResume(ctx, m, e), wait, e);
    }

    /** Why the sensor cannot be forecast for want of recent readings, and when it can again. */
    private static String whenForecastsResume(SensorContext ctx, ModelInfo m, InsufficientHistoryException e) {
        long more = Math.max(1, e.needed() - e.available());
        Duration wait = m.interval().multipliedBy(more);
        // A sensor whose stored readings are all older than warming reads back (a host restarted
        // after the sensor fell silent) was told only to wait for readings the database holds.
        String none = ctx.buffered() == 0 && ctx.noneWarmed != null ? "; " + ctx.noneWarmed : "";
        return ctx.sensor() + " has " + e.available() + " of the " + e.needed()
                + " consecutive intervals of readings its forecast needs ("
                + (e.whyShort() != null ? e.whyShort() : "after a gap in its readings, or since it started")
                + "); forecasts resume after " + more + " more, in about " + wait + none;
    }

    /**
     * Ends the context's alert episode, whose alert a request closed: the next assessment at medium
     * or above raises a new alert (a close does not hide a sensor still at risk), one below medium
     * clears nothing. Waits for the sensor's other work as {@link #predict} does.
     */
    public void endAlertEpisode(SensorContext ctx) {
        lockForRequest(ctx);
        try {
            ctx.alertLevel = RiskLevel.LOW;
            ctx.lastAlertingAt = null;
        } finally {
            ctx.lock.unlock();
        }
    }

    /**
     * Tells the listener of an alert a request closed, once the close is stored; the episodes of the
     * sensor's contexts in memory were ended before ({@link #endAlertEpisode}).
     */
    public void alertClosed(ClosedAlert closed) {
        listener.alertClosed(closed);
    }

    private static void lockForRequest(SensorContext ctx) {
        boolean locked;
        try {
            locked = ctx.lock.tryLock(REQUEST_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        if (!locked) {
            throw new RetryLaterException(
                    RetryLaterException.Reason.CAPACITY,
                    ctx.sensor() + " is busy: its readings' work held it for over " + REQUEST_WAIT.toSeconds()
                            + " s (results waiting for the database to take them, or a state warming with a"
                            + " long buffer); try again",
                    REQUEST_WAIT,
                    null);
        }
    }

    /**
     * Makes the context's state ready for model {@code m}: a fresh state warmed with the buffer when
     * it has none, or one made for a model of another interval (returns that warm-up's observation);
     * else null. A state made for the sensor's earlier model of the same interval carries on with the
     * retrained one (the plugin rebinds it, keeping what it learned from live errors), so the new
     * model is not judged by a warm-up over the very readings it was trained on, whose smaller
     * in-sample errors would narrow the anomaly baseline: on the NAB tuning files retrained every 3
     * days, 21 false alert episodes warmed up, 10 carrying on (11 without retraining).
     */
    private Observation readyFor(SensorContext ctx, ModelInfo m) {
        String madeFor = ctx.state == null ? null : ctx.state.modelVersion();
        if (m.modelVersion().equals(madeFor)) {
            ctx.stateInterval = m.interval(); // certain, also for a context saved by an earlier release
            return null;
        }
        if (madeFor != null && m.interval().equals(ctx.stateInterval)) {
            return null;
        }
        ctx.state = plugin.openState(ctx.sensor(), null);
        ctx.stateInterval = m.interval();
        readBackIfShort(ctx, m);
        Observation warm = plugin.observe(ctx.state, warmUp(ctx));
        remember(ctx.sensor(), warm);
        return warm;
    }

    /** Reads the sensor's stored readings again when the buffer spans fewer intervals than {@code m} looks back. */
    private void readBackIfShort(SensorContext ctx, ModelInfo m) {
        Function<SensorId, List<Reading>> source = readBack;
        if (source == null || ctx.warmedBeyondBuffer != null || m.contextIntervals() == 0) {
            return;
        }
        if (ctx.spanMillis() >= m.interval().toMillis() * m.contextIntervals()) {
            return;
        }
        List<Reading> again = source.apply(ctx.sensor());
        if (again.size() > ctx.buffered()) {
            ctx.warmedBeyondBuffer = again;
        }
    }

    /**
     * The readings a fresh state is warmed with: the buffer's, or, once, what warming read beyond
     * it followed by the buffer's newer ones (those that came since).
     */
    private static List<Reading> warmUp(SensorContext ctx) {
        List<Reading> buffered = ctx.readings();
        List<Reading> warmed = ctx.warmedBeyondBuffer;
        ctx.warmedBeyondBuffer = null;
        if (warmed == null) {
            return buffered;
        }
        Instant newest = Instant.MIN;
        for (Reading r : warmed) {
            newest = r.timestamp().isAfter(newest) ? r.timestamp() : newest;
        }
        ReadingList.Builder all = ReadingList.builder(warmed.size() + 16).addAll(warmed);
        for (Reading r : buffered) {
            if (r.timestamp().isAfter(newest)) {
                all.add(r);
            }
        }
        return all.build();
    }

    /** The newest score of a warm-up is the sensor's current one, though not news to publish. */
    private void remember(SensorId sensor, Observation warm) {
        AnomalyScore newest = warm.latest();
        if (newest != null) {
            latestAnomaly.put(sensor, newest);
        }
    }

    /**
     * Re-ranks the schedule when a level changed, else at most every {@code schedule-interval}:
     * ranking every sensor after every reading is O(sensors) per reading.
     */
    private void offerSchedule(boolean levelChanged) {
        long now = System.nanoTime();
        long last = lastSchedule.get();
        boolean due = last == Long.MIN_VALUE
                || now - last >= settings.scheduleInterval().toNanos();
        if ((levelChanged || due) && lastSchedule.compareAndSet(last, now)) {
            List<ScheduleEntry> schedule;
            try {
                schedule = plugin.schedule(latestRisk.values(), Duration.ofDays(7));
            } catch (RuntimeException e) {
                // A fault of the plugin's in the ranking (a bug): it failed the reading that came
                // to ask for it, whose forecast was made and published, as an internal error.
                // Told once while it repeats.
                FailureKind kind = FailureKind.of(e);
                if (!kind.equals(scheduleFault.getAndSet(kind))) {
                    LOG.error("the maintenance schedule could not be ranked (told once while it repeats)", e);
                }
                return;
            }
            scheduleFault.set(null);
            listener.schedule(schedule);
        }
    }

    /** The latest risk of every sensor forecast so far. */
    public Collection<RiskAssessment> latestRisks() {
        return new ArrayList<>(latestRisk.values());
    }

    /** Forget a sensor (evicted from memory): it leaves the schedule until it reports again. */
    public void forget(SensorId sensor) {
        latestRisk.remove(sensor);
        latestAnomaly.remove(sensor);
    }
}
