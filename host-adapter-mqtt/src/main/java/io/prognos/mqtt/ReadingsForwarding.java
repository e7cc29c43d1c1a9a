package io.prognos.mqtt;

import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.host.core.ReadingsForwarder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the readings of MQTT messages to a {@link ReadingsForwarder} on a thread of its own and
 * acknowledges each message once the forwarder has taken its readings. What waits is forwarded
 * together, in arrival order, up to {@link #MAX_BATCH_READINGS}: one wait for the destination's
 * acknowledgement per batch rather than per message (one message at a time took 169 readings/s from MQTT into Kafka here,
 * `bench-ingest` at 1,000/s).
 *
 * <p>While the forwarder refuses them, or fails, the batch is tried again every second and nothing
 * is acknowledged: the broker holds back what follows once the receive maximum of unacknowledged
 * messages is reached. (A batch that failed otherwise than by a refusal was once dropped
 * unacknowledged: the broker sent it again only to the next session, and each such batch held
 * receive-maximum slots until then.) Stopped meanwhile, the messages stay unacknowledged and the broker sends
 * them again to the next session.
 */
final class ReadingsForwarding implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingsForwarding.class);
    static final long RETRY_PAUSE_MS = 1_000;
    /**
     * Readings forwarded in one batch at most (about 500 KB as records, a reading about 50 bytes;
     * a message holding more goes alone): a batch must be taken within the forwarder's wait (5 s
     * for Kafka), or it would be sent again and again.
     */
    static final int MAX_BATCH_READINGS = 10_000;

    private record Message(Map<SensorId, List<Reading>> readings, Runnable acknowledge) {
        int count() {
            return readings.values().stream().mapToInt(List::size).sum();
        }
    }

    private final ReadingsForwarder forwarder;
    private final LinkedBlockingQueue<Message> waiting;
    private final Thread thread;
    private volatile boolean running = true;
    /** Since when a batch waits for the forwarder (System.nanoTime), or 0 when none does. */
    private volatile long failingSince;

    ReadingsForwarding(ReadingsForwarder forwarder, int capacity) {
        this.forwarder = forwarder;
        this.waiting = new LinkedBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "prognos-mqtt-forwarding");
        thread.setDaemon(true);
        thread.start();
    }

    /** Where readings go. */
    ReadingsForwarder forwarder() {
        return forwarder;
    }

    /** Whether a batch is being tried again because the forwarder refused it or failed. */
    boolean failing() {
        return failingSince != 0;
    }

    /** Queues a message's readings; false when the queue is full (the caller refuses the message). */
    boolean offer(Map<SensorId, List<Reading>> readings, Runnable acknowledge) {
        return waiting.offer(new Message(readings, acknowledge));
    }

    private void run() {
        List<Message> batch = new ArrayList<>();
        while (running) {
            try {
                Message first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int readings = first.count();
                for (Message next; readings < MAX_BATCH_READINGS && (next = waiting.peek()) != null; ) {
                    if (readings + next.count() > MAX_BATCH_READINGS) {
                        break;
                    }
                    batch.add(waiting.poll());
                    readings += next.count();
                }
                if (forward(merged(batch))) {
                    batch.forEach(m -> Acknowledger.acknowledge(m.acknowledge()));
                }
                batch.clear();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Never let one batch stop the forwarding for good; its messages stay unacknowledged.
                LOG.error("forwarding readings failed; the broker sends them again to the next session", e);
                batch.clear();
            }
        }
    }

    /** The batch's readings by sensor, each sensor's in the order they came. */
    private static Map<SensorId, List<Reading>> merged(List<Message> batch) {
        Map<SensorId, List<Reading>> out = new LinkedHashMap<>();
        for (Message m : batch) {
            m.readings()
                    .forEach((sensor, readings) ->
                            out.computeIfAbsent(sensor, s -> new ArrayList<>()).addAll(readings));
        }
        return out;
    }

    /** True once forwarded; false when stopped first. */
    private boolean forward(Map<SensorId, List<Reading>> readings) throws InterruptedException {
        boolean waited = false;
        while (true) {
            try {
                forwarder.forward(readings);
                if (waited) {
                    failingSince = 0;
                    LOG.info("readings forwarded to {} again", forwarder.destination());
                }
                return true;
            } catch (RuntimeException e) {
                if (!waited) {
                    waited = true;
                    failingSince = System.nanoTime();
                    if (e instanceof RetryLaterException) {
                        // A refusal (the destination down): its message says enough.
                        LOG.warn(
                                "readings not forwarded to {}: {}; trying again every second, the broker's messages"
                                        + " unacknowledged meanwhile",
                                forwarder.destination(),
                                e.getMessage());
                    } else {
                        LOG.error(
                                "forwarding readings to {} failed; trying again every second, the broker's messages"
                                        + " unacknowledged meanwhile",
                                forwarder.destination(),
                                e);
                    }
                }
            }
            if (!running) {
                return false;
            }
            Thread.sleep(RETRY_PAUSE_MS);
        }
    }

    /** Stops at once: what is not forwarded yet stays unacknowledged. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
