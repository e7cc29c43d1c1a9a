package io.prognos.host.runtime;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.jdbc.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference host's own readings table, {@code sensor_readings}, which the JDBC adapter's
 * default readings query reads. A plant host with its own telemetry tables does not need it.
 */
public final class ReadingsTable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingsTable.class);

    private final DataSource ds;
    private volatile boolean created;

    public ReadingsTable(DataSource ds) {
        this.ds = ds;
    }

    /**
     * Creates the table now, so that the readings query finds it before the first reading is stored;
     * a database that is down is logged and the table is created with the first write instead.
     */
    public void createIfAbsent() {
        try {
            ensureCreated();
        } catch (RuntimeException e) {
            LOG.warn("sensor_readings not created yet (created with the first stored reading): {}", e.getMessage());
        }
    }

    /** Creates the table unless it was; an outage is thrown as a {@link io.prognos.api.RetryLaterException}. */
    void ensureCreated() {
        try (Connection c = ds.getConnection()) {
            ensureTable(c);
        } catch (SQLException e) {
            throw SqlErrors.translate("sensor_readings", e);
        }
    }

    /** Readings of one sensor, as one message brought them. */
    public record SensorReadings(SensorId sensor, List<Reading> readings) {}

    /** Appends readings; a reading already stored (same sensor and timestamp) is kept as it was. */
    public void append(SensorId sensor, List<Reading> readings) {
        append(List.of(new SensorReadings(sensor, readings)));
    }

    /** Appends the readings of several messages in one transaction (one round trip per batch). */
    public void append(List<SensorReadings> batch) {
        try (Connection c = ds.getConnection()) {
            ensureTable(c);
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO sensor_readings (device_id, sensor_key, ts, value)"
                            + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (SensorReadings sr : batch) {
                    for (Reading r : sr.readings()) {
                        ps.setString(1, sr.sensor().deviceId());
                        ps.setString(2, sr.sensor().sensorKey());
                        ps.setTimestamp(3, Timestamp.from(r.timestamp()));
                        ps.setDouble(4, r.value());
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        } catch (SQLException e) {
            String what = batch.size() == 1
                    ? "readings of " + batch.get(0).sensor()
                    : "readings of " + batch.size() + " messages";
            throw SqlErrors.translate(what, e);
        }
    }

    /** How many readings are stored, of all sensors. */
    public long total() {
        try (Connection c = ds.getConnection()) {
            ensureTable(c);
            try (Statement st = c.createStatement();
                    var rs = st.executeQuery("SELECT count(*) FROM sensor_readings")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("readings", e);
        }
    }

    /** How many readings of the sensor are stored. */
    public int count(SensorId sensor) {
        try (Connection c = ds.getConnection()) {
            ensureTable(c);
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT count(*) FROM sensor_readings WHERE device_id = ? AND sensor_key = ?")) {
                ps.setString(1, sensor.deviceId());
                ps.setString(2, sensor.sensorKey());
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("readings of " + sensor, e);
        }
    }

    /** Deletes a sensor's readings; returns how many there were. */
    public int delete(SensorId sensor) {
        try (Connection c = ds.getConnection()) {
            ensureTable(c);
            try (PreparedStatement ps =
                    c.prepareStatement("DELETE FROM sensor_readings WHERE device_id = ? AND sensor_key = ?")) {
                ps.setString(1, sensor.deviceId());
                ps.setString(2, sensor.sensorKey());
                return ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("readings of " + sensor, e);
        }
    }

    private void ensureTable(Connection c) throws SQLException {
        if (created) {
            return;
        }
        // One creation at a time in this host (the storing's thread, the retention's): two sessions
        // running CREATE TABLE IF NOT EXISTS at once can fail one of them on PostgreSQL's catalog
        // (a duplicate pg_type row; known PostgreSQL behaviour, not seen here).
        synchronized (this) {
            if (!created) {
                create(c);
            }
        }
    }

    private void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS sensor_readings (device_id text NOT NULL, sensor_key text NOT NULL,"
                    + " ts timestamptz NOT NULL, value double precision NOT NULL,"
                    + " PRIMARY KEY (device_id, sensor_key, ts))");
        }
        created = true;
    }
}
