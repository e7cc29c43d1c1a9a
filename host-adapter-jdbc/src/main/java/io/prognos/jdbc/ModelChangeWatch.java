package io.prognos.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.prognos.api.ModelStore;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@value #CHANNEL}, where the {@code lstm_models} trigger tells every change of a
 * stored model (V4__model_change_notices.sql), and passes the changes of its schema to a
 * {@link ModelStore.ChangeListener}. On a connection of its own, outside the pool: a listening
 * session is held for good, and would take one of the pool's few connections from the queries.
 *
 * <p>A lost connection is opened again every {@link #RETRY_MS} ms; what changed meanwhile went
 * untold, so the listener hears {@code changesMissed} once listening again.
 */
final class ModelChangeWatch implements ModelStore.Watch {

    static final String CHANNEL = "prognos_models";
    private static final Logger LOG = LoggerFactory.getLogger(ModelChangeWatch.class);
    /** How long one wait for notices lasts: also how long a close waits for the thread. */
    private static final int POLL_MS = 500;
    /**
     * A query this often on the listening connection: a wait for notices does not notice a peer
     * that vanished without closing the connection (the socket timeout below bounds the query).
     */
    private static final long CHECK_EVERY_MS = 30_000;

    static final long RETRY_MS = 5_000;

    /** Opens a new connection, not from the pool. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final String schema;
    private final ModelStore.ChangeListener listener;
    private final Thread thread;
    private final CountDownLatch listening = new CountDownLatch(1);
    private final AtomicLong told = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean listeningNow;

    ModelChangeWatch(Connector connector, String schema, ModelStore.ChangeListener listener) {
        this.connector = connector;
        this.schema = schema;
        this.listener = listener;
        this.thread = new Thread(this::run, "prognos-model-changes");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether it listens now: a change committed now will be told. */
    boolean listening() {
        return listeningNow;
    }

    /** Whether it runs (not closed). */
    boolean open() {
        return running;
    }

    /** Changes told so far (not counting "missed"). */
    long told() {
        return told.get();
    }

    /** True once the watch has listened (a change committed after that is told). */
    boolean awaitListening(long timeout, TimeUnit unit) throws InterruptedException {
        return listening.await(timeout, unit);
    }

    private void run() {
        boolean lost = false;
        while (running) {
            try (Connection c = connector.connect();
                    Statement st = c.createStatement()) {
                st.execute("LISTEN " + CHANNEL);
                listeningNow = true;
                if (lost) {
                    LOG.info("watching the model store for changes again; every model held is read again");
                    tell(null, null, true);
                    lost = false;
                }
                listening.countDown();
                PGConnection pg = c.unwrap(PGConnection.class);
                long checked = System.nanoTime();
                while (running) {
                    PGNotification[] notices = pg.getNotifications(POLL_MS);
                    if (notices != null) {
                        for (PGNotification n : notices) {
                            deliver(n.getParameter());
                        }
                    }
                    if (System.nanoTime() - checked > TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MS)) {
                        st.execute("SELECT 1");
                        checked = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listeningNow = false;
                if (!running) {
                    return;
                }
                if (!lost) {
                    LOG.warn(
                            "not watching the model store for changes made by other hosts ({}); trying again every"
                                    + " {} s, and models held are read again once it is back",
                            e.getMessage(),
                            RETRY_MS / 1000);
                }
                lost = true;
                try {
                    Thread.sleep(RETRY_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void deliver(String payload) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(payload);
        } catch (Exception e) {
            LOG.warn("unreadable notice on {}: {}", CHANNEL, payload);
            return;
        }
        if (!schema.equals(n.path("schema").asText())) {
            return; // another Prognos schema in the same database
        }
        SensorId sensor;
        try {
            sensor = new SensorId(
                    n.path("device_id").asText(), n.path("sensor_key").asText());
        } catch (RuntimeException e) {
            LOG.warn(
                    "notice on {} names no sensor Prognos reads ({}): every model held is read again",
                    CHANNEL,
                    payload);
            tell(null, null, true);
            return;
        }
        JsonNode version = n.get("model_version");
        tell(sensor, version == null || version.isNull() ? null : version.asText(), false);
    }

    /** The listener is the plugin's: a fault of its own must not end the watch. */
    private void tell(SensorId sensor, String version, boolean missed) {
        try {
            if (missed) {
                listener.changesMissed();
            } else {
                told.incrementAndGet();
                listener.changed(sensor, version);
            }
        } catch (RuntimeException e) {
            LOG.error("the model store's change listener failed on {}", missed ? "missed changes" : sensor, e);
        }
    }

    @Override
    public void close() {
        running = false;
        listeningNow = false;
        thread.interrupt();
        try {
            thread.join(POLL_MS * 4L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
