package io.prognos.kafka;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a host's stream processing while the results a commit would acknowledge are not stored
 * (the database down or hanging), and lets it go on once they are.
 *
 * <p>A commit whose results are not stored is refused ({@link CommitWaitingProducer}), and Kafka
 * Streams answers that under exactly-once by closing the thread's tasks dirty and restoring their
 * state from the changelogs. Left processing, a thread took the next readings and was refused
 * again about every 6 s for as long as the database was away, each time with an error and a
 * restore. Paused, it takes nothing new, so nothing waits to be committed; a probe on a thread of
 * its own asks every second whether everything told is stored, and processing resumes from the
 * last commit once it is.
 */
final class ProcessingPause implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessingPause.class);

    /** The longest wait between two probes: processing resumes within about this of the database's return. */
    static final Duration MAX_PROBE_DELAY = Duration.ofSeconds(1);

    private final Runnable sync;
    private final ScheduledExecutorService probes;
    private Runnable pauseProcessing;
    private Runnable resumeProcessing;
    private boolean paused;
    private long pausedAtNanos;

    /** {@code sync} returns once everything told so far is stored, and throws {@link RetryLaterException} if not. */
    ProcessingPause(Runnable sync) {
        this.sync = sync;
        this.probes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "prognos-kafka-storage-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** The streams to pause: they are built with the clients that report refusals here. */
    void attach(KafkaStreams streams) {
        attach(streams::pause, streams::resume);
    }

    synchronized void attach(Runnable pauseProcessing, Runnable resumeProcessing) {
        this.pauseProcessing = pauseProcessing;
        this.resumeProcessing = resumeProcessing;
    }

    /** A commit was refused because its results are not stored: pauses processing until they are. */
    synchronized void refused(RetryLaterException why) {
        if (paused || pauseProcessing == null || probes.isShutdown()) {
            return;
        }
        paused = true;
        pausedAtNanos = System.nanoTime();
        pauseProcessing.run();
        LOG.warn(
                "results not stored ({}): Kafka processing paused until the database stores them; readings wait"
                        + " in Kafka meanwhile",
                why.getMessage());
        probeAfter(why.retryAfter());
    }

    synchronized boolean paused() {
        return paused;
    }

    private void probeAfter(Duration d) {
        long ms = Math.max(
                50, Math.min(d == null ? MAX_PROBE_DELAY.toMillis() : d.toMillis(), MAX_PROBE_DELAY.toMillis()));
        try {
            probes.schedule(this::probe, ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closed: the streams close with it
        }
    }

    private void probe() {
        try {
            sync.run();
        } catch (RetryLaterException e) {
            probeAfter(e.retryAfter());
            return;
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether the results are stored, asking again: {}", e.toString());
            probeAfter(MAX_PROBE_DELAY);
            return;
        }
        resume();
    }

    private synchronized void resume() {
        if (probes.isShutdown()) {
            return; // closing: the streams close paused
        }
        paused = false;
        resumeProcessing.run();
        LOG.info(
                "results stored again: Kafka processing resumed after {} s",
                Math.round((System.nanoTime() - pausedAtNanos) / 1e8) / 10.0);
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
