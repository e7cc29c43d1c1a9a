package io.prognos.jdbc;

import io.prognos.api.BadRequestException;
import io.prognos.api.OperatingLimits;
import io.prognos.api.SensorId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operating limits set at run time (REST, the dashboard), kept in {@code sensor_limits} across restarts. */
public final class LimitsTable {

    private static final Logger LOG = LoggerFactory.getLogger(LimitsTable.class);

    private final DataSource ds;
    private final String schema;
    private final String table;
    private final Runnable ready;
    private final Set<String> badRowsTold = ConcurrentHashMap.newKeySet();

    LimitsTable(DataSource ds, String schema, Runnable ready) {
        this.ds = ds;
        this.schema = schema;
        this.table = Migrations.quote(schema) + ".sensor_limits";
        this.ready = ready;
    }

    /** Every sensor's limits set at run time. */
    public Map<SensorId, OperatingLimits> load() {
        ready.run();
        Map<SensorId, OperatingLimits> out = new HashMap<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT device_id, sensor_key, low, warning_low, warning_high, high FROM " + table);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                SensorId sensor = SensorId.of(rs.getString(1), rs.getString(2));
                try {
                    out.put(
                            sensor,
                            new OperatingLimits(
                                    NullableDoubles.get(rs, "low"),
                                    NullableDoubles.get(rs, "warning_low"),
                                    NullableDoubles.get(rs, "warning_high"),
                                    NullableDoubles.get(rs, "high")));
                } catch (BadRequestException e) {
                    // Written by hand (the host writes only limits it took): one bad row must not
                    // stop a start, nor be taken. Told once: the table is read every half minute.
                    if (!badRowsTold.add(sensor + ": " + e.getMessage())) {
                        continue;
                    }
                    LOG.warn(
                            "{}.sensor_limits: the row of {} holds no valid limits ({}); left out, those of"
                                    + " prognos.limits apply",
                            schema,
                            sensor,
                            e.getMessage());
                }
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the operating limits set at run time", e);
        }
    }

    /** Keeps {@code limits} for the sensor, replacing what it had. */
    public void save(SensorId sensor, OperatingLimits limits) {
        ready.run();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                        + " (device_id, sensor_key, low, warning_low, warning_high, high) VALUES (?,?,?,?,?,?)"
                        + " ON CONFLICT (device_id, sensor_key) DO UPDATE SET low = EXCLUDED.low,"
                        + " warning_low = EXCLUDED.warning_low, warning_high = EXCLUDED.warning_high,"
                        + " high = EXCLUDED.high, set_at = now()")) {
            ps.setString(1, sensor.deviceId());
            ps.setString(2, sensor.sensorKey());
            NullableDoubles.set(ps, 3, limits.low());
            NullableDoubles.set(ps, 4, limits.warningLow());
            NullableDoubles.set(ps, 5, limits.warningHigh());
            NullableDoubles.set(ps, 6, limits.high());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translateChange("keeping the operating limits of " + sensor, e);
        }
    }

    /** Forgets the sensor's limits set at run time. */
    public void delete(SensorId sensor) {
        ready.run();
        try {
            SensorRows.delete(ds, table, sensor);
        } catch (SQLException e) {
            throw SqlErrors.translateChange("clearing the operating limits of " + sensor, e);
        }
    }
}
