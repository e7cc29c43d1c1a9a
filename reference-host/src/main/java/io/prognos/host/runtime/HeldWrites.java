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
 * tables keep one row per key (the newest result's), so the newest copy is the one to write. For
 * the same reason a held copy is dropped once a write of the same rows reaches the database (its
 * retry would have overwritten the fresher rows with older ones).
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
    /** A held write and the retry chain that writes it (a chain whose write was dropped stops). */
    private record Held(Write write, long chain) {}

    private final Map<Object, Held> held = new ConcurrentHashMap<>();
    private long chains;

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
        Held before = held.get(rows);
        if (before != null) {
            held.put(rows, new Held(w, before.chain()));
            settled.run(); // the copy already held now writes this one
            return;
        }
        long chain = ++chains;
        held.put(rows, new Held(w, chain));
        failure.accept(w.what() + " (retrying until the database is back)", cause);
        retryLater(rows, chain, 0);
    }

    /** Whether nothing is held: then {@link #written} has nothing to do (callers skip making keys). */
    boolean isEmpty() {
        return held.isEmpty();
    }

    /** A write of {@code rows} reached the database: a copy of them still held is older and is dropped. */
    void written(Object rows) {
        if (held.remove(rows) != null) {
            settled.run();
        }
    }

    /** Writes waiting for the database to come back. */
    int size() {
        return held.size();
    }

    private void retryLater(Object rows, long chain, int attempt) {
        try {
            writer.schedule(() -> retry(rows, chain, attempt), backoff(attempt), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            Held h = held.remove(rows);
            settled.run();
            failure.accept(h.write().what(), e);
        }
    }

    private void retry(Object rows, long chain, int attempt) {
        Held h = held.get(rows);
        if (h == null || h.chain() != chain) {
            return; // dropped by a fresher write of the same rows (and perhaps held again, by another chain)
        }
        try {
            h.write().write().run();
            held.remove(rows);
            settled.run();
        } catch (RetryLaterException e) {
            retryLater(rows, chain, attempt + 1);
        } catch (RuntimeException e) {
            held.remove(rows);
            settled.run();
            failure.accept(h.write().what(), e);
        }
    }

    private static long backoff(int attempt) {
        return Math.min(MAX_BACKOFF_MS, 500L << Math.min(attempt, 10));
    }
}
