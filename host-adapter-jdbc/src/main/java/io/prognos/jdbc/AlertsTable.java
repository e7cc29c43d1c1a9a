package io.prognos.jdbc;

import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.host.core.AlertEpisodes;
import io.prognos.host.core.SensorCycle;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code alerts} table: each alert raised, cleared or closed, as published on {@code
 * prognos/alerts}, kept for a plant's history and for the episode a sensor had open, which a host
 * reads back when it starts to serve the sensor again. Raises and clears are written in {@link
 * ResultsWriter}'s transaction of the results they came with ({@link #insert}), a close by request
 * on its own ({@link #close}).
 */
public final class AlertsTable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertsTable.class);

    /**
     * The first key of the advisory lock a close holds on its sensor ("PRAC"), beside the
     * retentions' own: two closes of one sensor at once store one close, the second finds none open.
     */
    static final int CLOSE_LOCK_CLASS = 0x50524143;

    /**
     * An alert raised or cleared, with the level of the assessment that raised or cleared it and the
     * interval that assessment was based on; or closed by a request ({@link #close}).
     */
    public record Row(
            SensorId sensor,
            String alertId,
            String state,
            RiskLevel level,
            RiskLevel previousLevel,
            Instant basedOn,
            Instant assessedAt) {

        /** The result's alert, or null when it raised or cleared none. */
        public static Row of(SensorCycle.Result r) {
            SensorCycle.Alert a = r.alert();
            return a == null
                    ? null
                    : new Row(
                            r.risk().sensor(),
                            a.alertId(),
                            a.state(),
                            r.risk().level(),
                            a.previousLevel(),
                            r.forecast().lastObserved(),
                            r.risk().assessedAt());
        }
    }

    /**
     * An alert as stored, with the action and reasons of the risk of its interval (the newest
     * assessment of that interval; null when its row is gone) and, for a close, the note its
     * request gave (null when none, and for raises and clears).
     */
    public record Stored(
            String alertId,
            SensorId sensor,
            Instant basedOn,
            String state,
            RiskLevel level,
            RiskLevel previousLevel,
            String recommendedAction,
            List<String> reasons,
            String note) {}

    private final DataSource ds;
    private final String schema;
    private final String table;
    private final Runnable ready;
    // Built once: the schema is fixed for the table's life.
    private final String insertSql;
    private final String openSql;
    private final String closeSql;

    AlertsTable(DataSource ds, String schema, Runnable ready) {
        this.ds = ds;
        this.schema = Migrations.quote(schema);
        this.table = this.schema + ".alerts";
        this.ready = ready;
        this.insertSql = "INSERT INTO " + table + " (alert_id, device_id, sensor_key, state, level, previous_level,"
                + " based_on, assessed_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (alert_id) DO NOTHING";
        // One round trip: the newest alert, and the newest interval assessed above low after it. The
        // risk rows are asked for after the LIMIT, for that one alert only.
        this.openSql = "SELECT n.state, n.level, n.based_on, (SELECT max(r.based_on) FROM " + this.schema
                + ".risk_assessments r WHERE r.device_id = n.device_id AND r.sensor_key = n.sensor_key"
                + " AND r.based_on > n.based_on AND r.level <> ?) FROM (SELECT * FROM " + table
                + " WHERE device_id = ? AND sensor_key = ? ORDER BY based_on DESC, assessed_at DESC LIMIT 1) n";
        // The open alert's row closed by one of its own, at the newest interval the sensor was
        // assessed on (not before it: an assessment after the close sorts after it, raising anew).
        // A raised row at a level this release does not raise (written by hand) is not open. The
        // close's id is the raise's, hashed: a close asked again after one that failed once Kafka
        // had taken it (published, then not stored) is published under the same id, which
        // subscribers drop as a duplicate.
        this.closeSql = "INSERT INTO " + table + " (alert_id, device_id, sensor_key, state, level, previous_level,"
                + " based_on, assessed_at, note) SELECT md5('closed ' || n.alert_id)::uuid::text, n.device_id,"
                + " n.sensor_key, 'closed', n.level, n.level,"
                + " GREATEST(n.based_on, (SELECT max(r.based_on) FROM " + this.schema + ".risk_assessments r"
                + " WHERE r.device_id = n.device_id AND r.sensor_key = n.sensor_key)), ?, ? FROM (SELECT * FROM "
                + table + " WHERE device_id = ? AND sensor_key = ? ORDER BY based_on DESC, assessed_at DESC LIMIT 1) n"
                + " WHERE n.state = 'raised' AND n.level = ANY(?) ON CONFLICT (alert_id) DO NOTHING"
                + " RETURNING alert_id, level, based_on";
    }

    /** Adds {@code alerts} on {@code c}, in the caller's transaction; a repeat of one (its id) is written once. */
    void insert(Connection c, List<Row> alerts) throws SQLException {
        if (alerts.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            for (Row a : alerts) {
                ps.setString(1, a.alertId());
                ps.setString(2, a.sensor().deviceId());
                ps.setString(3, a.sensor().sensorKey());
                ps.setString(4, a.state());
                ps.setString(5, a.level().wireName());
                ps.setString(6, a.previousLevel().wireName());
                ps.setTimestamp(7, Timestamp.from(a.basedOn()));
                ps.setTimestamp(8, Timestamp.from(a.assessedAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Forgets the sensor's alerts, its open one among them: for a sensor started afresh (the demo's,
     * at a rerun), which would otherwise go on with the episode its earlier life left open.
     */
    public void delete(SensorId sensor) {
        ready.run();
        try {
            SensorRows.delete(ds, table, sensor);
        } catch (SQLException e) {
            throw SqlErrors.translate("deleting the alerts of " + sensor, e);
        }
    }

    /**
     * The alert episode the sensor had open when a host last assessed it (its newest stored alert
     * raised, none cleared since), or null: that alert's level, and the newest interval assessed at
     * medium or above since (its risk rows), when the hold that clears it began.
     */
    public AlertEpisodes.Open open(SensorId sensor) {
        ready.run();
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(openSql)) {
                ps.setString(1, RiskLevel.LOW.wireName());
                ps.setString(2, sensor.deviceId());
                ps.setString(3, sensor.sensorKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !"raised".equals(rs.getString(1))) {
                        return null;
                    }
                    RiskLevel level = knownLevel(rs.getString(2));
                    if (level == null || !level.atLeast(RiskLevel.MEDIUM)) {
                        // Not one this release raises (a row written by hand): nothing to go on with.
                        LOG.warn(
                                "{}: its newest alert, raised at level '{}', is not one this release raises; it starts"
                                        + " without an open alert",
                                sensor,
                                rs.getString(2));
                        return null;
                    }
                    Timestamp lastAlerting = rs.getTimestamp(4);
                    return new AlertEpisodes.Open(
                            level, (lastAlerting == null ? rs.getTimestamp(3) : lastAlerting).toInstant());
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the open alert of " + sensor, e);
        }
    }

    /**
     * Tells that {@code sensor} starts without the alert it may have open, which {@code e} kept from
     * being read, {@code also} saying what else follows (empty for nothing): one wording for the
     * poller's sensors and the host's.
     */
    public static void startsWithoutOpenAlert(SensorId sensor, String also, RuntimeException e) {
        LOG.warn(
                "{} starts without the alert it may have open (raised again if it still stands){}: {}",
                sensor,
                also,
                e.getMessage());
    }

    /**
     * Closes the sensor's open alert by a row of its own (state {@code closed}, the level it was
     * raised or last climbed at, the newest interval the sensor was assessed on): it is no longer
     * open, here or on any host reading the table, nor after a restart; kept with {@code note} (null
     * for none). Returns that row, or null when the sensor has no alert open. Its id is made from
     * the id of the raise it closes, so a close asked again after a failed one has the same id.
     *
     * <p>{@code beforeCommit} is given that row, in the close's transaction
     * and only when one was open: what must take the close before it counts (a Kafka host's record
     * to the task serving the sensor). When it throws, nothing is stored and its exception is the
     * caller's. Asking whether an alert is open and storing its close in two steps let the sensor's
     * own clear land between them: the task published a close the store then found nothing to close
     * for (a 404 for a close that had gone out).
     */
    public Row close(SensorId sensor, Instant closedAt, String note, Consumer<Row> beforeCommit) {
        ready.run();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                    lock.setInt(1, CLOSE_LOCK_CLASS);
                    lock.setString(2, sensor.toString());
                    lock.execute();
                }
                Row closed = null;
                try (PreparedStatement ps = c.prepareStatement(closeSql)) {
                    ps.setTimestamp(1, Timestamp.from(closedAt));
                    ps.setString(2, note);
                    ps.setString(3, sensor.deviceId());
                    ps.setString(4, sensor.sensorKey());
                    ps.setArray(
                            5,
                            c.createArrayOf(
                                    "text",
                                    Arrays.stream(RiskLevel.values())
                                            .filter(l -> l.atLeast(RiskLevel.MEDIUM))
                                            .map(RiskLevel::wireName)
                                            .toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            RiskLevel level = knownLevel(rs.getString(2));
                            closed = new Row(
                                    sensor,
                                    rs.getString(1),
                                    "closed",
                                    level,
                                    level,
                                    rs.getTimestamp(3).toInstant(),
                                    closedAt);
                        }
                    }
                }
                if (closed != null) {
                    beforeCommit.accept(closed);
                }
                c.commit();
                return closed;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r); // the first error says what went wrong; keep it
                }
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("closing the open alert of " + sensor, e);
        }
    }

    /** The newest {@code n} alerts of every sensor, newest first. */
    public List<Stored> recent(int n) {
        return read(
                "SELECT a.device_id, a.sensor_key, a.based_on, a.assessed_at, a.state, a.level, a.previous_level,"
                        + " a.alert_id, a.note FROM " + table + " a ORDER BY a.based_on DESC, a.assessed_at DESC LIMIT "
                        + n,
                null,
                "reading the newest " + n + " alerts");
    }

    /** At most {@code each} newest alerts of each of {@code sensors}, each sensor's oldest first. */
    public Map<SensorId, List<Stored>> of(List<SensorId> sensors, int each) {
        Map<SensorId, List<Stored>> out = new LinkedHashMap<>();
        if (sensors.isEmpty()) {
            return out;
        }
        List<Stored> newestFirst = read(
                SensorRows.newest(
                        schema,
                        "alerts",
                        "t.based_on, t.assessed_at, t.state, t.level, t.previous_level, t.alert_id, t.note",
                        "t.based_on DESC, t.assessed_at DESC",
                        Integer.toString(each)),
                sensors,
                "reading the newest alerts of " + sensors.size() + " sensors");
        for (Stored a : newestFirst) {
            out.computeIfAbsent(a.sensor(), k -> new ArrayList<>()).add(0, a);
        }
        return out;
    }

    /**
     * Every sensor's open alert (its newest, when a raised one), newest first: what a host that
     * starts to serve the sensor goes on with.
     */
    public List<Stored> allOpen() {
        return read(
                "SELECT a.device_id, a.sensor_key, a.based_on, a.assessed_at, a.state, a.level, a.previous_level,"
                        + " a.alert_id, a.note FROM (SELECT DISTINCT ON (device_id, sensor_key) * FROM " + table
                        + " ORDER BY device_id, sensor_key, based_on DESC, assessed_at DESC) a"
                        + " WHERE a.state = 'raised'",
                null,
                "reading the open alerts");
    }

    /**
     * The alerts {@code query} selects (device, sensor, based_on, assessed_at, state, level, previous
     * level, alert id, note, in that order; bound to {@code sensors} when not null), newest first, with their risk's
     * action and reasons.
     */
    private List<Stored> read(String query, List<SensorId> sensors, String what) {
        ready.run();
        List<Stored> out = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement("SELECT x.*, r.recommended_action, r.reasons FROM ("
                    + query + ") x(device_id, sensor_key, based_on, assessed_at, state, level, previous_level,"
                    + " alert_id, note)"
                    + " LEFT JOIN " + schema + ".risk_assessments r ON r.device_id = x.device_id"
                    + " AND r.sensor_key = x.sensor_key AND r.based_on = x.based_on"
                    + " ORDER BY x.based_on DESC, x.assessed_at DESC")) {
                if (sensors != null) {
                    SensorRows.bind(c, ps, sensors);
                }
                int unknown = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Array reasons = rs.getArray("reasons");
                        RiskLevel level = knownLevel(rs.getString("level"));
                        RiskLevel previous = knownLevel(rs.getString("previous_level"));
                        if (level == null || previous == null) {
                            unknown++;
                            continue;
                        }
                        out.add(new Stored(
                                rs.getString("alert_id"),
                                SensorId.of(rs.getString("device_id"), rs.getString("sensor_key")),
                                rs.getTimestamp("based_on").toInstant(),
                                rs.getString("state"),
                                level,
                                previous,
                                rs.getString("recommended_action"),
                                reasons == null ? List.of() : Arrays.asList((String[]) reasons.getArray()),
                                rs.getString("note")));
                    }
                }
                if (unknown > 0) {
                    LOG.warn("{}: {} alert row(s) with a level this release does not know left out", what, unknown);
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
        return out;
    }

    /** The level a row names, or null for one this release does not know (a row written by hand). */
    private static RiskLevel knownLevel(String wire) {
        try {
            return RiskLevel.valueOf(wire.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }
}
