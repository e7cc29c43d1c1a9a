package io.prognos.jdbc;

import io.prognos.api.RetryLaterException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes results older than {@code jdbc.results-retention}, by the time of the readings they are
 * about (as a time-series database's retention counts, and the dashboard's time axes), so that the
 * results tables of a plant that runs for years stop growing: about 300,000 forecast rows
 * a day for 1,000 sensors at an hourly interval. What a sensor's current state is read from stays
 * whatever its age, so that a sensor that went quiet keeps its last word and an open alert goes on
 * across a restart: its newest risk and the forecast that risk was drawn from, its newest alert, and
 * while that alert is a raised one, the risk rows from it on (they say when the hold that clears it
 * began). The newest maintenance schedule stays too. Anomaly scores go by age alone.
 */
final class ResultsRetention {

    private static final Logger LOG = LoggerFactory.getLogger(ResultsRetention.class);
    /**
     * Rows per delete, each its own transaction: a first run on a table of years holds no lock, nor a
     * transaction, for the whole of it, and a host that stops in the middle keeps what was deleted.
     */
    static final int CHUNK = 10_000;

    /**
     * Arbitrary but fixed, with the schema's hash: the advisory lock a host holds while it deletes,
     * so that hosts sharing the database delete one at a time. Two at once would pick overlapping
     * rows and could each wait on the other's (a deadlock, which PostgreSQL ends by failing one).
     */
    static final int LOCK_CLASS = 0x50524554;

    /**
     * How many rows of each table one pruning deleted; none, and {@code elsewhere}, when another host
     * was deleting from the schema's tables at the time.
     */
    record Pruned(Map<String, Integer> deleted, boolean elsewhere) {
        public int total() {
            return deleted.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final DataSource ds;
    private final Runnable ready;
    private final Duration retention;
    private final String schema;
    private final Map<String, String> deletes = new LinkedHashMap<>();

    ResultsRetention(DataSource ds, String schema, Runnable ready, Duration retention) {
        this.ds = ds;
        this.ready = ready;
        this.retention = retention;
        this.schema = schema;
        String s = Migrations.quote(schema);
        String sameSensor = " WHERE x.device_id = t.device_id AND x.sensor_key = t.sensor_key";
        String newestRisk = "(SELECT max(x.based_on) FROM " + s + ".risk_assessments x" + sameSensor + ")";
        // The interval of the sensor's newest alert when it is a raised one, else none.
        String openSince = "(SELECT CASE WHEN x.state = 'raised' THEN x.based_on END FROM " + s + ".alerts x"
                + sameSensor + " ORDER BY x.based_on DESC, x.assessed_at DESC LIMIT 1)";
        deletes.put("forecasts", chunked(s + ".forecasts", "t.based_on < ? AND t.based_on < " + newestRisk));
        deletes.put(
                "risk_assessments",
                chunked(
                        s + ".risk_assessments",
                        "t.based_on < ? AND t.based_on < " + newestRisk + " AND (" + openSince
                                + " IS NULL OR t.based_on < " + openSince + ")"));
        deletes.put(
                "alerts",
                chunked(
                        s + ".alerts",
                        "t.based_on < ? AND t.alert_id <> (SELECT x.alert_id FROM " + s + ".alerts x" + sameSensor
                                + " ORDER BY x.based_on DESC, x.assessed_at DESC LIMIT 1)"));
        deletes.put("anomaly_scores", chunked(s + ".anomaly_scores", "t.interval_start < ?"));
        // A schedule is about the time it was made.
        deletes.put(
                "maintenance_schedule",
                chunked(
                        s + ".maintenance_schedule",
                        "t.generated_at < ? AND t.generated_at < (SELECT max(generated_at) FROM " + s
                                + ".maintenance_schedule)"));
    }

    /** At most {@link #CHUNK} rows of {@code table} that {@code condition} (on {@code t}) selects. */
    private static String chunked(String table, String condition) {
        return "DELETE FROM " + table + " WHERE ctid = ANY (ARRAY(SELECT t.ctid FROM " + table + " t WHERE " + condition
                + " LIMIT " + CHUNK + "))";
    }

    /** The retention as configured: "30 days", "36 hours". */
    private String said() {
        return retention.toHoursPart() == 0 && retention.toMinutesPart() == 0 && retention.toSecondsPart() == 0
                ? retention.toDays() + " days"
                : retention.toHours() + " hours";
    }

    /** Deletes what is older than the retention at {@code now}. */
    Pruned prune(Instant now) {
        return pruneBefore(now.minus(retention));
    }

    /** Deletes the rows about readings before {@code cutoff} but those kept for a sensor's current state. */
    Pruned pruneBefore(Instant cutoff) {
        ready.run();
        Map<String, Integer> deleted = new LinkedHashMap<>();
        try (Connection c = ds.getConnection()) {
            if (!lock(c, "pg_try_advisory_lock")) {
                return new Pruned(Map.of(), true);
            }
            try {
                for (Map.Entry<String, String> d : deletes.entrySet()) {
                    deleted.put(d.getKey(), delete(c, d.getKey(), d.getValue(), cutoff));
                }
            } finally {
                try {
                    lock(c, "pg_advisory_unlock");
                } catch (SQLException e) {
                    // The session's lock ends with its connection, which the pool drops when broken.
                    LOG.warn("the lock on deleting old results not released: {}", e.getMessage());
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("deleting results before " + cutoff, e);
        }
        return new Pruned(deleted, false);
    }

    private boolean lock(Connection c, String function) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?, hashtext(?))")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setString(2, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Runs {@code sql} chunk by chunk until a chunk is not full; returns how many rows went. */
    private static int delete(Connection c, String table, String sql, Instant cutoff) {
        int n = 0;
        int chunk;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            do {
                chunk = ps.executeUpdate();
                n += chunk;
            } while (chunk == CHUNK);
        } catch (SQLException e) {
            throw SqlErrors.translate("deleting " + table + " rows before " + cutoff, e);
        }
        return n;
    }

    /**
     * One scheduled run: what it deleted at INFO, an outage at WARN, another failure at ERROR (the
     * next run tries again either way).
     */
    void run() {
        long started = System.nanoTime();
        try {
            Pruned p = prune(Instant.now());
            if (p.total() > 0) {
                LOG.info(
                        "results older than {} deleted: {} ({} ms)",
                        said(),
                        p.deleted(),
                        (System.nanoTime() - started) / 1_000_000);
            } else if (p.elsewhere()) {
                LOG.debug("results older than {} not deleted here: another host is deleting them", said());
            }
        } catch (RetryLaterException e) {
            LOG.warn("results older than {} not deleted this hour, tried again in an hour: {}", said(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("results older than {} not deleted, tried again in an hour", said(), e);
        }
    }
}
