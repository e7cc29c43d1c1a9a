package io.prognos.host.runtime;

import io.prognos.api.RetryLaterException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Writes the database refused for now (it is down), held by the rows they write and tried again
 * with exponential backoff, so that what arrives during an outage reaches the tables once it is
 * back. A copy of a write already held takes its place instead of waiting beside it: during an
 * outage Kafka tells the readings since its last commit again after every commit the outage failed,
 * and each replay queued all its writes once more (up to {@link StoringListener#MAX_PENDING}, then
 * the stream thread waited), every copy then written in turn once the database was back. The
 * tables keep one row per key (the newest result's), so the newest copy is the one to write.
 *
 * <p>Changed on the writer thread only, which runs the retries; {@link #size} may be read anywhere.
 */
final class HeldWrites {

    private static final long MAX_BACKOFF_MS = 30_000;

    /** A write: what it is, for the log, and how to write it alone. */
    record Write(String what, Runnable write) {}

    private final ScheduledExecutorService writer;
    private final Runnable settled;
    private final BiConsumer<String, Exception> failure;
    private final Map<Object, Write> held = new ConcurrentHashMap<>();

    /**
     * @param writer   the thread that writes, and retries
     * @param settled  called once for each write given to {@link #hold} that is stored, failed for
     *                 good or replaced by a newer copy: it no longer waits
     * @param failure  a write that failed, for the count and the log: once when it is first held,
     *                 once more if it then fails for good
     */
    HeldWrites(ScheduledExecutorService writer, Runnable settled, BiConsumer<String, Exception> failure) {
        this.writer = writer;
        this.settled = settled;
        this.failure = failure;
    }

    /** Holds {@code w}, which writes {@code rows} (equal keys for copies), after the database refused it. */
    void hold(Object rows, Write w, RetryLaterException cause) {
        if (held.put(rows, w) != null) {
            settled.run(); // the copy already held now writes this one
            return;
        }
        failure.accept(w.what() + " (retrying until the database is back)", cause);
        retryLater(rows, 0);
    }

    /** Writes waiting for the database to come back. */
    int size() {
        return held.size();
    }

    private void retryLater(Object rows, int attempt) {
        try {
            writer.schedule(() -> retry(rows, attempt), backoff(attempt), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            Write w = held.remove(rows);
            settled.run();
            failure.accept(w.what(), e);
        }
    }

    private void retry(Object rows, int attempt) {
        Write w = held.get(rows);
        try {
            w.write().run();
            held.remove(rows);
            settled.run();
        } catch (RetryLaterException e) {
            retryLater(rows, attempt + 1);
        } catch (RuntimeException e) {
            held.remove(rows);
            settled.run();
            failure.accept(w.what(), e);
        }
    }

    private static long backoff(int attempt) {
        return Math.min(MAX_BACKOFF_MS, 500L << Math.min(attempt, 10));
    }
}
