package io.prognos.host.rest;

import io.prognos.api.RetryLaterException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trainings asked for over REST: at most {@code capacity} at once (more get 503 with Retry-After),
 * each on a thread of its own while the request's thread watches its client, and cancelled when
 * that client goes away or the host stops. Before, a training ran on the request's thread to its
 * end whoever still waited for it ({@code epochs=10000} ran on after the client had gone).
 */
final class RestTrainings implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestTrainings.class);
    /** How often a waiting request looks whether its client is still there. */
    static final Duration WATCH_EVERY = Duration.ofMillis(500);

    private final int capacity;
    private final Semaphore slots;
    private final ExecutorService threads;

    /** The client of a training request went away; the training was cancelled and nobody gets a reply. */
    static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone(String message) {
            super(message, null, false, false);
        }
    }

    RestTrainings(int capacity) {
        this.capacity = capacity;
        this.slots = new Semaphore(capacity);
        this.threads = Executors.newFixedThreadPool(capacity, r -> {
            Thread t = new Thread(r, "prognos-rest-training");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code training} and returns its result, or throws what it threw; {@link ClientGone}
     * once {@code clientGone} says so (the training is then interrupted, which the plugin honours
     * between epochs).
     */
    <T> T run(String what, Supplier<T> training, BooleanSupplier clientGone) {
        if (!slots.tryAcquire()) {
            throw new RetryLaterException(
                    RetryLaterException.Reason.CAPACITY,
                    capacity + " trainings are already running through REST; try again shortly",
                    Duration.ofSeconds(10),
                    null);
        }
        // Whoever claims first gives the slot back: the training when it ran, or the canceller when it never started.
        AtomicBoolean claimed = new AtomicBoolean();
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> job;
        try {
            job = threads.submit(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    return;
                }
                try {
                    result.complete(training.get());
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                } finally {
                    slots.release();
                }
            });
        } catch (RejectedExecutionException e) {
            slots.release();
            throw stopping();
        }
        try {
            while (true) {
                try {
                    return result.get(WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (clientGone.getAsBoolean()) {
                        cancel(job, claimed);
                        LOG.info("the client of the training of {} went away: training cancelled", what);
                        throw new ClientGone("the client of the training of " + what + " went away");
                    }
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) cause;
        } catch (InterruptedException e) {
            // The host is stopping (its request threads are interrupted): the training stops too.
            cancel(job, claimed);
            Thread.currentThread().interrupt();
            throw stopping();
        }
    }

    private void cancel(Future<?> job, AtomicBoolean claimed) {
        if (claimed.compareAndSet(false, true)) {
            slots.release(); // never started
        }
        job.cancel(true);
    }

    private static RetryLaterException stopping() {
        return new RetryLaterException(
                RetryLaterException.Reason.CAPACITY,
                "the host is stopping; the training was cancelled",
                Duration.ofSeconds(10),
                null);
    }

    /** Trainings running now, as the slots say. */
    int running() {
        return capacity - slots.availablePermits();
    }

    /** Cancels what still runs (its request thread answers 503). */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
