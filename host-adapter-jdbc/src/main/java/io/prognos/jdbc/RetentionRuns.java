package io.prognos.jdbc;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a retention's deletion at start and hourly on a daemon thread of its own, and says what each
 * run did: what it deleted at INFO, an outage at WARN, another failure at ERROR (the next run tries
 * again either way). A run never ends the host.
 */
public final class RetentionRuns implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionRuns.class);

    /** Deletes what is older than a retention at a given time. */
    @FunctionalInterface
    public interface Pruner {
        Pruned prune(Instant now);
    }

    /**
     * How many rows of each table one run deleted, and whether it stopped because another host was
     * deleting from the same tables at the time.
     */
    public record Pruned(Map<String, Long> deleted, boolean elsewhere) {
        public long total() {
            return deleted.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final String what;
    private final Duration retention;
    private final Pruner pruner;
    private final AtomicLong deleted = new AtomicLong();
    private volatile boolean failing;
    private ScheduledExecutorService runs;

    /**
     * @param what what is deleted, for the log and the thread's name ("results", "readings")
     */
    public RetentionRuns(String what, Duration retention, Pruner pruner) {
        this.what = what;
        this.retention = retention;
        this.pruner = pruner;
    }

    /** What is deleted: "results", "readings". */
    public String what() {
        return what;
    }

    /** Rows deleted by the runs so far. */
    public long deleted() {
        return deleted.get();
    }

    /**
     * Whether the last run failed (the database did not answer, or another failure): a table that
     * grows again while it stays so, which a plant watching its meters sees before its disk fills.
     */
    public boolean failing() {
        return failing;
    }

    /** Runs now and hourly (each an hour after the last ended) until closed. */
    public synchronized void start() {
        if (runs != null) {
            return;
        }
        runs = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "prognos-" + what + "-retention");
            t.setDaemon(true);
            return t;
        });
        runs.scheduleWithFixedDelay(this::run, 0, 1, TimeUnit.HOURS);
    }

    /** The retention as configured: "30 days", "36 hours". */
    private String said() {
        return retention.toHoursPart() == 0 && retention.toMinutesPart() == 0 && retention.toSecondsPart() == 0
                ? retention.toDays() + " days"
                : retention.toHours() + " hours";
    }

    /** One run. */
    public void run() {
        long started = System.nanoTime();
        try {
            Pruned p = pruner.prune(Instant.now());
            deleted.addAndGet(p.total());
            failing = false;
            if (p.total() > 0) {
                LOG.info(
                        "{} older than {} deleted: {} ({} ms)",
                        what,
                        said(),
                        p.deleted(),
                        (System.nanoTime() - started) / 1_000_000);
            }
            if (p.elsewhere()) {
                LOG.debug("{} older than {} not deleted here: another host is deleting them", what, said());
            }
        } catch (RetryLaterException e) {
            failing = true;
            LOG.warn(
                    "{} older than {} not deleted this hour, tried again in an hour: {}", what, said(), e.getMessage());
        } catch (RuntimeException e) {
            failing = true;
            LOG.error("{} older than {} not deleted, tried again in an hour", what, said(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (runs != null) {
            runs.shutdownNow();
        }
    }
}
