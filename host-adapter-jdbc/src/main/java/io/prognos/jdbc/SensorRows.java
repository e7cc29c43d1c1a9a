package io.prognos.jdbc;

import io.prognos.api.SensorId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** Rows keyed by (device_id, sensor_key), as Prognos's per-sensor tables are. */
final class SensorRows {

    private SensorRows() {}

    /**
     * Each sensor's newest rows of {@code table} (the sensors bound by {@link #bind}): per sensor a
     * walk down the table's primary key, {@code limit} rows by {@code order}. {@code schema} quoted.
     */
    static String newest(String schema, String table, String columns, String order, String limit) {
        return "SELECT s.device_id, s.sensor_key, " + columns
                + " FROM unnest(?::text[], ?::text[]) AS s(device_id, sensor_key) CROSS JOIN LATERAL (SELECT * FROM "
                + schema + "." + table + " t WHERE t.device_id = s.device_id AND t.sensor_key = s.sensor_key"
                + " ORDER BY " + order + " LIMIT " + limit + ") t";
    }

    /** Binds {@code sensors} to the first two parameters, as arrays of devices and keys. */
    static void bind(Connection c, PreparedStatement ps, List<SensorId> sensors) throws SQLException {
        ps.setArray(
                1,
                c.createArrayOf("text", sensors.stream().map(SensorId::deviceId).toArray()));
        ps.setArray(
                2,
                c.createArrayOf(
                        "text", sensors.stream().map(SensorId::sensorKey).toArray()));
    }

    /** Deletes the sensor's rows of {@code table} (schema-qualified and quoted); returns how many went. */
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
