package io.prognos.host.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.prognos.api.AnomalyScore;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.host.core.SensorCycle;
import io.prognos.jdbc.AlertsTable;
import io.prognos.jdbc.ResultsWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores what the sensor cycle sees and makes: readings into {@code sensor_readings} (so REST
 * training and restarts see them), and forecasts, risk and anomaly scores into Prognos's tables. Writes run on a thread of their
 * own so that a slow database never stalls the MQTT client; failures are counted and logged at a
 * bounded rate.
 */
public final class StoringListener implements SensorCycle.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoringListener.class);

    private final ReadingsTable readings;
    private final ResultsWriter results;
    private final boolean storeReadings;
    /**
     * Writes queued or waiting to be retried; beyond this a new write waits for room. Refusing it
     * instead lost it: the reading behind it was acknowledged once the retries before it drained.
     */
    public static final int MAX_PENDING = 100_000;

    private final ScheduledThreadPoolExecutor writer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "prognos-db-writer");
        t.setDaemon(true);
        return t;
    });
    /**
     * Room for writes: taken by each write queued, given back when it is done (stored or failed for
     * good); what is taken is the number of writes pending.
     */
    private final Semaphore room;

    private final int maxPending;
    /** Writes the database refused for now, waiting for a retry: not durable, so {@link #sync} says so. */
    private final HeldWrites held;
    /** Writes queued since the start, and how many of them a {@link #sync} has seen tried. */
    private final AtomicLong queued = new AtomicLong();

    private final AtomicLong synced = new AtomicLong();
    private final ConcurrentLinkedQueue<ReadingsTable.SensorReadings> unstored = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private static final int READINGS_BATCH = 2_000;
    /** Results per transaction: a forecast is 12 rows and its risk one. */
    private static final int RESULTS_BATCH = 500;

    private final ConcurrentLinkedQueue<Made> unwritten = new ConcurrentLinkedQueue<>();
    private final Counter failed;
    private volatile long lastLog;

    public StoringListener(
            ReadingsTable readings, ResultsWriter results, boolean storeReadings, MeterRegistry metrics) {
        this(readings, results, storeReadings, metrics, MAX_PENDING);
    }

    StoringListener(
            ReadingsTable readings,
            ResultsWriter results,
            boolean storeReadings,
            MeterRegistry metrics,
            int maxPending) {
        this.room = new Semaphore(maxPending);
        this.maxPending = maxPending;
        this.readings = readings;
        this.results = results;
        this.storeReadings = storeReadings;
        this.failed = Counter.builder("prognos.store.failures")
                .description("database writes that failed")
                .register(metrics);
        this.held = new HeldWrites(writer, () -> release(1), this::failure);
        // Retries still waiting at shutdown are abandoned (and counted), not waited for.
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public void readings(SensorId sensor, List<Reading> batch) {
        if (!storeReadings) {
            return;
        }
        if (!reserve("readings of " + sensor)) {
            return;
        }
        unstored.add(new ReadingsTable.SensorReadings(sensor, batch));
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                writer.execute(this::drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // closed: what is left is counted by close()
            }
        }
    }

    /**
     * Writes what is waiting, up to {@link #READINGS_BATCH} messages of readings and
     * {@link #RESULTS_BATCH} results per transaction, instead of a round trip and a commit for every
     * message and result: with a commit per forecast, per risk and per anomaly score, a Kafka host
     * that waits for its writes before each commit managed 1,031 readings/s (bench-kafka, 10,000
     * sensors), against 2,992 without the wait.
     */
    private void drain() {
        drainScheduled.set(false);
        List<ReadingsTable.SensorReadings> batch = new ArrayList<>();
        ReadingsTable.SensorReadings next;
        while ((next = unstored.poll()) != null) {
            batch.add(next);
            if (batch.size() == READINGS_BATCH || unstored.isEmpty()) {
                write(batch);
                batch = new ArrayList<>();
            }
        }
        List<Made> made = new ArrayList<>();
        Made m;
        while ((m = unwritten.poll()) != null) {
            made.add(m);
            if (made.size() == RESULTS_BATCH || unwritten.isEmpty()) {
                writeMade(made);
                made = new ArrayList<>();
            }
        }
    }

    /** A result or anomaly scores, waiting to be written. */
    private sealed interface Made permits MadeResult, MadeScores, MadeAlert {
        String what();

        /** The rows it writes: equal for two copies of the same result (a replay's). */
        Object rows();

        Runnable writeAlone(ResultsWriter results);
    }

    private record MadeResult(ResultsWriter.Assessed assessed) implements Made {
        @Override
        public String what() {
            return "forecast of " + assessed.forecast().sensor();
        }

        @Override
        public Object rows() {
            return new ResultRows(
                    assessed.forecast().sensor(), assessed.forecast().lastObserved());
        }

        @Override
        public Runnable writeAlone(ResultsWriter results) {
            return () -> results.write(assessed.forecast(), assessed.risk());
        }
    }

    private record MadeScores(SensorId sensor, List<AnomalyScore> scores) implements Made {
        @Override
        public String what() {
            return "anomaly scores of " + sensor;
        }

        @Override
        public Object rows() {
            return new ScoreRows(
                    sensor, scores.stream().map(AnomalyScore::intervalStart).toList());
        }

        @Override
        public Runnable writeAlone(ResultsWriter results) {
            return () -> results.write(scores);
        }
    }

    /**
     * An alert raised or cleared: a row of its own, keyed by its id, so that a newer result of the
     * same interval, which takes the place of a held older one, does not take its alert with it.
     */
    private record MadeAlert(AlertsTable.Row alert) implements Made {
        @Override
        public String what() {
            return "alert " + alert.alertId() + " of " + alert.sensor();
        }

        @Override
        public Object rows() {
            return alert.alertId();
        }

        @Override
        public Runnable writeAlone(ResultsWriter results) {
            return () -> results.writeAlerts(List.of(alert));
        }
    }

    /** A forecast's and its risk's rows: keyed by the sensor and the interval it was based on. */
    private record ResultRows(SensorId sensor, Instant basedOn) {}

    /** Anomaly score rows: keyed by the sensor and the intervals scored. */
    private record ScoreRows(SensorId sensor, List<Instant> intervals) {}

    private void writeMade(List<Made> batch) {
        List<ResultsWriter.Assessed> assessed = new ArrayList<>();
        List<AnomalyScore> scores = new ArrayList<>();
        List<AlertsTable.Row> alerts = new ArrayList<>();
        for (Made m : batch) {
            if (m instanceof MadeResult r) {
                assessed.add(r.assessed());
            } else if (m instanceof MadeScores a) {
                scores.addAll(a.scores());
            } else if (m instanceof MadeAlert a) {
                alerts.add(a.alert());
            }
        }
        try {
            results.write(assessed, scores, alerts);
            release(batch.size());
            if (!held.isEmpty()) {
                batch.forEach(m -> held.written(m.rows()));
            }
        } catch (RetryLaterException e) {
            for (Made m : batch) {
                held.hold(m.rows(), new HeldWrites.Write(m.what(), m.writeAlone(results)), e);
            }
        } catch (RuntimeException e) {
            // One bad result must not cost the others theirs: write each alone, so only it fails.
            for (Made m : batch) {
                writeAlone(m.rows(), new HeldWrites.Write(m.what(), m.writeAlone(results)));
            }
        }
    }

    private void write(List<ReadingsTable.SensorReadings> batch) {
        try {
            readings.append(batch);
            release(batch.size());
            if (!held.isEmpty()) {
                batch.forEach(held::written);
            }
        } catch (RetryLaterException e) {
            for (ReadingsTable.SensorReadings sr : batch) {
                held.hold(sr, readingsAlone(sr), e);
            }
        } catch (RuntimeException e) {
            // One bad message must not cost the others theirs: write each alone, so only it fails.
            for (ReadingsTable.SensorReadings sr : batch) {
                writeAlone(sr, readingsAlone(sr));
            }
        }
    }

    private HeldWrites.Write readingsAlone(ReadingsTable.SensorReadings sr) {
        return new HeldWrites.Write("readings of " + sr.sensor(), () -> readings.append(sr.sensor(), sr.readings()));
    }

    @Override
    public void result(SensorCycle.Result r) {
        queue(new MadeResult(new ResultsWriter.Assessed(r.forecast(), r.risk())));
        AlertsTable.Row alert = AlertsTable.Row.of(r);
        if (alert != null) {
            queue(new MadeAlert(alert));
        }
    }

    @Override
    public void anomalies(SensorId sensor, List<AnomalyScore> scores) {
        if (!scores.isEmpty()) {
            queue(new MadeScores(sensor, scores));
        }
    }

    private void queue(Made m) {
        if (reserve(m.what())) {
            unwritten.add(m);
            scheduleDrain();
        }
    }

    /**
     * Counts a write as pending. While {@link #MAX_PENDING} writes wait already (a database down for
     * long), the caller waits for room: back-pressure on the MQTT work thread, whose queue and the
     * broker's receive maximum then hold the readings unacknowledged, or on a Kafka stream thread,
     * whose uncommitted readings are read again. Refused (and counted) only once the listener is closed.
     */
    private boolean reserve(String what) {
        try {
            while (!room.tryAcquire(1, TimeUnit.SECONDS)) {
                if (writer.isShutdown()) {
                    failure(what, new IllegalStateException("closed with writes still waiting for the database"));
                    return false;
                }
                warnAtMostEvery10s("{} writes wait for the database: {} waits for room", pending(), what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure(what, e);
            return false;
        }
        queued.incrementAndGet();
        return true;
    }

    private void release(int writes) {
        room.release(writes);
    }

    /**
     * A write of its own, after its batch failed for a reason other than the database being down:
     * bad data or a bug fails only it (counted at once); the database going down meanwhile holds it
     * for a retry.
     */
    private void writeAlone(Object rows, HeldWrites.Write w) {
        try {
            w.write().run();
            release(1);
            held.written(rows);
        } catch (RetryLaterException e) {
            held.hold(rows, w, e);
        } catch (RuntimeException e) {
            release(1);
            failure(w.what(), e);
        }
    }

    /** Writes queued or waiting for a retry. */
    public int pending() {
        return maxPending - room.availablePermits();
    }

    private void failure(String what, Exception e) {
        failed.increment();
        warnAtMostEvery10s("{} not stored ({} failed writes so far): {}", what, (long) failed.count(), e.getMessage());
    }

    /** An outage produces these by the thousand: one line per 10 s says as much. */
    private void warnAtMostEvery10s(String format, Object... args) {
        long now = System.nanoTime();
        if (now - lastLog > TimeUnit.SECONDS.toNanos(10)) {
            lastLog = now;
            LOG.warn(format, args);
        }
    }

    /**
     * Waits until every write queued so far has been tried; false if that took longer than the
     * timeout. A write waiting for a retry (the database is down) is not waited for.
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        try {
            writer.execute(done::countDown);
        } catch (RejectedExecutionException e) {
            return false; // closed
        }
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Before Kafka commits the readings behind them, and before the MQTT adapter acknowledges them
     * to the broker: a reading acknowledged but still queued here would be lost if the host were
     * killed now (138 of 51,000 were, in one run of the Kafka scale-out test). Bounded, so that a
     * database that hangs stalls a commit for at most {@link #SYNC_TIMEOUT} (well under Kafka's
     * transaction and poll timeouts).
     *
     * @throws RetryLaterException when what was told is not all stored: still queued after the
     *     timeout, or waiting for the database to come back (held here for a retry, and lost with
     *     a killed host): the caller must not acknowledge it yet
     */
    @Override
    public void sync() {
        // Each stream thread calls it before each of its commits; one wait covers what every thread told.
        // Called from the MQTT adapter's acknowledging thread and Kafka's stream threads at once.
        long target = queued.get();
        if (synced.get() < target) {
            boolean flushed;
            try {
                flushed = flush(SYNC_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                flushed = false;
            }
            if (!flushed) {
                throw notDurable("writes still queued after " + SYNC_TIMEOUT.toSeconds() + " s");
            }
            synced.accumulateAndGet(target, Math::max);
        }
        int waiting = held.size();
        if (waiting > 0) {
            throw notDurable(waiting + " write(s) wait for the database to come back");
        }
    }

    private static RetryLaterException notDurable(String why) {
        return new RetryLaterException(
                RetryLaterException.Reason.STORE_UNAVAILABLE, "not yet stored: " + why, Duration.ofSeconds(1), null);
    }

    /** Under Kafka Streams' exactly-once transaction timeout (10 s by default). */
    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            writer.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (pending() > 0) {
            LOG.warn("{} database write(s) still waiting at shutdown were abandoned", pending());
        }
    }
}
