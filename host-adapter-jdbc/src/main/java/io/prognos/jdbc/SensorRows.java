package io.prognos.jdbc;

import io.prognos.api.SensorId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Rows keyed by (device_id, sensor_key), as Prognos's per-sensor tables are. */
final class SensorRows {

    private SensorRows() {}

    /** Deletes the sensor's row of {@code table} (schema-qualified and quoted); returns how many went. */
    static int delete(DataSource ds, String table, SensorId sensor) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("DELETE FROM " + table + " WHERE device_id = ? AND sensor_key = ?")) {
            ps.setString(1, sensor.deviceId());
            ps.setString(2, sensor.sensorKey());
            return ps.executeUpdate();
        }
    }
}
