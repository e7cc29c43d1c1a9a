package io.prognos.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.SensorId;
import io.prognos.api.ThreadLimits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The poller across a database restart in the middle of a run: no result lost, none duplicated. */
class ForecastPollerTest {

    private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    private static final List<SensorId> SENSORS =
            List.of(SensorId.of("line-1", "temp"), SensorId.of("line-2", "temp"), SensorId.of("line-3", "temp"));

    private EmbeddedPostgres startDb(Path dir, int port) throws Exception {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .start();
    }

    private static void insert(JdbcAdapter db, int fromHour, int toHour) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO sensor_readings VALUES (?, ?, ?, ?)")) {
            for (SensorId s : SENSORS) {
                Random r = new Random(s.hashCode());
                for (int i = fromHour; i < toHour; i++) {
                    ps.setString(1, s.deviceId());
                    ps.setString(2, s.sensorKey());
                    ps.setTimestamp(3, Timestamp.from(T0.plus(Duration.ofHours(i))));
                    ps.setDouble(4, 40 + 3 * Math.sin(2 * Math.PI * i / 24) + 0.2 * r.nextGaussian());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    @Test
    void aDatabaseRestartMidRunLosesAndDuplicatesNothing() throws Exception {
        Path dir = Files.createTempDirectory("prognos-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedPostgres pg = startDb(dir, port);
        Map<String, String> config = new HashMap<>();
        config.put("jdbc.url", pg.getJdbcUrl("postgres", "postgres"));
        config.put("jdbc.connect-timeout", "1s");
        JdbcAdapter db = JdbcAdapter.start(config);
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE sensor_readings (device_id text, sensor_key text, ts timestamptz,"
                    + " value double precision)");
        }
        insert(db, 0, 300);

        ForecastingPlugin plugin =
                PluginDiscovery.discover(getClass().getClassLoader()).plugins().get(0);
        plugin.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), db.models(), Clock.systemUTC()));
        AtomicBoolean stopDuringRun = new AtomicBoolean(false);
        EmbeddedPostgres[] running = {pg};
        ForecastPoller poller = new ForecastPoller(
                plugin,
                db,
                s -> {
                    // The database goes away while the second sensor is being handled.
                    if (stopDuringRun.get() && s.deviceId().equals("line-2")) {
                        stopDuringRun.set(false);
                        try {
                            running[0].close();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return OperatingLimits.between(0, 100);
                },
                new ForecastPoller.Settings(
                        Duration.ofSeconds(1),
                        Duration.ofDays(60),
                        Duration.ofDays(3),
                        Duration.ZERO,
                        Duration.ofDays(7),
                        Duration.ofSeconds(10)),
                Clock.fixed(T0.plus(Duration.ofHours(320)), ZoneOffset.UTC));

        ForecastPoller.RunReport first = poller.runOnce();
        assertTrue(first.completed());
        assertEquals(3, first.trained());
        assertEquals(3, first.forecasts());

        insert(db, 300, 305);
        stopDuringRun.set(true);
        ForecastPoller.RunReport interrupted = poller.runOnce();
        assertFalse(interrupted.completed(), "the run stops at the outage instead of throwing");
        ForecastPoller.RunReport whileDown = poller.runOnce();
        assertFalse(whileDown.completed());

        running[0] = startDb(dir, port);
        ForecastPoller.RunReport resumed = poller.runOnce();
        assertTrue(resumed.completed());
        ForecastPoller.RunReport idle = poller.runOnce();
        assertEquals(0, idle.forecasts(), "nothing new: nothing forecast again");

        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            for (SensorId s : SENSORS) {
                try (ResultSet rs =
                        st.executeQuery("SELECT based_on, count(*) FROM prognos.forecasts WHERE device_id = '"
                                + s.deviceId() + "' GROUP BY based_on ORDER BY based_on")) {
                    assertTrue(rs.next());
                    assertEquals(
                            T0.plus(Duration.ofHours(299)), rs.getTimestamp(1).toInstant(), s + " first forecast");
                    assertEquals(12, rs.getInt(2));
                    assertTrue(rs.next(), s + " lost its forecast from the new readings");
                    assertEquals(
                            T0.plus(Duration.ofHours(304)), rs.getTimestamp(1).toInstant());
                    assertEquals(12, rs.getInt(2));
                    assertFalse(rs.next());
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM prognos.risk_assessments")) {
                rs.next();
                assertEquals(6, rs.getInt(1), "one assessment per sensor and forecast origin");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM prognos.lstm_models")) {
                rs.next();
                assertEquals(3, rs.getInt(1));
            }
        }
        plugin.stop();
        db.close();
        running[0].close();
    }
}
