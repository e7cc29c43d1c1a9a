package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.jdbc.ChunkedDeletion;
import io.prognos.jdbc.RetentionRuns;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code prognos.readings-retention}: the host's stored readings stop growing, and what a training
 * and a restart read stays.
 */
class ReadingsRetentionTest {

    static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    static final Instant CUTOFF = T0.plus(Duration.ofDays(30));
    static final int KEEP = 100;

    private static EmbeddedDatabase db;
    private static PGSimpleDataSource ds;

    @BeforeAll
    static void start() throws Exception {
        db = EmbeddedDatabase.start(HostFixture.dataDir());
        ds = new PGSimpleDataSource();
        ds.setUrl(db.jdbcUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    /** {@code n} readings {@code step} apart from {@code first}. */
    static List<Reading> every(Duration step, Instant first, int n) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Reading(first.plus(step.multipliedBy(i)), i));
        }
        return out;
    }

    static int count(DataSource ds, String device, String key) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM sensor_readings WHERE device_id = ? AND sensor_key = ?")) {
            ps.setString(1, device);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static Instant oldest(DataSource ds, SensorId s) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT min(ts) FROM sensor_readings WHERE device_id = ? AND sensor_key = ?")) {
            ps.setString(1, s.deviceId());
            ps.setString(2, s.sensorKey());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    @Test
    void oldReadingsGoButEachSensorKeepsItsNewest() throws Exception {
        ReadingsTable table = new ReadingsTable(ds);
        SensorId hourly = SensorId.of("press-1", "temp");
        SensorId daily = SensorId.of("tank-2", "level");
        SensorId few = SensorId.of("pump-3", "rpm");
        SensorId busy = SensorId.of("fan-4", "speed");
        table.append(hourly, every(Duration.ofHours(1), T0, 60 * 24));
        // 200 days, the newest 30 after the cutoff: fewer than a training needs in the retention.
        table.append(daily, every(Duration.ofDays(1), CUTOFF.minus(Duration.ofDays(170)), 200));
        table.append(few, every(Duration.ofDays(1), T0.minus(Duration.ofDays(100)), 50));
        // More to delete than one chunk holds: the deletion goes on past a full chunk.
        table.append(busy, every(Duration.ofMinutes(1), T0, ChunkedDeletion.CHUNK + 150));
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            // Written by another program under an id the host refuses (blank): deleted by age too.
            st.execute("INSERT INTO sensor_readings SELECT ' ', 'x', timestamptz '2025-01-01' + i * interval '1 hour',"
                    + " i FROM generate_series(1, 150) i");
        }

        ReadingsRetention retention = new ReadingsRetention(ds, table, Duration.ofDays(30), KEEP);
        // Hosts sharing the database delete one at a time: while another holds the lock, none here.
        try (Connection other = ds.getConnection();
                Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + ReadingsRetention.LOCK_CLASS + ", hashtext('sensor_readings'))");
            RetentionRuns.Pruned meanwhile = retention.pruneBefore(CUTOFF);
            assertTrue(meanwhile.elsewhere());
            assertEquals(0, meanwhile.total());
            assertEquals(60 * 24, table.count(hourly));
            st.execute("SELECT pg_advisory_unlock(" + ReadingsRetention.LOCK_CLASS + ", hashtext('sensor_readings'))");
        }

        RetentionRuns.Pruned pruned = retention.pruneBefore(CUTOFF);
        assertFalse(pruned.elsewhere());
        assertEquals(30 * 24, table.count(hourly), "the 30 days from the cutoff on");
        assertEquals(CUTOFF, oldest(ds, hourly));
        assertEquals(KEEP, table.count(daily), "its newest, 70 of them older than the cutoff");
        assertEquals(CUTOFF.minus(Duration.ofDays(70)), oldest(ds, daily));
        assertEquals(50, table.count(few), "fewer than it keeps: all of them");
        assertEquals(KEEP, table.count(busy));
        assertEquals(
                T0.plus(Duration.ofMinutes(ChunkedDeletion.CHUNK + 150 - KEEP)),
                oldest(ds, busy),
                "its newest, the old ones gone over two chunks");
        assertEquals(KEEP, count(ds, " ", "x"));
        assertEquals(Map.of("sensor_readings", 30 * 24 + 100 + ChunkedDeletion.CHUNK + 50 + 50L), pruned.deleted());
        assertEquals(0, retention.pruneBefore(CUTOFF).total(), "nothing more at the same cutoff");
    }

    @Test
    void aHostWithARetentionDeletesOldReadingsAtItsStart() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dir);
        config.put("cycle.buffer-size", "16");
        SensorId gone = SensorId.of("kiln-5", "temp");
        SensorId recent = SensorId.of("kiln-5", "draft");
        Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.STORE_ONLY)) {
            HostFixture.store(host, gone, every(Duration.ofHours(1), now.minus(Duration.ofDays(50)), 300));
            HostFixture.store(host, recent, every(Duration.ofHours(1), now.minus(Duration.ofDays(10)), 200));
        }
        config.put("prognos.readings-retention", "30d");
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.STORE_ONLY)) {
            ReadingsTable table = new ReadingsTable(host.jdbc().dataSource());
            // What a plant's meters read (GET /metrics): the rows deleted once the run has ended.
            FunctionCounter deleted = host.metrics()
                    .get("prognos.retention.deleted")
                    .tag("what", "readings")
                    .functionCounter();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (deleted.count() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(16, table.count(gone), "its newest cycle.buffer-size, all older than 30 days");
            assertEquals(200, table.count(recent));
            assertEquals(300 - 16, deleted.count());
            assertEquals(
                    0,
                    host.metrics()
                            .get("prognos.retention.failing")
                            .tag("what", "readings")
                            .gauge()
                            .value());
        }
    }

    @Test
    void aRetentionShorterThanWhatATrainingReadsIsRefusedNamingTheKey() throws Exception {
        Map<String, String> config = HostFixture.config(HostFixture.dataDir());
        config.put("prognos.readings-retention", "7d");
        InvalidConfigurationException e = assertThrows(
                InvalidConfigurationException.class, () -> HostFixture.start(config, HostRuntime.Parts.STORE_ONLY));
        assertTrue(
                e.getMessage().contains("prognos.readings-retention: at least prognos.history (30d)"), e.getMessage());
        config.put("prognos.history", "5d");
        config.put("prognos.forecast-lookback", "10d");
        InvalidConfigurationException lookback = assertThrows(
                InvalidConfigurationException.class, () -> HostFixture.start(config, HostRuntime.Parts.STORE_ONLY));
        assertTrue(
                lookback.getMessage().contains("prognos.readings-retention: at least prognos.forecast-lookback (10d)"),
                lookback.getMessage());
        config.put("prognos.readings-retention", "12h");
        InvalidConfigurationException hours = assertThrows(
                InvalidConfigurationException.class, () -> HostFixture.start(config, HostRuntime.Parts.STORE_ONLY));
        assertTrue(hours.getMessage().contains("prognos.readings-retention"), hours.getMessage());
    }
}
