package io.prognos.host.runtime;

import io.prognos.jdbc.ChunkedDeletion;
import io.prognos.jdbc.RetentionRuns;
import io.prognos.jdbc.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Deletes the host's stored readings ({@code sensor_readings}) older than {@code
 * prognos.readings-retention}, by their timestamps, so that the table of a plant that runs for years
 * stops growing: a sensor that reports every second adds 86,400 rows a day. What a training and a
 * restart read stays whatever its age: the retention is at least {@code prognos.history} (checked at
 * start), and each sensor keeps its newest {@code cycle.buffer-size} readings, which a sensor with
 * fewer than a training needs in its history (one that reports daily) is trained and warmed on.
 */
final class ReadingsRetention implements RetentionRuns.Pruner {

    /**
     * Arbitrary but fixed, another than the results' one: the advisory lock under which readings are
     * deleted ({@link ChunkedDeletion}), the same on every host sharing the database.
     */
    static final int LOCK_CLASS = 0x50524452;

    /**
     * Every sensor with its oldest reading, by a skip scan of the primary key (device, sensor, time):
     * one index probe a sensor, where {@code SELECT DISTINCT} would read the whole table.
     */
    private static final String SENSORS_WITH_OLD_READINGS = "WITH RECURSIVE s AS ("
            + " (SELECT device_id, sensor_key, ts FROM sensor_readings ORDER BY device_id, sensor_key, ts LIMIT 1)"
            + " UNION ALL SELECT n.device_id, n.sensor_key, n.ts FROM s CROSS JOIN LATERAL"
            + " (SELECT r.device_id, r.sensor_key, r.ts FROM sensor_readings r"
            + " WHERE (r.device_id, r.sensor_key) > (s.device_id, s.sensor_key)"
            + " ORDER BY r.device_id, r.sensor_key, r.ts LIMIT 1) n)"
            + " SELECT device_id, sensor_key FROM s WHERE ts < ?";

    /** A sensor's readings before the cutoff and before its newest {@code keep}. */
    private static final String DELETE = ChunkedDeletion.statement(
            "sensor_readings",
            "t.device_id = ? AND t.sensor_key = ? AND t.ts < ? AND t.ts < (SELECT x.ts FROM sensor_readings x"
                    + " WHERE x.device_id = ? AND x.sensor_key = ? ORDER BY x.ts DESC OFFSET ? LIMIT 1)");

    private final DataSource ds;
    private final ReadingsTable table;
    private final Duration retention;
    private final int keep;
    private final ChunkedDeletion deletion;

    /**
     * @param keep how many of each sensor's newest readings stay whatever their age (cycle.buffer-size)
     */
    ReadingsRetention(DataSource ds, ReadingsTable table, Duration retention, int keep) {
        this.ds = ds;
        this.table = table;
        this.retention = retention;
        this.keep = keep;
        this.deletion = new ChunkedDeletion(ds, LOCK_CLASS, "sensor_readings");
    }

    @Override
    public RetentionRuns.Pruned prune(Instant now) {
        return pruneBefore(now.minus(retention));
    }

    /** Deletes the readings before {@code cutoff} but each sensor's newest; stops where another host deletes. */
    RetentionRuns.Pruned pruneBefore(Instant cutoff) {
        table.ensureCreated();
        long rows = 0;
        for (Stored sensor : sensorsWithReadingsBefore(cutoff)) {
            ChunkedDeletion.Deleted d =
                    deletion.run("deleting readings of " + sensor + " before " + cutoff, DELETE, ps -> {
                        ps.setString(1, sensor.deviceId());
                        ps.setString(2, sensor.sensorKey());
                        ps.setTimestamp(3, Timestamp.from(cutoff));
                        ps.setString(4, sensor.deviceId());
                        ps.setString(5, sensor.sensorKey());
                        ps.setInt(6, keep - 1);
                    });
            rows += d.rows();
            if (d.elsewhere()) {
                return new RetentionRuns.Pruned(Map.of("sensor_readings", rows), true);
            }
        }
        return new RetentionRuns.Pruned(Map.of("sensor_readings", rows), false);
    }

    /**
     * A sensor as stored, not validated as a {@code SensorId}: rows another program wrote with an id
     * the host would refuse are deleted by age too.
     */
    private record Stored(String deviceId, String sensorKey) {
        @Override
        public String toString() {
            return deviceId + "/" + sensorKey;
        }
    }

    private List<Stored> sensorsWithReadingsBefore(Instant cutoff) {
        List<Stored> sensors = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(SENSORS_WITH_OLD_READINGS)) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sensors.add(new Stored(rs.getString(1), rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("the sensors with readings before " + cutoff, e);
        }
        return sensors;
    }
}
