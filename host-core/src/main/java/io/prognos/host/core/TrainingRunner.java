package io.prognos.host.core;

import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.PrognosException;
import io.prognos.api.Reading;
import io.prognos.api.ReadingList;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the trainings the cycle asks for, off the threads that handle readings (a training takes
 * seconds; readings keep arriving): a bounded pool, at most one queued or running training per
 * sensor. The plugin bounds how many run at once on the CPU; this bounds how many wait.
 */
public final class TrainingRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRunner.class);

    private final ForecastingPlugin plugin;
    private final ExecutorService pool;
    private final Set<SensorId> pending = ConcurrentHashMap.newKeySet();
    private final Map<SensorId, Job> jobs = new ConcurrentHashMap<>();
    /** Each sensor's last training failure until it trains ({@link #firstTime}, {@link #failure}). */
    private final Map<SensorId, Failure> lastFailures = new ConcurrentHashMap<>();

    /** A failure's kind, the same while a failure repeats ({@link #firstTime}), and its newest form. */
    private record Failure(FailureKind kind, TrainingFailure told) {}

    /**
     * Sensors held after a failure that their next reading does not mend (a sensor without a model
     * is offered for training at each).
     */
    private final TrainingHolds holds;

    private final HistoryWaits waits;

    private record Job(FutureTask<Void> task, AtomicBoolean started) {}

    private final Consumer<ModelInfo> trained;
    private final BiConsumer<SensorId, Exception> failed;
    private final List<Consumer<ModelInfo>> afterTraining = new CopyOnWriteArrayList<>();
    private final BiFunction<SensorId, List<Reading>, List<Reading>> longer;

    public TrainingRunner(
            ForecastingPlugin plugin,
            int threads,
            int maxQueued,
            Consumer<ModelInfo> trained,
            BiConsumer<SensorId, Exception> failed) {
        this(plugin, threads, maxQueued, trained, failed, (s, given) -> given);
    }

    /**
     * {@code longer} gives a longer history of the sensor than the one given (the readings the host
     * stores), or the one given; a training takes it, followed by the given readings newer than it
     * (buffered, not stored yet). The cycle asks with its buffer of {@code cycle.buffer-size}
     * readings: 2,048 ten-second readings are under 6 hours, and a model of them never saw a day (a
     * healthy day scored 3-5 intervals at the anomaly threshold, against 0-1 for a model of 6 stored
     * days, by hand); at a configured interval coarser than the readings they span too few (2,048
     * one-second readings are 35 intervals of a minute where 65 are needed), and such a sensor was
     * never trained, told "send more history".
     */
    public TrainingRunner(
            ForecastingPlugin plugin,
            int threads,
            int maxQueued,
            Consumer<ModelInfo> trained,
            BiConsumer<SensorId, Exception> failed,
            BiFunction<SensorId, List<Reading>, List<Reading>> longer) {
        this(plugin, threads, maxQueued, trained, failed, longer, System::nanoTime);
    }

    /** As above, with the monotonic clock of the holds after a failure ({@code System::nanoTime}, or a test's). */
    TrainingRunner(
            ForecastingPlugin plugin,
            int threads,
            int maxQueued,
            Consumer<ModelInfo> trained,
            BiConsumer<SensorId, Exception> failed,
            BiFunction<SensorId, List<Reading>, List<Reading>> longer,
            LongSupplier nanos) {
        this.holds = new TrainingHolds(nanos);
        this.waits = new HistoryWaits(nanos);
        this.longer = longer;
        this.plugin = plugin;
        this.trained = trained;
        this.failed = failed;
        this.pool = new ThreadPoolExecutor(
                threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(maxQueued), r -> {
                    Thread t = new Thread(r, "prognos-training");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Queues a training unless one for the sensor is queued or running, or its last failed
     * unexpectedly or was refused not long ago ({@link TrainingHolds}), or was refused for too little
     * history that readings up to the newest given cannot mend ({@link HistoryWaits}); false when it
     * was not queued. It takes the longer history when there is one ({@link #longer}), with the
     * given readings newer than it.
     */
    public boolean submit(SensorId sensor, List<Reading> history, Map<String, String> options) {
        return submit(sensor, history, options, true);
    }

    /**
     * As {@link #submit}, but the training takes the given readings, and the longer history only
     * when they hold too few intervals: for a sensor whose readings changed cadence, which the
     * readings since the change tell and the stored history, of the old cadence, outvotes (a month
     * of hourly readings against readings every 5 minutes since: 60 hours to outnumber it, against
     * 14 in a buffer warmed with a week).
     */
    public boolean submitRecent(SensorId sensor, List<Reading> history, Map<String, String> options) {
        return submit(sensor, history, options, false);
    }

    private boolean submit(SensorId sensor, List<Reading> history, Map<String, String> options, boolean longerFirst) {
        Instant newest =
                history.isEmpty() ? null : history.get(history.size() - 1).timestamp();
        if (holds.isHeld(sensor) || waits.waits(sensor, newest) || !pending.add(sensor)) {
            return false;
        }
        AtomicBoolean started = new AtomicBoolean();
        FutureTask<Void> task = new FutureTask<>(
                () -> {
                    if (!started.compareAndSet(false, true)) {
                        return; // cancelled before it started
                    }
                    try {
                        ModelInfo model = train(sensor, history, options, longerFirst);
                        if (model != null) {
                            for (Consumer<ModelInfo> c : afterTraining) {
                                try {
                                    c.accept(model);
                                } catch (RuntimeException e) {
                                    LOG.error("work after the training of {} failed", sensor, e);
                                }
                            }
                        }
                    } finally {
                        // Only now: a caller waiting for idle also waits for the work after the training.
                        jobs.remove(sensor);
                        pending.remove(sensor);
                    }
                },
                null);
        Job job = new Job(task, started);
        jobs.put(sensor, job);
        try {
            pool.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            jobs.remove(sensor, job);
            pending.remove(sensor);
            failed.accept(sensor, e);
            return false;
        }
    }

    /**
     * Cancels the sensor's queued or running training (a running one is interrupted; the plugin
     * stops it). For a driver that no longer serves the sensor: with Kafka, when its partition
     * moves to another host, which trains it there. True when there was one to cancel.
     */
    public boolean cancel(SensorId sensor) {
        Job job = jobs.remove(sensor);
        if (job == null) {
            return false;
        }
        if (job.started().compareAndSet(false, true)) {
            job.task().cancel(false); // never ran, never will: nothing else clears it
            pending.remove(sensor);
        } else {
            job.task().cancel(true); // running: interrupted, and it clears itself
        }
        return true;
    }

    private ModelInfo train(SensorId sensor, List<Reading> history, Map<String, String> options, boolean longerFirst) {
        // Taken: any wait is over; a refusal on the sensor's whole history sets the next (trainWhole).
        waits.ended(sensor);
        try {
            ModelInfo model =
                    longerFirst ? trainOnLonger(sensor, history, options) : trainOrLonger(sensor, history, options);
            lastFailures.remove(sensor);
            holds.ended(sensor);
            trained.accept(model);
            return model;
        } catch (PrognosException e) {
            if (e instanceof RetryLaterException r && r.reason() == RetryLaterException.Reason.MODEL_BUSY) {
                // A train request of the sensor runs (the dashboard's "retrain"): its model comes
                // from there. It was told as a failed training, a warning and the view's reason.
                LOG.debug("training of {} not taken: {}", sensor, e.getMessage());
                return null;
            }
            if (e instanceof BadRequestException && !(e instanceof InsufficientHistoryException)) {
                // Refused for what its readings or options are (a spacing the plugin does not
                // model, say): its next reading does not change that. Too few readings it may.
                holds.hold(sensor);
            }
            if (firstTime(sensor, e)) {
                failed.accept(sensor, e);
            } else {
                LOG.debug("training of {} did not succeed again: {}", sensor, e.getMessage());
            }
        } catch (RuntimeException e) {
            failedUnexpectedly(sensor, e);
        } catch (Error e) {
            // This thread's task kept an error to itself: the sensor was tried again at its next
            // reading, and nothing was said. Out of heap, what the training allocated is garbage
            // now; any other error is the plugin's fault, told with its trace.
            failedUnexpectedly(
                    sensor,
                    e instanceof OutOfMemoryError oom
                            ? TrainingOutOfMemory.of(sensor, oom)
                            : new IllegalStateException("the training of " + sensor + " failed: " + e, e));
        }
        return null;
    }

    private void failedUnexpectedly(SensorId sensor, RuntimeException e) {
        Duration length = holds.hold(sensor);
        if (firstTime(sensor, e)) {
            LOG.error(
                    "training of {} failed; tried again at its first reading after {} min",
                    sensor,
                    length.toMinutes(),
                    e);
            failed.accept(sensor, e);
        } else {
            LOG.debug("training of {} failed again: {}", sensor, e.toString());
        }
    }

    /**
     * Trained on the longer history ({@link #longer}) when there is one, followed by the given
     * readings newer than its newest (those the host has not stored yet); else on {@code history}.
     */
    private ModelInfo trainOnLonger(SensorId sensor, List<Reading> history, Map<String, String> options) {
        List<Reading> more = longerOrNull(sensor, history);
        return more == null
                ? plugin.train(new TrainRequest(sensor, history, options))
                : trainWhole(sensor, more, options);
    }

    /** Trained on {@code history}, or, when it holds too few intervals, on the longer one. */
    private ModelInfo trainOrLonger(SensorId sensor, List<Reading> history, Map<String, String> options) {
        try {
            return plugin.train(new TrainRequest(sensor, history, options));
        } catch (InsufficientHistoryException e) {
            if (e.whyShort() != null) {
                // Pauses, which a longer history holds too; it may hold more stretches: no wait.
                throw e;
            }
            List<Reading> more = longerOrNull(sensor, history);
            if (more == null) {
                throw e;
            }
            if (more == history) {
                waits.refused(sensor, e); // nothing longer: these are its whole history
                throw e;
            }
            return trainWhole(sensor, more, options);
        }
    }

    /**
     * Trained on the sensor's whole history: a refusal for too little of it waits for the time the
     * plugin said ({@link HistoryWaits}). A refusal on a part of it (the stored history not read)
     * does not wait: the whole may need less.
     */
    private ModelInfo trainWhole(SensorId sensor, List<Reading> history, Map<String, String> options) {
        try {
            return plugin.train(new TrainRequest(sensor, history, options));
        } catch (InsufficientHistoryException e) {
            waits.refused(sensor, e);
            throw e;
        }
    }

    /**
     * The longer history followed by the given readings newer than it; {@code history} itself when
     * there is none; null when it cannot be had.
     */
    private List<Reading> longerOrNull(SensorId sensor, List<Reading> history) {
        List<Reading> more;
        try {
            more = longer.apply(sensor, history);
        } catch (RuntimeException unavailable) {
            LOG.debug("no longer history of {}: {}", sensor, unavailable.getMessage());
            return null;
        }
        return more.size() <= history.size() ? history : withNewer(more, history);
    }

    /** {@code stored} followed by the readings of {@code given} newer than its newest. */
    private static List<Reading> withNewer(List<Reading> stored, List<Reading> given) {
        Instant newest = stored.get(stored.size() - 1).timestamp();
        int from = given.size();
        while (from > 0 && given.get(from - 1).timestamp().isAfter(newest)) {
            from--;
        }
        if (from == given.size()) {
            return stored;
        }
        return ReadingList.builder(stored.size() + given.size() - from)
                .addAll(stored)
                .addAll(given.subList(from, given.size()))
                .build();
    }

    /**
     * Whether this failure is new for the sensor. A sensor without a model is offered for training
     * at each of its readings, so one whose training fails the same way (its readings broken by gaps
     * longer than the plugin bridges, say) told the same failure once a reading, 1,440 lines a day
     * at one reading a minute. Told again when it changes ({@link FailureKind}), or after the
     * sensor trained.
     */
    private boolean firstTime(SensorId sensor, Exception e) {
        FailureKind kind = FailureKind.of(e);
        Failure last = lastFailures.put(sensor, new Failure(kind, TrainingFailure.of(e, plugin.model(sensor))));
        return last == null || !kind.equals(last.kind());
    }

    /**
     * Why the sensor's last training here failed, as the plugin or the host said it, and the model
     * it left in place; null when it trained since or never failed: for a user who sees a sensor
     * without a model, or served by an older one (the reasons were in the log only, once a failure).
     */
    public TrainingFailure failure(SensorId sensor) {
        Failure f = lastFailures.get(sensor);
        return f == null ? null : f.told();
    }

    /** The sensors whose last training here failed and that have not trained here since. */
    public Set<SensorId> failed() {
        return Set.copyOf(lastFailures.keySet());
    }

    /** Called on the training thread with every new model, after it is in the plugin. */
    public void afterTraining(Consumer<ModelInfo> c) {
        afterTraining.add(c);
    }

    public boolean isPending(SensorId sensor) {
        return pending.contains(sensor);
    }

    /**
     * Whether a training of the sensor, its newest reading at {@code newest}, would be taken now:
     * none is queued or running, it is not held after a failure, and it does not wait for newer
     * readings after too little history ({@link HistoryWaits}).
     */
    public boolean takes(SensorId sensor, Instant newest) {
        return !pending.contains(sensor) && !holds.isHeld(sensor) && !waits.waits(sensor, newest);
    }

    /** Queued or running trainings. */
    public int pending() {
        return pending.size();
    }

    /** Waits until nothing is queued or running; for tests and orderly shutdown. */
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!pending.isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Stops taking trainings, interrupts running ones (the plugin cancels them) and waits for them
     * to end, so that none saves a model or hands a forecast on after the host closed its store.
     */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("trainings still running {} s after they were cancelled: abandoned", CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final int CLOSE_WAIT_SECONDS = 30;
}
