package io.prognos.host.runtime;

import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.jdbc.AlertsTable;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert episode a sensor had open when a host (this one or another on the database) last
 * assessed it, read back for a sensor this host starts to serve; null for none, or when the
 * database cannot say, which the log tells: the sensor then starts without it, an open alert raised
 * again if its risk still stands.
 */
final class StoredOpenAlerts {

    private static final Logger LOG = LoggerFactory.getLogger(StoredOpenAlerts.class);
    /** How long a Kafka task asks for none after the database did not answer. */
    static final Duration QUIET_AFTER_UNANSWERED = Duration.ofSeconds(30);

    private final Function<SensorId, AlertEpisodes.Open> read;
    private final LongSupplier nanoTime;
    /** When an ask on a stream thread last met a database that did not answer (nanoTime); null since an answer. */
    private volatile Long unanswered;

    StoredOpenAlerts(Function<SensorId, AlertEpisodes.Open> read, LongSupplier nanoTime) {
        this.read = read;
        this.nanoTime = nanoTime;
    }

    /**
     * For a sensor of MQTT or REST; {@code readingsUnread} when its readings' read just failed
     * (told): not a second wait for a database that does not answer, a socket timeout (60 s) each
     * for a suspended one, for every sensor first seen.
     */
    AlertEpisodes.Open forContext(SensorId sensor, boolean readingsUnread) {
        if (readingsUnread) {
            LOG.debug("{} starts without the alert it may have open: the database did not answer", sensor);
            return null;
        }
        try {
            return read.apply(sensor);
        } catch (RuntimeException e) {
            AlertsTable.startsWithoutOpenAlert(sensor, "", e);
            return null;
        }
    }

    /**
     * For a sensor a Kafka task starts without a context in its store; after the database did not
     * answer, none is asked for during {@link #QUIET_AFTER_UNANSWERED}. Each ask waits up to
     * {@code jdbc.connect-timeout} (a suspended database {@code jdbc.socket-timeout}) on the stream
     * thread, which must poll again within {@code max.poll.interval.ms}: a task starting a thousand
     * sensors afresh in an outage would have waited hours and been taken from the host.
     */
    AlertEpisodes.Open onStream(SensorId sensor) {
        Long since = unanswered;
        if (since != null && nanoTime.getAsLong() - since < QUIET_AFTER_UNANSWERED.toNanos()) {
            LOG.debug("{} starts without the alert it may have open: the database did not answer", sensor);
            return null;
        }
        try {
            AlertEpisodes.Open open = read.apply(sensor);
            unanswered = null;
            return open;
        } catch (RetryLaterException e) {
            unanswered = nanoTime.getAsLong();
            AlertsTable.startsWithoutOpenAlert(
                    sensor,
                    ", as do the sensors started afresh in the next " + QUIET_AFTER_UNANSWERED.toSeconds() + " s",
                    e);
            return null;
        } catch (RuntimeException e) {
            AlertsTable.startsWithoutOpenAlert(sensor, "", e);
            return null;
        }
    }
}
