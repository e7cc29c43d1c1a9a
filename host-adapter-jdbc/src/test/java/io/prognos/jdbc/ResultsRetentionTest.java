package io.prognos.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastPoint;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.ScheduleEntry;
import io.prognos.api.SensorId;
import io.prognos.host.core.AlertEpisodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code jdbc.results-retention} against a real PostgreSQL: what goes, and what a sensor's state keeps. */
class ResultsRetentionTest {

    static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        pg.close();
    }

    static Map<String, String> config(String schema) {
        Map<String, String> c = new HashMap<>();
        c.put("jdbc.url", pg.getJdbcUrl("postgres", "postgres"));
        c.put("jdbc.schema", schema);
        return c;
    }

    static Instant hour(int h) {
        return T0.plus(Duration.ofHours(h));
    }

    /**
     * A forecast, its risk and its interval's anomaly score based on hour {@code h}, all made a month
     * after it (a backfill): the time of their readings is what counts.
     */
    static void assess(JdbcAdapter db, SensorId s, int h, RiskLevel level) {
        Instant basedOn = hour(h);
        Instant made = basedOn.plus(Duration.ofDays(30));
        List<ForecastPoint> points = new ArrayList<>();
        for (int k = 1; k <= 12; k++) {
            points.add(new ForecastPoint(basedOn.plus(Duration.ofHours(k)), k, 50, 45, 55));
        }
        Forecast f = new Forecast(s, made, basedOn, 50, Duration.ofHours(1), 0.9, "last", "", "v1", points);
        RiskAssessment r = new RiskAssessment(
                s,
                made,
                basedOn,
                level == RiskLevel.LOW ? 10 : 50,
                level,
                null,
                null,
                null,
                0.1,
                0.1,
                0,
                true,
                basedOn.plus(Duration.ofHours(12)),
                "check",
                List.of());
        db.results().write(f, r);
        db.results().write(List.of(new AnomalyScore(s, basedOn, made, 50, 0.1, 0.1, 0.1, 0.1, "")));
    }

    static void alert(JdbcAdapter db, SensorId s, String id, int h, String state, RiskLevel level, RiskLevel before) {
        db.results()
                .writeAlerts(
                        List.of(new AlertsTable.Row(s, id, state, level, before, hour(h), hour(h).plusSeconds(5))));
    }

    static long count(JdbcAdapter db, String table, SensorId s) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + db.schema() + "\"." + table
                        + (s == null ? "" : " WHERE device_id = '" + s.deviceId() + "'"))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Rows about readings before the cutoff go, but for what a sensor's current state is read from:
     * a sensor whose alert is still open keeps that alert and its risk rows since (so a restarted host
     * goes on with the same alert and the same hold), a sensor that went quiet keeps its newest risk
     * and the forecast drawn from it, and every sensor keeps its newest alert; the newest schedule
     * stays.
     */
    @Test
    void oldResultsGoButWhatEachSensorsStateIsReadFromStays() throws Exception {
        SensorId open = SensorId.of("pump-1", "temp");
        SensorId calm = SensorId.of("pump-2", "temp");
        SensorId quiet = SensorId.of("pump-3", "temp");
        try (JdbcAdapter db = JdbcAdapter.start(config("kept"))) {
            for (int h = 0; h < 10; h++) {
                assess(db, open, h, h == 4 || h == 5 ? RiskLevel.MEDIUM : RiskLevel.LOW);
                assess(db, calm, h, h >= 2 && h < 4 ? RiskLevel.MEDIUM : RiskLevel.LOW);
            }
            for (int h = 0; h < 3; h++) {
                assess(db, quiet, h, RiskLevel.LOW);
            }
            alert(db, open, "o-1", 4, "raised", RiskLevel.MEDIUM, RiskLevel.LOW);
            alert(db, calm, "c-1", 2, "raised", RiskLevel.MEDIUM, RiskLevel.LOW);
            alert(db, calm, "c-2", 5, "cleared", RiskLevel.LOW, RiskLevel.MEDIUM);
            db.results().write(hour(1), List.of(entry(calm)));
            db.results().write(hour(3), List.of(entry(calm)));
            // More old scores than one delete takes: the deletion goes on chunk by chunk.
            try (Connection c = db.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("INSERT INTO kept.anomaly_scores SELECT 'mill-9', 'rpm', timestamptz '2024-01-01' + i *"
                        + " interval '1 minute', timestamptz '2024-01-01' + i * interval '1 minute', 1, 0, 0, 0, 0,"
                        + " '' FROM generate_series(1, " + (ChunkedDeletion.CHUNK + 1) + ") i");
            }
            AlertEpisodes.Open before = db.alerts().open(open);
            assertEquals(new AlertEpisodes.Open(RiskLevel.MEDIUM, hour(5)), before);

            ResultsRetention retention = new ResultsRetention(db.dataSource(), "kept", () -> {}, Duration.ofDays(30));
            // Hosts sharing the database delete one at a time: while another holds the lock, none here.
            try (Connection other = db.dataSource().getConnection();
                    Statement st = other.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + ResultsRetention.LOCK_CLASS + ", hashtext('kept'))");
                RetentionRuns.Pruned meanwhile = retention.pruneBefore(hour(8));
                assertTrue(meanwhile.elsewhere());
                assertEquals(0, meanwhile.total());
                assertEquals(10, count(db, "risk_assessments", calm));
                st.execute("SELECT pg_advisory_unlock(" + ResultsRetention.LOCK_CLASS + ", hashtext('kept'))");
            }
            RetentionRuns.Pruned pruned = retention.pruneBefore(hour(8));
            assertFalse(pruned.elsewhere());

            assertEquals(6, count(db, "risk_assessments", open), "hours 4 to 9: from the open alert's raise on");
            assertEquals(2, count(db, "risk_assessments", calm), "hours 8 and 9: its alert was cleared");
            assertEquals(1, count(db, "risk_assessments", quiet), "its newest, older than the cutoff");
            assertEquals(2 * 12, count(db, "forecasts", open), "those based on the readings from the cutoff on");
            assertEquals(12, count(db, "forecasts", quiet), "the forecast of its newest risk");
            assertEquals(1, count(db, "alerts", open));
            assertEquals(1, count(db, "alerts", calm), "its newest, the clearing");
            assertEquals(2, count(db, "anomaly_scores", open), "by age alone");
            assertEquals(0, count(db, "anomaly_scores", quiet), "by age alone");
            assertEquals(0, count(db, "anomaly_scores", SensorId.of("mill-9", "rpm")));
            assertEquals(1, count(db, "maintenance_schedule", null), "the newest schedule");
            assertEquals(before, db.alerts().open(open), "the open alert goes on as it was");
            assertNull(db.alerts().open(calm));
            assertEquals(
                    Map.of(
                            "forecasts",
                            (8 + 8 + 2) * 12L,
                            "risk_assessments",
                            4 + 8 + 2L,
                            "alerts",
                            1L,
                            "anomaly_scores",
                            8 + 8 + 3L + ChunkedDeletion.CHUNK + 1,
                            "maintenance_schedule",
                            1L),
                    pruned.deleted());
            assertEquals(0, retention.pruneBefore(hour(8)).total(), "nothing more at the same cutoff");
        }
    }

    private static ScheduleEntry entry(SensorId s) {
        return new ScheduleEntry(1, s.deviceId(), s, RiskLevel.MEDIUM, 50, null, hour(12), "check");
    }

    /** Configured, the host deletes at its start what is older than the retention, without being asked. */
    @Test
    void anAdapterWithARetentionDeletesOldResultsAtItsStart() throws Exception {
        SensorId s = SensorId.of("fan-4", "current");
        try (JdbcAdapter db = JdbcAdapter.start(config("aged"))) {
            assess(db, s, 0, RiskLevel.LOW);
            assess(db, s, 1, RiskLevel.LOW);
        }
        Map<String, String> c = config("aged");
        c.put("jdbc.results-retention", "30d");
        try (JdbcAdapter db = JdbcAdapter.start(c)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Both: the scores are deleted after the risk rows.
            while ((count(db, "risk_assessments", s) > 1 || count(db, "anomaly_scores", s) > 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, count(db, "risk_assessments", s), "the newest stays");
            assertEquals(0, count(db, "anomaly_scores", s));
        }
    }

    @Test
    void aRetentionShorterThanADayIsRefusedNamingTheKey() {
        Map<String, String> c = config("short");
        c.put("jdbc.results-retention", "12h");
        var e = assertThrows(InvalidConfigurationException.class, () -> JdbcAdapter.start(c));
        assertEquals("jdbc.results-retention", e.problems().get(0).key(), e.getMessage());
    }
}
