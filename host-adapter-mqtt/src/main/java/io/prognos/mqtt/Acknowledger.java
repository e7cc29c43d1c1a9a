package io.prognos.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledges readings to the broker only once the host has made them durable, so that a host
 * killed (SIGKILL, power cut) loses nothing the broker counts as delivered: the broker keeps an
 * unacknowledged QoS 1 message in the session and sends it again when the adapter is back.
 *
 * <p>Readings whose model work is done are collected here; one thread takes everything collected,
 * calls {@code sync} (the sensor cycle's listeners return once what they were told is stored) and
 * then acknowledges the lot. Acknowledging in batches costs one wait per database transaction
 * instead of one per message, and the model work never waits: it goes on while a batch is synced.
 * Before, a reading was acknowledged when it was queued for the model work, and a SIGKILL at 500
 * readings/s lost 22 acknowledged readings.
 */
final class Acknowledger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Acknowledger.class);

    private final Runnable sync;
    private final LinkedBlockingQueue<Runnable> done = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** {@code sync} returns once everything the model work passed on so far is durable. */
    Acknowledger(Runnable sync) {
        this.sync = sync;
        this.thread = new Thread(this::run, "prognos-mqtt-acks");
        thread.setDaemon(true);
        thread.start();
    }

    /** The model work of a message is done: acknowledge it once what it produced is durable. */
    void processed(Runnable acknowledge) {
        done.add(acknowledge);
    }

    private void run() {
        while (running) {
            try {
                Runnable first = done.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    acknowledgeDurable(first);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Never let one failed batch stop the acknowledgements for good.
                LOG.error("acknowledging readings failed", e);
            }
        }
    }

    private void acknowledgeDurable(Runnable first) {
        List<Runnable> batch = new ArrayList<>();
        batch.add(first);
        done.drainTo(batch);
        sync.run();
        for (Runnable ack : batch) {
            acknowledge(ack);
        }
    }

    /** Acknowledges one message; a failure (the connection went away) is logged, the broker sends it again. */
    static void acknowledge(Runnable ack) {
        try {
            ack.run();
        } catch (RuntimeException e) {
            LOG.warn("acknowledging a message failed; the broker will send it again: {}", e.toString());
        }
    }

    /** After the model work has stopped: acknowledges what it finished, once durable. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runnable first = done.poll();
        if (first != null) {
            acknowledgeDurable(first);
        }
    }
}
