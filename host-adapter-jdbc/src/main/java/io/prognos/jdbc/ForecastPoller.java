package io.prognos.jdbc;

import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.FailureKind;
import io.prognos.host.core.HistoryWaits;
import io.prognos.host.core.RetrainOptions;
import io.prognos.host.core.SensorContext;
import io.prognos.host.core.SensorContexts;
import io.prognos.host.core.SensorCycle;
import io.prognos.host.core.SensorFaults;
import io.prognos.host.core.TrainingFailure;
import io.prognos.host.core.TrainingHolds;
import io.prognos.host.core.TrainingOutOfMemory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For hosts that do not push readings: at every run it reads each sensor's readings newer than its
 * watermark and hands them to the sensor cycle (the same one MQTT and REST use), after training
 * sensors that have no model, are due for retraining or whose readings came at another cadence than
 * their model's interval at the run before (as the cycle tells). Results are written from what the cycle
 * returns, and only then does the watermark advance. A run that meets an unavailable database stops
 * where it is; results not yet written are kept and written first next time, and the idempotent
 * writes make any repeat harmless, so nothing is lost or duplicated. Outages are logged once when
 * they start and once when they end, with exponential backoff in between.
 */
public final class ForecastPoller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForecastPoller.class);

    /**
     * How the poller reads and trains.
     *
     * @param maxFutureSkew readings stamped further ahead of this host's clock are left until their
     *                      time comes (MQTT's and Kafka's {@code max-future-skew}, 5 minutes by default)
     * @param newestReadings the readings a sensor's context keeps, and the newest a training or a
     *                      sensor's warm-up reads when its span holds some but fewer than a training
     *                      needs, a sensor that reports daily (the host's {@code cycle.buffer-size};
     *                      {@link ReadingsSource#recentOrNewest})
     */
    public record Settings(
            Duration every,
            Duration trainingHistory,
            Duration forecastLookback,
            Duration retrainEvery,
            Duration scheduleWindow,
            Duration maxBackoff,
            Duration maxFutureSkew,
            int newestReadings) {

        /**
         * Checked when built, naming the setting: a null one failed inside every run (each logged
         * as a failed run), and a zero period ran the poller without a pause.
         */
        public Settings {
            positive("every", every);
            positive("trainingHistory", trainingHistory);
            positive("forecastLookback", forecastLookback);
            notNegative("retrainEvery", retrainEvery);
            positive("scheduleWindow", scheduleWindow);
            positive("maxBackoff", maxBackoff);
            notNegative("maxFutureSkew", maxFutureSkew);
            if (newestReadings < 1) {
                throw new IllegalArgumentException(
                        "ForecastPoller.Settings.newestReadings must be at least 1, got " + newestReadings);
            }
        }

        private static void positive(String name, Duration d) {
            notNegative(name, d);
            if (d.isZero()) {
                throw new IllegalArgumentException("ForecastPoller.Settings." + name + " must be positive");
            }
        }

        private static void notNegative(String name, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(
                        "ForecastPoller.Settings." + name + " must be a duration of zero or more, got " + d);
            }
        }
    }

    /** What one run did. */
    public record RunReport(int sensors, int trained, int forecasts, int skipped, boolean completed) {}

    /** The last run's report and when it ended; null before the first run ends. */
    public record LastRun(Instant endedAt, RunReport report) {}

    private final ForecastingPlugin plugin;
    private final JdbcAdapter db;
    private final Settings settings;
    private final Clock clock;
    private final String watermarks;
    private final SensorCycle cycle;
    private final SensorCycle.Listener listener;
    private final Predicate<SensorId> servedElsewhere;
    /** Sensors left to the host's other cycle, said once each. */
    private final Set<SensorId> leftElsewhere = new HashSet<>();

    private final SensorContexts contexts;
    /** Results computed but not yet written (the database went away between the two). */
    private final Map<SensorId, SensorCycle.Outcome> unwritten = new LinkedHashMap<>();

    /** Faults on sensors, told once while they repeat. */
    private final SensorFaults faults = new SensorFaults(LOG);
    /** Per sensor refused, the kind of its refusal last warned about. */
    private final Map<SensorId, FailureKind> refusals = new HashMap<>();
    /** Per sensor whose retraining failed, the kind of failure last warned about, until it trains. */
    private final Map<SensorId, FailureKind> retrainingsTold = new HashMap<>();
    /** Sensors whose readings ahead of the clock were warned about, until they have none. */
    private final Set<SensorId> aheadWarned = new HashSet<>();
    /** Sensors whose readings came at another cadence than their model's interval, trained at their next run. */
    private final Set<SensorId> cadenceChanged = new HashSet<>();

    /** Guards {@link #executor}; not the poller's monitor, which a run holds for as long as it takes. */
    private final Object schedule = new Object();

    private ScheduledExecutorService executor;
    /** Where a run's trainings run, {@code trainingThreads} at a time. */
    private final ExecutorService trainings;
    /** One training's history read at a time ({@link #train}). */
    private final Semaphore historyReads = new Semaphore(1);
    /** Sensors refused for too little history, until a reading as new as the plugin said. */
    private final HistoryWaits historyWaits;
    /** Sensors held after a failed training that the next run does not mend (out of heap, a refusal). */
    private final TrainingHolds holds;
    /** Why each sensor's last training failed, until it trains ({@link #trainingProblem}). */
    private final Map<SensorId, TrainingFailure> trainingFailures = new ConcurrentHashMap<>();
    /** Set by {@link #close}: a run in progress stops before its next sensor. */
    private volatile boolean closed;

    private volatile LastRun lastRun;

    private Instant outageSince;
    private Duration backoff;

    public ForecastPoller(
            ForecastingPlugin plugin,
            JdbcAdapter db,
            Function<SensorId, OperatingLimits> limits,
            Settings settings,
            Clock clock) {
        this(plugin, db, limits, settings, clock, new SensorCycle.Listener() {}, s -> false, 1);
    }

    /**
     * {@code listener} is told what the poller's cycle produces (results, alerts, anomaly scores),
     * as an MQTT adapter's publisher is; the poller writes them to the database itself, so it must
     * not store them again. {@code servedElsewhere} names the sensors whose readings the host takes
     * another way (MQTT, REST) and stores where the poller reads: those are left to that cycle,
     * which would otherwise forecast, publish and alert on every such reading a second time. At
     * most {@code trainingThreads} sensors are trained at once (the host's {@code prognos.threads}).
     */
    public ForecastPoller(
            ForecastingPlugin plugin,
            JdbcAdapter db,
            Function<SensorId, OperatingLimits> limits,
            Settings settings,
            Clock clock,
            SensorCycle.Listener listener,
            Predicate<SensorId> servedElsewhere,
            int trainingThreads) {
        this(plugin, db, limits, settings, clock, listener, servedElsewhere, trainingThreads, System::nanoTime);
    }

    /** As above, with the monotonic clock of its holds and waits ({@code System::nanoTime}, or a test's). */
    ForecastPoller(
            ForecastingPlugin plugin,
            JdbcAdapter db,
            Function<SensorId, OperatingLimits> limits,
            Settings settings,
            Clock clock,
            SensorCycle.Listener listener,
            Predicate<SensorId> servedElsewhere,
            int trainingThreads,
            LongSupplier nanos) {
        if (trainingThreads < 1) {
            throw new IllegalArgumentException("trainingThreads must be at least 1, got " + trainingThreads);
        }
        this.trainings = Executors.newFixedThreadPool(trainingThreads, r -> {
            Thread t = new Thread(r, "prognos-poller-training");
            t.setDaemon(true);
            return t;
        });
        this.plugin = plugin;
        this.holds = new TrainingHolds(nanos);
        this.historyWaits = new HistoryWaits(nanos);
        this.servedElsewhere = servedElsewhere;
        this.db = db;
        this.settings = settings;
        this.clock = clock;
        this.watermarks = Migrations.quote(db.schema()) + ".poll_watermarks";
        this.backoff = settings.every();
        // A context keeps the host's cycle.buffer-size readings, as the host's own cycle does: it kept
        // 100,000, and a first run of 50 sensors of ten-second readings with a week stored held 65,536
        // each (1.3 MB), with 20 of them then failing their training for want of heap at -Xmx512m.
        // What a state warms with beyond that is read from the database (forContext).
        CycleSettings cs = new CycleSettings(
                Integer.MAX_VALUE, settings.newestReadings(), 1, Duration.ZERO, Duration.ZERO, Duration.ZERO, 100_000);
        // Trainings run in the poll, not in the background: a run is a batch job that may take its time.
        this.cycle = new SensorCycle(plugin, limits, cs, clock, null, listener);
        this.listener = listener;
        // The alert a sensor had open, read back so that a restart neither raises it again nor
        // leaves it uncleared.
        this.contexts =
                new SensorContexts(cs.maxSensors(), cs.bufferSize(), this::warm, this::openAlert, null, cycle::forget);
        cycle.readsBackFrom(this::warm);
    }

    /** Runs every {@link Settings#every()}, backing off while the database is unavailable. */
    public void start() {
        synchronized (schedule) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "prognos-jdbc-poller");
                t.setDaemon(true);
                return t;
            });
            executor.schedule(this::scheduledRun, 0, TimeUnit.MILLISECONDS);
        }
    }

    private void scheduledRun() {
        Duration next;
        try {
            RunReport r = runOnce();
            lastRun = new LastRun(clock.instant(), r);
            next = r.completed() ? settings.every() : backoff;
        } catch (RuntimeException e) {
            LOG.error("poller run failed; next run in {}", settings.every(), e);
            next = settings.every();
        } catch (Error e) {
            // Out of memory on a sensor's readings, say: thrown out of the scheduled task, it ended
            // the schedule unseen (the executor keeps it in a future nobody reads) and the poller
            // never ran again. Said, and tried again: what was allocated for the run is free now.
            LOG.error("poller run failed: {}; next run in {}", e, settings.every(), e);
            next = settings.every();
        }
        synchronized (schedule) {
            if (executor != null && !executor.isShutdown()) {
                executor.schedule(this::scheduledRun, next.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** What a run did so far. */
    private static final class Tally {
        int trained;
        int forecasts;
        int skipped;

        RunReport report(int sensors, boolean completed) {
            return new RunReport(sensors, trained, forecasts, skipped, completed);
        }
    }

    /**
     * A sensor whose new readings wait for its training. Not the readings themselves: read again at
     * its turn. Held, a first run of 50 sensors of ten-second readings with a week stored held 3
     * million readings (145 MB) until the last training, and at -Xmx512m 20 of the trainings failed
     * for want of heap, at that run and at every run after it.
     */
    private record Waiting(SensorId sensor, Optional<Instant> mark, Instant now, Future<ModelInfo> model) {}

    /**
     * One pass over every sensor. Never throws for an unavailable database: the report says it
     * stopped. Sensors to train are trained {@code trainingThreads} at a time while the others are
     * forecast, then forecast in their turn: one at a time, the first run of a plant of 1,000 new
     * sensors took a training each, one after the other, before the last was forecast.
     */
    public synchronized RunReport runOnce() {
        Tally tally = new Tally();
        List<SensorId> sensors;
        List<Waiting> waiting = new ArrayList<>();
        try {
            db.ensureMigrated();
            writeUnwritten();
            sensors = db.readings().sensors();
            Map<SensorId, Marks> marks = marks();
            for (SensorId s : sensors) {
                if (closed) {
                    return tally.report(sensors.size(), false);
                }
                if (servedElsewhere.test(s)) {
                    if (leftElsewhere.add(s)) {
                        LOG.info(
                                "{}: its readings come to this host over MQTT or REST and are forecast there;"
                                        + " not polled",
                                s);
                    }
                    continue;
                }
                Optional<Instant> mark;
                Instant now;
                List<Reading> fresh;
                try {
                    mark = Optional.ofNullable(marks.get(s)).map(Marks::lastReading);
                    now = clock.instant();
                    fresh = fresh(s, mark, now);
                } catch (IllegalStateException e) {
                    // The database fails this sensor's query alone (a plant's query that divides by
                    // zero on its rows, or casts an id that does not fit): it waits, said once, and
                    // the sensors after it go on; the failure ended every run here.
                    refused(s, e);
                    tally.skipped++;
                    continue;
                }
                if (fresh.isEmpty()) {
                    continue; // nothing new since the last run
                }
                if (needsTraining(s, marks.get(s))) {
                    Instant newest = fresh.get(fresh.size() - 1).timestamp();
                    if (!holds.isHeld(s) && !historyWaits.waits(s, newest)) {
                        waiting.add(new Waiting(s, mark, now, trainings.submit(() -> train(s, newest))));
                        continue;
                    }
                    if (plugin.model(s).isEmpty()) {
                        // Held after a failure, or refused for too little history that readings
                        // this new cannot mend, as the plugin said: skipped as that failure is,
                        // without reading its history again.
                        tally.skipped++;
                        advance(s, newest);
                        continue;
                    }
                    // Its retraining is held or waits for newer readings; its model serves meanwhile.
                }
                poll(s, mark, fresh, null, null, tally);
            }
            for (Waiting w : waiting) {
                if (closed) {
                    return tally.report(sensors.size(), false);
                }
                List<Reading> fresh;
                try {
                    fresh = fresh(w.sensor(), w.mark(), w.now());
                } catch (IllegalStateException e) {
                    refused(w.sensor(), e); // as at its first read; its training goes on
                    tally.skipped++;
                    continue;
                }
                if (!fresh.isEmpty()) {
                    poll(w.sensor(), w.mark(), fresh, w.model(), w.now(), tally);
                }
            }
            if (!cycle.latestRisks().isEmpty()) {
                db.results().write(clock.instant(), plugin.schedule(cycle.latestRisks(), settings.scheduleWindow()));
            }
        } catch (RetryLaterException e) {
            if (!closed) {
                // Not when closing: a training cancelled by it was told as "database unavailable".
                outage(e);
            }
            return tally.report(0, false);
        } finally {
            // A run left early (the database went away, the poller closed): trainings not yet
            // begun are not begun, and their sensors are read again at the next run.
            waiting.forEach(w -> w.model().cancel(true));
        }
        recovered();
        return tally.report(sensors.size(), true);
    }

    /**
     * A training on the readings up to {@code newest}, on one of the poller's training threads. The
     * histories are read one at a time, as before: read at once by many threads, they would wait for
     * the pool's few connections past {@code jdbc.connect-timeout} and end the run as an outage, and
     * read ahead they would all be held until their training (a month of a one-second sensor is 2.6
     * million readings).
     */
    private ModelInfo train(SensorId s, Instant newest) throws InterruptedException {
        List<Reading> history;
        historyReads.acquire();
        try {
            history = db.readings()
                    .recentOrNewest(
                            s,
                            newest.plusMillis(1),
                            settings.trainingHistory(),
                            plugin.describe().minReadingsToTrain(),
                            settings.newestReadings());
        } finally {
            historyReads.release();
        }
        ModelInfo m = plugin.train(new TrainRequest(s, history, RetrainOptions.requested(plugin, s, true, Map.of())));
        // As the host's trainings are told: a poller's were not, at any level.
        LOG.info("trained {}: serving {} ({} ms)", s, m.servedMethod(), m.trainingMillis());
        return m;
    }

    /**
     * Hands the sensor's new readings to the cycle, once {@code training} (null: none) has given its
     * model, writes what comes of them and advances its watermark.
     */
    private void poll(
            SensorId s,
            Optional<Instant> mark,
            List<Reading> fresh,
            Future<ModelInfo> training,
            Instant trainedAt,
            Tally tally) {
        Instant newest = fresh.get(fresh.size() - 1).timestamp();
        try {
            if (training != null) {
                Training t = trained(s, training, trainedAt);
                if (t == Training.LATER) {
                    tally.skipped++;
                    return; // read again at the next run
                }
                if (t == Training.NEW_MODEL) {
                    tally.trained++;
                }
            }
            SensorContext ctx = contexts.get(s);
            // First run for this sensor: the context was warmed with the lookback, forecast
            // from it (published and alerting as any other; it was only written).
            SensorCycle.Outcome o;
            if (mark.isPresent()) {
                o = cycle.accept(ctx, fresh);
                if (cycle.cadenceChanged(ctx, fresh.size())) {
                    cadenceChanged.add(s);
                }
            } else {
                listener.readings(s, fresh); // its newest reading (fresh holds no other), for the dashboard
                o = cycle.forecastNow(ctx);
            }
            refusals.remove(s);
            faults.handled(s);
            unwritten.put(s, o);
            writeUnwritten();
            if (o.result() != null) {
                tally.forecasts++;
            }
        } catch (InsufficientHistoryException e) {
            // Normal while a sensor is new: it waits for more readings, the others go on.
            // Not when pauses in its readings are why (the plugin says so): more readings do
            // not mend that, and it went untold at every run.
            if (e.whyShort() != null) {
                refused(s, e);
            } else {
                LOG.debug("{} skipped: {}", s, e.getMessage());
            }
            tally.skipped++;
        } catch (BadRequestException e) {
            // A refusal that more readings will not cure (a damaged stored model, an interval
            // too fine for the history, ...): this sensor waits, the others go on, and the
            // reason is told once, not at every run nor never.
            refused(s, e);
            tally.skipped++;
        } catch (CancellationException e) {
            return; // the poller closes: read again at its next start
        } catch (IllegalStateException e) {
            // Its training failed (its history's query, as above; out of heap; a fault in the
            // plugin): read again at the next run, trained again once its hold ends.
            refused(s, e);
            tally.skipped++;
            return;
        } catch (RetryLaterException e) {
            throw e; // the database went away: the run stops here, as before
        } catch (RuntimeException e) {
            // A fault in the plugin or the cycle on this sensor's readings (a bug): it ended the
            // run here, every sensor after it unforecast at every run while it lasted, told as
            // "poller run failed". Told once with its trace; its readings are passed over, as
            // the MQTT and Kafka drivers pass over a message that meets such a fault (stored,
            // they are not lost).
            refused(s, e);
            tally.skipped++;
        }
        advance(s, newest);
    }

    /** What came of a sensor's training in a run. */
    private enum Training {
        /** A model: the sensor is forecast with it. */
        NEW_MODEL,
        /** Failed or not now; the model the sensor had serves. */
        OLD_MODEL,
        /** Not now (its model trains elsewhere), and the sensor has none: read again at the next run. */
        LATER
    }

    /**
     * What {@code training} gave the sensor. A failed retraining leaves it the model it has, which
     * goes on serving: the failure skipped the sensor's new readings and moved past them, at every
     * run while it failed (a sensor whose retraining ran out of heap had no forecast and no anomaly
     * score for as long). A training the plugin could not take now (the sensor's model is being
     * trained by a train request) is not the database's outage, which stopped the run at the sensor
     * and backed polling off. Throws the failure of a sensor without a model, and an outage's.
     */
    private Training trained(SensorId s, Future<ModelInfo> training, Instant trainedAt) {
        try {
            awaitTraining(s, training);
        } catch (CancellationException e) {
            throw e; // the poller closes: no failure of the sensor's
        } catch (RetryLaterException e) {
            if (e.reason() == RetryLaterException.Reason.STORE_UNAVAILABLE) {
                throw e;
            }
            LOG.debug("{} not trained now, tried again at the next run: {}", s, e.getMessage());
            return plugin.model(s).isPresent() ? Training.OLD_MODEL : Training.LATER;
        } catch (RuntimeException e) {
            String again;
            if (e instanceof InsufficientHistoryException few) {
                historyWaits.refused(s, few);
                again = "tried again once newer readings can mend it";
            } else {
                again = "tried again after " + holds.hold(s).toMinutes() + " min";
            }
            Optional<ModelInfo> serving = plugin.model(s);
            trainingFailures.put(s, TrainingFailure.of(e, serving));
            if (serving.isEmpty()) {
                if (e instanceof PrognosException) {
                    throw e;
                }
                // Not only the poller's own (out of heap): a fault in the plugin's training ended
                // the run as a fault on the sensor's readings did.
                String what = e instanceof IllegalStateException ? e.getMessage() : "its training failed: " + e;
                throw new IllegalStateException(what + "; " + again, e);
            }
            FailureKind kind = FailureKind.of(e);
            if (kind.equals(retrainingsTold.put(s, kind))) {
                LOG.debug("{}: its retraining failed again: {}", s, e.getMessage());
            } else {
                LOG.warn(
                        "{}: its retraining failed, forecast with its model trained at {} meanwhile, {} (told once): {}",
                        s,
                        serving.get().trainedAt(),
                        again,
                        e.getMessage(),
                        traceOf(e));
            }
            return Training.OLD_MODEL;
        }
        historyWaits.ended(s);
        holds.ended(s);
        trainingFailures.remove(s);
        retrainingsTold.remove(s);
        markTrained(s, trainedAt);
        cadenceChanged.remove(s);
        return Training.NEW_MODEL;
    }

    /**
     * Why the poller's last training of the sensor failed, as the plugin or the poller said it, and
     * the model it left in place; null when it trained since or never failed: for the sensor's view,
     * as the host's own trainings tell theirs.
     */
    public TrainingFailure trainingProblem(SensorId sensor) {
        return trainingFailures.get(sensor);
    }

    /** The sensors whose last training by this poller failed and that have not trained since. */
    public Set<SensorId> trainingFailed() {
        return Set.copyOf(trainingFailures.keySet());
    }

    /** The training's model; its failure as thrown on the training thread. */
    private static ModelInfo awaitTraining(SensorId sensor, Future<ModelInfo> training) {
        try {
            return training.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("the poller is closing");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof InterruptedException) {
                throw new CancellationException("the poller is closing");
            }
            // An Error (out of memory): said as such, and the training is tried again at the next
            // run; the bare Error read as a refusal "until this is mended".
            String what = e.getCause() instanceof OutOfMemoryError oom
                    ? TrainingOutOfMemory.of(sensor, oom).getMessage()
                    : "its training failed: " + e.getCause();
            throw new IllegalStateException(what, e.getCause());
        }
    }

    /**
     * The readings not stamped further ahead than {@code maxFutureSkew}; the others are left for a
     * later run, said once. Read, one would move the watermark past every reading stamped before it:
     * those of the rest of the day would never be read, the sensor silent until then.
     */
    private List<Reading> notAhead(SensorId s, List<Reading> fresh, Instant now) {
        Instant limit = now.plus(settings.maxFutureSkew());
        int keep = fresh.size();
        while (keep > 0 && fresh.get(keep - 1).timestamp().isAfter(limit)) {
            keep--;
        }
        if (keep == fresh.size()) {
            aheadWarned.remove(s);
            return fresh;
        }
        if (aheadWarned.add(s)) {
            LOG.warn(
                    "{}: {} reading(s) stamped more than {} ahead of this host's clock (the newest {}, the clock {})"
                            + " are left until their time comes: a device's clock ahead, or this host's behind (told once)",
                    s,
                    fresh.size() - keep,
                    settings.maxFutureSkew(),
                    fresh.get(fresh.size() - 1).timestamp(),
                    now);
        }
        return fresh.subList(0, keep);
    }

    /**
     * Warns when a sensor is first refused for a reason, or for a different one ({@link
     * FailureKind}); the same refusal at the next runs is logged at debug. A fault (a bug in the
     * plugin or here, in forecasting the sensor or training it) is told at ERROR with its trace by
     * {@link SensorFaults}, as the MQTT, REST and Kafka drivers tell one: this poller told it at
     * WARN, so the same bug showed at two levels depending on how the readings came.
     */
    private void refused(SensorId s, RuntimeException e) {
        if (isFault(e)) {
            faults.fault(s, "{} skipped after a fault in forecasting or training it", e);
            return;
        }
        FailureKind kind = FailureKind.of(e);
        if (kind.equals(refusals.put(s, kind))) {
            LOG.debug("{} still skipped: {}", s, e.getMessage());
        } else {
            LOG.warn("{} skipped until this is mended (told once): {}", s, e.getMessage());
        }
    }

    /**
     * Whether {@code e} is a fault (a bug in the plugin or here), whose trace says where; not a
     * refusal, a database's error or running out of heap, whose message says it all.
     */
    private static boolean isFault(RuntimeException e) {
        Throwable root = FailureKind.rootCause(e);
        return !(root instanceof PrognosException
                || root instanceof SQLException
                || root instanceof VirtualMachineError);
    }

    /** The failure to log with its trace: a fault's; null for the others. */
    private static Throwable traceOf(RuntimeException e) {
        return isFault(e) ? e : null;
    }

    /** Writes kept results, oldest first; a failure leaves them kept and stops the run. */
    private void writeUnwritten() {
        for (var it = unwritten.entrySet().iterator(); it.hasNext(); ) {
            SensorCycle.Outcome o = it.next().getValue();
            db.results().write(o.anomalies());
            if (o.result() != null) {
                db.results().write(o.result());
            }
            it.remove();
        }
    }

    /**
     * The sensor's readings after its watermark up to {@code now}'s bound. Without a watermark (a
     * sensor the poller has not served yet), its newest reading of the lookback alone, picked by
     * the database: the run needs only to know that it reports and up to when (its context warms
     * itself from the database, {@link #warm}, and a training reads its history). Read whole, a
     * week of a one-second sensor was 604,800 rows, read when the run met it and again at its turn
     * after its training, only for its newest.
     */
    private List<Reading> fresh(SensorId s, Optional<Instant> mark, Instant now) {
        Instant to = now.plus(Duration.ofDays(1));
        if (mark.isPresent()) {
            return notAhead(s, db.readings().read(s, mark.get().plusMillis(1), to), now);
        }
        Instant from = now.minus(settings.forecastLookback());
        List<Reading> newest = db.readings().newest(s, from, to, 1);
        if (!newest.isEmpty() && newest.get(0).timestamp().isAfter(now.plus(settings.maxFutureSkew()))) {
            // Stamped ahead of the clock: the newest reading before those, said as for any sensor.
            List<Reading> kept = notAhead(s, db.readings().read(s, from, to), now);
            return kept.isEmpty() ? kept : kept.subList(kept.size() - 1, kept.size());
        }
        return newest;
    }

    /** The sensor's context when it is in memory; null otherwise. */
    SensorContext context(SensorId s) {
        return contexts.peek(s);
    }

    /**
     * Ends the alert episode of the sensor's context, when the poller holds one, whose alert a
     * request closed ({@link SensorCycle#endAlertEpisode}).
     */
    public void endAlertEpisode(SensorId s) {
        SensorContext ctx = contexts.peek(s);
        if (ctx != null) {
            cycle.endAlertEpisode(ctx);
        }
    }

    /** What a sensor's context starts from, as the host's own contexts ({@link ReadingsSource#forContext}). */
    private List<Reading> warm(SensorId s) {
        return db.readings()
                .forContext(
                        s,
                        clock.instant().plus(Duration.ofMinutes(1)),
                        settings.forecastLookback(),
                        plugin.describe().minReadingsToTrain(),
                        settings.newestReadings(),
                        () -> plugin.model(s).orElse(null));
    }

    /**
     * The alert the sensor had open; null for none, or when the database cannot say for another
     * reason than an outage (which stops the run, as its readings' read does), which the log tells:
     * the sensor is then forecast as before this was kept, an open alert raised again.
     */
    private AlertEpisodes.Open openAlert(SensorId s) {
        try {
            return db.alerts().open(s);
        } catch (RetryLaterException e) {
            throw e;
        } catch (RuntimeException e) {
            AlertsTable.startsWithoutOpenAlert(s, "", e);
            return null;
        }
    }

    private boolean needsTraining(SensorId s, Marks marks) {
        if (cadenceChanged.contains(s)) {
            return true;
        }
        Optional<ModelInfo> m = plugin.model(s);
        if (m.isEmpty() || m.get().status() == ModelStatus.NEEDS_RETRAINING) {
            return true;
        }
        Optional<Instant> trainedAt = Optional.ofNullable(marks).map(Marks::lastTrained);
        Instant last = trainedAt.orElse(m.get().trainedAt());
        return !settings.retrainEvery().isZero()
                && last.plus(settings.retrainEvery()).isBefore(clock.instant());
    }

    private void outage(RetryLaterException e) {
        if (outageSince == null) {
            outageSince = clock.instant();
            LOG.warn("database unavailable, polling paused and retried with backoff: {}", e.getMessage());
        } else {
            LOG.debug("database still unavailable: {}", e.getMessage());
        }
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
    }

    private void recovered() {
        if (outageSince != null) {
            LOG.info(
                    "database available again after {} s; polling resumed",
                    Duration.between(outageSince, clock.instant()).toSeconds());
            outageSince = null;
        }
        backoff = settings.every();
    }

    /** A sensor's watermark (its newest reading handed to the cycle) and its last training by the poller. */
    private record Marks(Instant lastReading, Instant lastTrained) {}

    /**
     * Every sensor's marks as the run begins: one query, where each sensor took one for its
     * watermark and one for its last training (a plant of 10,000 idle sensors: 20,000 queries a
     * run with the readings', 10,000 now). Only this poller writes them, after it read them.
     */
    private Map<SensorId, Marks> marks() {
        Map<SensorId, Marks> marks = new HashMap<>();
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT device_id, sensor_key, last_reading, last_trained FROM " + watermarks)) {
            while (rs.next()) {
                Timestamp reading = rs.getTimestamp(3);
                Timestamp trained = rs.getTimestamp(4);
                marks.put(
                        SensorId.of(rs.getString(1), rs.getString(2)),
                        new Marks(
                                reading == null ? null : reading.toInstant(),
                                trained == null ? null : trained.toInstant()));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the poller's watermarks", e);
        }
        return marks;
    }

    private void advance(SensorId s, Instant newest) {
        update(
                "INSERT INTO " + watermarks + " (device_id, sensor_key, last_reading) VALUES (?, ?, ?) "
                        + "ON CONFLICT (device_id, sensor_key) DO UPDATE SET last_reading = EXCLUDED.last_reading",
                s,
                newest);
    }

    private void markTrained(SensorId s, Instant at) {
        update(
                "INSERT INTO " + watermarks + " (device_id, sensor_key, last_reading, last_trained) "
                        + "VALUES (?, ?, 'epoch', ?) ON CONFLICT (device_id, sensor_key) DO UPDATE SET last_trained = "
                        + "EXCLUDED.last_trained",
                s,
                at);
    }

    private void update(String sql, SensorId s, Instant t) {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, s.deviceId());
            ps.setString(2, s.sensorKey());
            ps.setTimestamp(3, Timestamp.from(t));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("advancing the watermark of " + s, e);
        }
    }

    /** The last scheduled run (what {@link #start} runs), for a host's status; null before one ended. */
    public LastRun lastRun() {
        return lastRun;
    }

    public Duration every() {
        return settings.every();
    }

    /**
     * Stops polling: a run in progress ends before its next sensor (a training under way is
     * interrupted), waited for up to 30 s. Closing took the run's monitor, so a host stopping
     * during a first run over many sensors waited for all their trainings.
     */
    @Override
    public void close() {
        closed = true;
        trainings.shutdownNow();
        ScheduledExecutorService running;
        synchronized (schedule) {
            running = executor;
            executor = null;
        }
        if (running == null) {
            return;
        }
        running.shutdownNow();
        try {
            if (!running.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("the poller's run did not end within 30 s of closing; left to end on its own");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
