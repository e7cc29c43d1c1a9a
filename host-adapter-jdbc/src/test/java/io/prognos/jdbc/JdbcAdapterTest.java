package io.prognos.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.AnomalyScore;
import io.prognos.api.ConfigProblem;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.ModelInfo;
import io.prognos.api.Observation;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.AlertEpisodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDBC adapter against a real PostgreSQL (embedded, PostgreSQL 14). */
class JdbcAdapterTest {

    static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    static EmbeddedPostgres pg;
    static JdbcAdapter adapter;

    static Map<String, String> config(String schema) {
        Map<String, String> c = new HashMap<>();
        c.put("jdbc.url", pg.getJdbcUrl("postgres", "postgres"));
        c.put("jdbc.user", "postgres");
        c.put("jdbc.password", "s3cret-pw");
        c.put("jdbc.schema", schema);
        return c;
    }

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        adapter = JdbcAdapter.start(config("prognos"));
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE sensor_readings (device_id text, sensor_key text, ts timestamptz,"
                    + " value double precision)");
        }
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        adapter.close();
        pg.close();
    }

    static List<Reading> seasonal(int n, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Reading(
                    T0.plus(Duration.ofHours(i)), 50 + 5 * Math.sin(2 * Math.PI * i / 24) + 0.3 * r.nextGaussian()));
        }
        return out;
    }

    static void insertReadings(SensorId s, List<Reading> readings) throws Exception {
        try (Connection c = adapter.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO sensor_readings VALUES (?, ?, ?, ?)")) {
            for (Reading r : readings) {
                ps.setString(1, s.deviceId());
                ps.setString(2, s.sensorKey());
                ps.setTimestamp(3, Timestamp.from(r.timestamp()));
                ps.setDouble(4, r.value());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static ForecastingPlugin plugin(JdbcModelStore store) {
        ForecastingPlugin p = PluginDiscovery.discover(JdbcAdapterTest.class.getClassLoader())
                .plugins()
                .get(0);
        p.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), store, Clock.systemUTC()));
        return p;
    }

    @Test
    void migrationsRunOnceAndANewerSchemaIsRefused() throws Exception {
        try (JdbcAdapter again = JdbcAdapter.start(config("prognos"))) {
            assertEquals(0, Migrations.migrate(again.dataSource(), "prognos"), "already at the latest version");
        }
        try (JdbcAdapter other = JdbcAdapter.start(config("tenant two"))) {
            try (Connection c = other.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("INSERT INTO \"tenant two\".prognos_schema_history (version, script) VALUES (99, 'future')");
            }
        }
        var e = assertThrows(IllegalStateException.class, () -> JdbcAdapter.start(config("tenant two")));
        assertTrue(e.getMessage().contains("version 99") && e.getMessage().contains("upgrade Prognos"), e.getMessage());
    }

    /**
     * In a rolling upgrade, a host of the release before starts on a schema the newer release
     * migrated when that release recorded that the older code reads it; else it refuses it.
     */
    @Test
    void aNewerSchemaIsUsedWhenItsMigrationSaysThisCodeStillReadsIt() throws Exception {
        int known = Migrations.MIGRATIONS.size();
        try (JdbcAdapter fresh = JdbcAdapter.start(config("rolling"));
                JdbcAdapter other = JdbcAdapter.start(config("rolling two"));
                Connection c = fresh.dataSource().getConnection();
                Statement st = c.createStatement()) {
            List<Integer> recorded = new ArrayList<>();
            try (ResultSet rs =
                    st.executeQuery("SELECT readable_from FROM rolling.prognos_schema_history ORDER BY version")) {
                while (rs.next()) {
                    recorded.add(rs.getInt(1));
                }
            }
            assertEquals(
                    List.of(1, 2, 3, 3, 3, 3, 3, 3, 3),
                    recorded,
                    "V4 only adds a trigger, V5 a table, V6 and V9 a column, V7 a table older code does not touch and V8"
                            + " indexes: V3's code reads them");
            st.execute("INSERT INTO rolling.prognos_schema_history (version, script, readable_from)" + " VALUES ("
                    + (known + 1) + ", 'a later release', " + known + ")");
            st.execute("INSERT INTO \"rolling two\".prognos_schema_history (version, script, readable_from)"
                    + " VALUES (" + (known + 1) + ", 'a later release', " + (known + 1) + ")");
        }
        try (JdbcAdapter older = JdbcAdapter.start(config("rolling"))) {
            assertEquals(List.of(), older.models().list(), "started on the newer schema, and reads it");
        }
        var e = assertThrows(IllegalStateException.class, () -> JdbcAdapter.start(config("rolling two")));
        assertTrue(e.getMessage().contains("needs code of version " + (known + 1)), e.getMessage());
    }

    /**
     * Limits set at run time are kept and read back; a row written by hand that holds no valid
     * limits is left out, not a failed start.
     */
    @Test
    void limitsSetAtRunTimeAreKeptAndABadRowWrittenByHandIsLeftOut() throws Exception {
        SensorId valve = SensorId.of("valve-1", "pressure");
        adapter.limits().save(valve, new OperatingLimits(10.0, null, 80.0, 90.0));
        adapter.limits().save(SensorId.of("gone", "t"), OperatingLimits.above(5));
        adapter.limits().delete(SensorId.of("gone", "t"));
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO prognos.sensor_limits (device_id, sensor_key, low, high)"
                    + " VALUES ('by-hand', 't', 100, 50)");
        }
        assertEquals(
                Map.of(valve, new OperatingLimits(10.0, null, 80.0, 90.0)),
                adapter.limits().load());
    }

    @Test
    void invalidConfigurationNamesTheKeys() {
        Map<String, String> c = config("prognos");
        c.put("jdbc.pool-size", "0");
        c.put("jdbc.colour", "blue");
        var e = assertThrows(InvalidConfigurationException.class, () -> JdbcAdapter.start(c));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret-pw"));
        Map<String, String> noUrl = config("prognos");
        noUrl.remove("jdbc.url");
        assertEquals(
                "jdbc.url",
                assertThrows(InvalidConfigurationException.class, () -> JdbcAdapter.start(noUrl))
                        .problems()
                        .get(0)
                        .key());
    }

    @Test
    void modelsSurviveInTheDatabaseAndGiveIdenticalForecasts() throws Exception {
        SensorId sensor = SensorId.of("press-4", "oil_temp");
        List<Reading> history = seasonal(400, 1);
        insertReadings(sensor, history);
        List<Reading> read = adapter.readings().read(sensor, T0, T0.plus(Duration.ofDays(30)));
        assertEquals(400, read.size());

        ForecastingPlugin first = plugin(adapter.models());
        ModelInfo trained = first.train(new TrainRequest(sensor, read));
        List<Reading> recent = read.subList(read.size() - 40, read.size());
        Forecast before = first.forecast(stateAfter(first, sensor, recent));
        first.stop();

        List<ModelInfo> listed = adapter.models().list();
        ModelInfo row = listed.stream()
                .filter(m -> m.sensor().equals(sensor))
                .findFirst()
                .orElseThrow();
        assertEquals(trained.modelVersion(), row.modelVersion());
        assertEquals(Duration.ofHours(1), row.interval());
        assertEquals(
                Duration.ofMinutes(30),
                row.intervalOffset(),
                "readings on the hour: the intervals' boundaries half an hour away from them");
        assertEquals(12, row.horizon());
        assertEquals(trained.servedMethod(), row.servedMethod());
        assertEquals(trained.metrics(), row.metrics(), "the plugin's figures survive the jsonb round trip");
        assertTrue(row.metrics().containsKey(ModelInfo.VAL_MAE), row.metrics().toString());
        assertEquals(
                Optional.of(row),
                adapter.models().info(sensor),
                "one model's metadata, read without its bytes, is what the list says");
        assertEquals(Optional.empty(), adapter.models().info(SensorId.of("press-4", "absent")));

        ForecastingPlugin second = plugin(adapter.models());
        Forecast after = second.forecast(stateAfter(second, sensor, recent));
        assertEquals(before.points(), after.points());
        second.stop();
        assertTrue(adapter.models().delete(sensor));
        assertTrue(adapter.models().load(sensor).isEmpty());
        assertTrue(adapter.models().info(sensor).isEmpty());
    }

    /**
     * A model's training options are kept with it, for a host that trains the sensor again to
     * repeat them; a model saved over the row by a host of the release before (which leaves the
     * column it does not know as it was) reads as trained without any, not with another model's.
     */
    @Test
    void aModelsTrainingOptionsAreKeptAndAnOlderHostsModelHasNone() throws Exception {
        SensorId sensor = SensorId.of("press-4", "options");
        Map<String, String> options = Map.of("interval", "1h", "forecast_horizon", "24");
        ModelInfo info = new ModelInfo(
                sensor,
                "v1",
                1,
                Duration.ofHours(1),
                Duration.ZERO,
                24,
                "blend",
                1000,
                1,
                T0,
                io.prognos.api.ModelStatus.READY,
                Map.of(),
                options);
        adapter.models().save(new StoredModel(info, new byte[] {1, 2, 3}, "c1"));
        assertEquals(options, adapter.models().info(sensor).orElseThrow().trainOptions());
        assertEquals(options, adapter.models().load(sensor).orElseThrow().info().trainOptions());
        assertEquals(
                options,
                adapter.models().list().stream()
                        .filter(m -> m.sensor().equals(sensor))
                        .findFirst()
                        .orElseThrow()
                        .trainOptions());
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            // What the upsert of a host before V6 does to the row: every column but train_options.
            st.execute("UPDATE prognos.lstm_models SET model_version = 'v2' WHERE sensor_key = 'options'");
        }
        assertEquals(Map.of(), adapter.models().info(sensor).orElseThrow().trainOptions());
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            for (String byHand : List.of(
                    "'null'",
                    "'[1]'",
                    "'{\"options\": 5, \"model_version\": \"v2\"}'",
                    "'{\"options\": {\"epochs\": null}, \"model_version\": \"v2\"}'")) {
                st.execute(
                        "UPDATE prognos.lstm_models SET train_options = " + byHand + " WHERE sensor_key = 'options'");
                assertEquals(
                        Map.of(),
                        adapter.models().info(sensor).orElseThrow().trainOptions(),
                        "a row edited by hand reads as trained with none: " + byHand);
            }
            st.execute("UPDATE prognos.lstm_models SET train_options ="
                    + " '{\"options\": {\"epochs\": 5}, \"model_version\": \"v2\"}' WHERE sensor_key = 'options'");
            assertEquals(
                    Map.of("epochs", "5"),
                    adapter.models().info(sensor).orElseThrow().trainOptions(),
                    "a number written by hand is taken as its text");
            for (String byHand : List.of("'null'", "'{\"val_mae\": null, \"mase\": 0.8}'")) {
                st.execute("UPDATE prognos.lstm_models SET metrics = " + byHand + " WHERE sensor_key = 'options'");
                assertEquals(
                        byHand.contains("mase") ? Map.of("mase", 0.8) : Map.of(),
                        adapter.models().info(sensor).orElseThrow().metrics(),
                        "figures edited by hand to null are left out, the model still listed: " + byHand);
            }
        }
        adapter.models().save(new StoredModel(model(sensor, Duration.ofHours(1), Map.of()), new byte[] {4}, "c2"));
        assertEquals(Map.of(), adapter.models().info(sensor).orElseThrow().trainOptions(), "trained without any");
        assertTrue(adapter.models().delete(sensor));
    }

    static SensorState stateAfter(ForecastingPlugin p, SensorId sensor, List<Reading> readings) {
        SensorState state = p.openState(sensor, null);
        p.observe(state, readings);
        return state;
    }

    @Test
    void readsTheDefaultTableAndListsItsSensors() throws Exception {
        SensorId a = SensorId.of("fan-9", "current");
        insertReadings(
                a,
                List.of(new Reading(T0, 1), new Reading(T0.plusSeconds(60), 2), new Reading(T0.plusSeconds(7200), 3)));
        List<Reading> window = adapter.readings().read(a, T0, T0.plusSeconds(3600));
        assertEquals(List.of(new Reading(T0, 1), new Reading(T0.plusSeconds(60), 2)), window);
        assertTrue(adapter.readings().sensors().contains(a));
        // The newest readings in a range, picked by the database (a sensor view), oldest first.
        assertEquals(
                List.of(new Reading(T0.plusSeconds(60), 2)), adapter.readings().newest(a, T0, T0.plusSeconds(3600), 1));
        assertEquals(
                List.of(new Reading(T0.plusSeconds(60), 2), new Reading(T0.plusSeconds(7200), 3)),
                adapter.readings().newest(a, T0, T0.plusSeconds(7201), 2));
        assertEquals(window, adapter.readings().newest(a, T0, T0.plusSeconds(3600), 5));
        assertEquals(List.of(), adapter.readings().newest(a, T0.plusSeconds(7201), T0.plusSeconds(9000), 5));
    }

    @Test
    void readsThingsBoardTsKvThroughItsDictionary() throws Exception {
        UUID entity = UUID.randomUUID();
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute(
                    "CREATE TABLE IF NOT EXISTS ts_kv_dictionary (key varchar(255) PRIMARY KEY, key_id serial UNIQUE)");
            st.execute(
                    "CREATE TABLE IF NOT EXISTS ts_kv (entity_id uuid NOT NULL, key int NOT NULL, ts bigint NOT NULL,"
                            + " bool_v boolean, str_v varchar(10000000), long_v bigint, dbl_v double precision, json_v json,"
                            + " PRIMARY KEY (entity_id, key, ts))");
            st.execute("INSERT INTO ts_kv_dictionary (key) VALUES ('temperature'), ('status')");
            long t = T0.toEpochMilli();
            st.execute("INSERT INTO ts_kv (entity_id, key, ts, dbl_v) SELECT '" + entity + "', key_id, " + t
                    + ", 21.5 FROM ts_kv_dictionary WHERE key = 'temperature'");
            st.execute("INSERT INTO ts_kv (entity_id, key, ts, long_v) SELECT '" + entity + "', key_id, " + (t + 60_000)
                    + ", 22 FROM ts_kv_dictionary WHERE key = 'temperature'");
            st.execute("INSERT INTO ts_kv (entity_id, key, ts, str_v) SELECT '" + entity + "', key_id, " + t
                    + ", 'ok' FROM ts_kv_dictionary WHERE key = 'status'");
        }
        Map<String, String> c = config("prognos");
        c.put("jdbc.readings-query", ReadingsSource.THINGSBOARD_QUERY);
        c.put("jdbc.sensors-query", ReadingsSource.THINGSBOARD_PAIRS_QUERY);
        try (JdbcAdapter tb = JdbcAdapter.start(c)) {
            SensorId s = SensorId.of(entity.toString(), "temperature");
            assertEquals(
                    List.of(new Reading(T0, 21.5), new Reading(T0.plusSeconds(60), 22)),
                    tb.readings().read(s, T0, T0.plusSeconds(3600)));
            assertEquals(List.of(s), tb.readings().sensors(), "text-only keys are not sensors");
            assertEquals(List.of(), tb.readings().check(), "ThingsBoard's queries describe as they run");
        }
    }

    /**
     * A plant's own queries are checked against the database before use: one it cannot run (a
     * table it does not have) or whose result lacks a column is named by its key (it was found at
     * the first training, as a 500), and a query that reads right passes.
     */
    @Test
    void aQueryTheDatabaseCannotRunOrThatLacksAColumnIsNamed() throws Exception {
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute(
                    "CREATE TABLE IF NOT EXISTS plant_devices (device_id text, sensor_key text, ts bigint, v float8)");
        }
        Map<String, String> c = config("prognos");
        c.put("jdbc.readings-query", "SELECT ts, v AS value FROM plant_readings WHERE device_id = :device_id");
        c.put("jdbc.sensors-query", "SELECT DISTINCT device_id FROM plant_devices");
        try (JdbcAdapter plant = JdbcAdapter.start(c)) {
            List<ConfigProblem> problems = plant.readings().check();
            assertEquals(
                    List.of("jdbc.readings-query", "jdbc.sensors-query"),
                    problems.stream().map(ConfigProblem::key).toList());
            assertTrue(problems.get(0).message().contains("plant_readings"), problems.toString());
            assertTrue(problems.get(1).message().contains("must return device_id and sensor_key"), problems.toString());
        }
        c.put(
                "jdbc.readings-query",
                "SELECT ts, v AS value FROM plant_devices WHERE device_id = :device_id AND ts >= :from_ms");
        c.put("jdbc.sensors-query", "SELECT DISTINCT device_id, sensor_key FROM plant_devices");
        try (JdbcAdapter plant = JdbcAdapter.start(c)) {
            assertEquals(List.of(), plant.readings().check());
        }
    }

    /**
     * Many data loggers write Unix seconds; an epoch column was read as milliseconds (readings of
     * January 1970, each dropped as late). It is read in whichever unit it is in, by size, as
     * payloads are, and {@code :from_s}/{@code :to_s} bound such a table's window; a fractional
     * column's rows past the window's end are not returned.
     */
    @Test
    void readsATableInEpochSeconds() throws Exception {
        long t = T0.getEpochSecond();
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE logger_rows (tag text, t bigint, t_frac double precision, v double precision)");
            st.execute("INSERT INTO logger_rows VALUES ('oven', " + t + ", " + t + ".25, 180), ('oven', " + (t + 60)
                    + ", " + (t + 60) + ".25, 181), ('oven', " + (t + 7200) + ", " + (t + 7200) + ".25, 182)");
        }
        SensorId oven = SensorId.of("oven", "temp");
        Map<String, String> c = config("prognos");
        c.put(
                "jdbc.readings-query",
                "SELECT t AS ts, v AS value FROM logger_rows WHERE tag = :device_id AND t >= :from_s AND t < :to_s"
                        + " ORDER BY t;"); // a semicolon, as a plant may end it
        try (JdbcAdapter seconds = JdbcAdapter.start(c)) {
            assertEquals(
                    List.of(new Reading(T0, 180), new Reading(T0.plusSeconds(60), 181)),
                    seconds.readings().read(oven, T0, T0.plusSeconds(3600)));
            assertEquals(
                    List.of(new Reading(T0.plusSeconds(60), 181)),
                    seconds.readings().newest(oven, T0, T0.plusSeconds(3600), 1));
        }
        c.put(
                "jdbc.readings-query",
                "SELECT t_frac AS ts, v AS value FROM logger_rows WHERE tag = :device_id AND t_frac >= :from_s"
                        + " AND t_frac < :to_s ORDER BY t_frac -- a comment at its end");
        try (JdbcAdapter fractions = JdbcAdapter.start(c)) {
            assertEquals(
                    List.of(new Reading(T0.plusMillis(250), 180)),
                    fractions.readings().read(oven, T0, T0.plusSeconds(60).plusMillis(100)));
            assertEquals(
                    List.of(new Reading(T0.plusMillis(250), 180)),
                    fractions.readings().newest(oven, T0, T0.plusSeconds(60).plusMillis(100), 5));
        }
    }

    /**
     * A training's history and a warm-up: the span's readings, or, for a sensor with some in it but
     * fewer than a training needs (one a day), its newest up to the count however old; a sensor
     * with none in the span is silent, and its old readings are not taken.
     */
    @Test
    void aSlowSensorsHistoryReachesBackToItsNewestReadings() throws Exception {
        // 365 daily readings of 'tank' up to T0; 'silent' has 100, the newest 40 days before T0.
        try (JdbcAdapter daily = readingRows(
                "daily_rows",
                "INSERT INTO daily_rows SELECT 'tank', timestamptz '" + T0 + "' - d * interval '1 day', d"
                        + " FROM generate_series(0, 364) d",
                "INSERT INTO daily_rows SELECT 'silent', timestamptz '" + T0 + "' - (d + 40) * interval"
                        + " '1 day', d FROM generate_series(0, 99) d")) {
            ReadingsSource r = daily.readings();
            Instant to = T0.plusSeconds(60);
            SensorId tank = SensorId.of("tank", "level");
            List<Reading> month = r.recentOrNewest(tank, to, Duration.ofDays(30), 65, 2048);
            assertEquals(365, month.size(), "fewer than 65 in 30 days: all 365 stored");
            assertEquals(T0.minus(Duration.ofDays(364)), month.get(0).timestamp(), "oldest first");
            assertEquals(T0, month.get(364).timestamp());
            assertEquals(
                    100,
                    r.recentOrNewest(tank, to, Duration.ofDays(30), 65, 100).size(),
                    "the newest 100");
            assertEquals(
                    T0.minus(Duration.ofDays(99)),
                    r.recentOrNewest(tank, to, Duration.ofDays(30), 65, 100)
                            .get(0)
                            .timestamp());
            assertEquals(
                    30,
                    r.recentOrNewest(tank, to, Duration.ofDays(30), 20, 2048).size(),
                    "enough in the span: the span");
            // At most the newest max of the span, oldest first (a 10 Hz sensor's month ran the heap out).
            assertEquals(
                    r.recentOrNewest(tank, to, Duration.ofDays(30), 10, 2048).subList(18, 30),
                    r.recentOrNewest(tank, to, Duration.ofDays(30), 10, 2048, 12));
            assertTrue(
                    r.recentOrNewest(SensorId.of("silent", "level"), to, Duration.ofDays(30), 65, 2048)
                            .isEmpty(),
                    "none in the span: silent");
            // A warm-up reads the newest of the span only (a context keeps no more), and as far back.
            List<Reading> warm = r.newestOfSpan(tank, to, Duration.ofDays(30), 20, 10);
            assertEquals(10, warm.size());
            assertEquals(T0.minus(Duration.ofDays(9)), warm.get(0).timestamp());
            assertEquals(
                    365, r.newestOfSpan(tank, to, Duration.ofDays(30), 65, 2048).size());
            assertTrue(r.newestOfSpan(SensorId.of("silent", "level"), to, Duration.ofDays(30), 65, 2048)
                    .isEmpty());
        }
    }

    /**
     * What a context starts from: the newest of the span, or, when those span fewer of the model's
     * intervals than a fresh state needs before its first forecast (a training's least, or the
     * model's own look-back when it says one), the readings back to that many, before the span too.
     * A model that looks back a season beyond the buffer was warmed from the buffer alone and waited
     * most of a day for its first forecast after each start.
     */
    @Test
    void aContextStartsWithAsManyOfItsModelsIntervalsAsAFreshStateNeeds() throws Exception {
        // Three days of minute readings up to T0: 4,321.
        try (JdbcAdapter minutes = readingRows(
                "minute_rows",
                "INSERT INTO minute_rows SELECT 'press', timestamptz '" + T0 + "' - m * interval '1 minute', m"
                        + " FROM generate_series(0, 4320) m")) {
            ReadingsSource r = minutes.readings();
            SensorId press = SensorId.of("press", "p");
            Instant to = T0.plusSeconds(60);
            Duration week = Duration.ofDays(7);
            assertEquals(100, r.forContext(press, to, week, 65, 100, () -> null).size(), "no model: the newest");
            assertTrue(
                    r.forContext(
                                    SensorId.of("none", "p"),
                                    to,
                                    week,
                                    65,
                                    100,
                                    () -> model(press, Duration.ofHours(1), Map.of()))
                            .isEmpty(),
                    "no readings: none");
            assertEquals(
                    100,
                    r.forContext(press, to, week, 65, 100, () -> model(press, Duration.ofMinutes(1), Map.of()))
                            .size(),
                    "100 minutes hold the 65 a minute model needs");
            List<Reading> season = r.forContext(
                    press,
                    to,
                    week,
                    65,
                    100,
                    () -> model(press, Duration.ofMinutes(1), Map.of(ModelInfo.CONTEXT_INTERVALS, 1500.0)));
            assertEquals(1501, season.size(), "back 1,500 minutes, the model's look-back");
            assertEquals(T0.minus(Duration.ofMinutes(1500)), season.get(0).timestamp());
            assertEquals(T0, season.get(1500).timestamp());
            assertEquals(
                    3901,
                    r.forContext(press, to, week, 65, 100, () -> model(press, Duration.ofHours(1), Map.of()))
                            .size(),
                    "an hourly model: back 65 hours");
            assertEquals(
                    3901, // 65 hours, though the span is two days
                    r.forContext(
                                    press,
                                    to,
                                    Duration.ofDays(2),
                                    65,
                                    100,
                                    () -> model(press, Duration.ofHours(1), Map.of()))
                            .size(),
                    "as far as the model looks, before the span too: the sensor reports");
        }
    }

    /** An adapter reading the table (tag, ts, v) made with the rows {@code inserts} write, tag the device. */
    /**
     * A read that fails part way (here out of heap at its third row) fails with its own error and
     * leaves the pooled connection as it was: the transaction it streamed in was left open, and
     * restoring the connection's read-only flag then failed with an SQLException that hid the error.
     */
    @Test
    void aReadThatFailsPartWayFailsWithItsOwnErrorAndLeavesTheConnectionUsable() throws Exception {
        try (JdbcAdapter db = readingRows(
                "failing_rows",
                "INSERT INTO failing_rows SELECT 'mill', timestamptz '" + T0 + "' - d * interval '1 hour', d"
                        + " FROM generate_series(0, 9) d")) {
            javax.sql.DataSource real = db.dataSource();
            java.util.concurrent.atomic.AtomicInteger rows = new java.util.concurrent.atomic.AtomicInteger();
            javax.sql.DataSource failing = proxy(
                    javax.sql.DataSource.class,
                    real,
                    (m, out) -> m.getName().equals("getConnection")
                            ? proxy(
                                    Connection.class,
                                    out,
                                    (m2, ps) -> m2.getName().equals("prepareStatement")
                                            ? proxy(
                                                    PreparedStatement.class,
                                                    ps,
                                                    (m3, rs) -> m3.getName().equals("executeQuery")
                                                            ? proxy(ResultSet.class, rs, (m4, r) -> {
                                                                if (m4.getName().equals("next")
                                                                        && rows.incrementAndGet() == 3) {
                                                                    throw new OutOfMemoryError(
                                                                            "simulated: Java heap space");
                                                                }
                                                                return r;
                                                            })
                                                            : rs)
                                            : ps)
                            : out);
            String sql = "SELECT ts, v AS value FROM failing_rows WHERE tag = :device_id AND ts >= :from AND ts < :to"
                    + " ORDER BY ts";
            ReadingsSource source = new ReadingsSource(failing, sql, ReadingsSource.DEFAULT_PAIRS_QUERY, 100);
            SensorId mill = SensorId.of("mill", "level");
            OutOfMemoryError e = assertThrows(
                    OutOfMemoryError.class, () -> source.read(mill, T0.minus(Duration.ofDays(1)), T0.plusSeconds(1)));
            assertEquals("simulated: Java heap space", e.getMessage());
            assertEquals(
                    10,
                    source.read(mill, T0.minus(Duration.ofDays(1)), T0.plusSeconds(1))
                            .size(),
                    "read again on the pool's connections");
        }
    }

    private interface Returned {
        Object of(java.lang.reflect.Method m, Object result) throws Throwable;
    }

    /** {@code target} behind {@code type}, each call's result passed through {@code returned}. */
    private static <T> T proxy(Class<T> type, Object target, Returned returned) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(
                JdbcAdapterTest.class.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
                    Object result;
                    try {
                        result = m.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    return returned.of(m, result);
                }));
    }

    private JdbcAdapter readingRows(String table, String... inserts) throws Exception {
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (tag text, ts timestamptz, v double precision)");
            for (String insert : inserts) {
                st.execute(insert);
            }
        }
        Map<String, String> c = config("prognos");
        c.put(
                "jdbc.readings-query",
                "SELECT ts, v AS value FROM " + table
                        + " WHERE tag = :device_id AND ts >= :from AND ts < :to ORDER BY ts");
        return JdbcAdapter.start(c);
    }

    private static ModelInfo model(SensorId sensor, Duration interval, Map<String, Double> metrics) {
        return new ModelInfo(
                sensor, "v1", 1, interval, 12, "blend", 1000, 1, T0, io.prognos.api.ModelStatus.READY, metrics);
    }

    /**
     * A plant's table of text columns, where a value may be a word ("ON", "n/a") and a time may be
     * garbled: such rows are not readings and are skipped, as a NULL value is; the read failed
     * whole, and the poller's run ended at that sensor, every sensor after it never forecast.
     */
    @Test
    void rowsOfTextThatIsNoNumberOrNoTimeAreSkipped() throws Exception {
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE text_rows (tag text, t text, v text)");
            st.execute("INSERT INTO text_rows VALUES ('kiln', '" + T0 + "', '1.5'), ('kiln', '" + T0.plusSeconds(60)
                    + "', 'ON'), ('kiln', 'not a time', '2.0'), ('kiln', '" + T0.plusSeconds(120) + "', '2.5')");
        }
        Map<String, String> c = config("prognos");
        c.put("jdbc.readings-query", "SELECT t AS ts, v AS value FROM text_rows WHERE tag = :device_id ORDER BY t");
        try (JdbcAdapter text = JdbcAdapter.start(c)) {
            assertEquals(
                    List.of(new Reading(T0, 1.5), new Reading(T0.plusSeconds(120), 2.5)),
                    text.readings().read(SensorId.of("kiln", "temp"), T0, T0.plusSeconds(3600)));
            // Text does not sort as time ("not a time" is its largest): the readings are read.
            assertEquals(
                    List.of(new Reading(T0.plusSeconds(120), 2.5)),
                    text.readings().newest(SensorId.of("kiln", "temp"), T0, T0.plusSeconds(3600), 1));
        }
    }

    /**
     * With more sensors than a restarted dashboard has room for, the riskiest are read back first:
     * by their newest risk's level, then its score (an older, higher risk does not count), then those
     * with none stored.
     */
    @Test
    void sensorsAreRankedByTheirNewestRisk() {
        List<SensorId> sensors = new ArrayList<>();
        Object[][] risks = {
            {"low", 30, RiskLevel.LOW},
            {"high", 70, RiskLevel.HIGH},
            {"medium", 50, RiskLevel.MEDIUM},
            {"medium-more", 55, RiskLevel.MEDIUM},
            {"was-high", 80, RiskLevel.HIGH}
        };
        for (Object[] r : risks) {
            SensorId s = SensorId.of("rank-" + r[0], "t");
            sensors.add(s);
            adapter.results().write(risk(s, T0, (Integer) r[1], (RiskLevel) r[2]), T0);
        }
        adapter.results()
                .write(
                        risk(SensorId.of("rank-was-high", "t"), T0.plusSeconds(3600), 10, RiskLevel.LOW),
                        T0.plusSeconds(3600));
        SensorId none = SensorId.of("rank-none", "t");
        sensors.add(0, none);
        assertEquals(
                List.of("rank-high", "rank-medium-more", "rank-medium"),
                adapter.latest().riskiest(sensors, 3).stream()
                        .map(SensorId::deviceId)
                        .toList());
        assertEquals(
                List.of("rank-high", "rank-medium-more", "rank-medium", "rank-low", "rank-was-high", "rank-none"),
                adapter.latest().riskiest(sensors, 10).stream()
                        .map(SensorId::deviceId)
                        .toList());
    }

    /**
     * A close by request is stored only once what must take it first has taken it (a Kafka host's
     * record to the task serving the sensor), told the level the alert was open at; asked again,
     * it has the same id; with none open it is neither sent nor stored. Kept with its note.
     */
    @Test
    void aCloseIsStoredOnlyOnceWhatMustTakeItFirstHasUnderOneIdAndIsNotSentWhenNoneIsOpen() {
        SensorId s = SensorId.of("kiln-9", "temp");
        adapter.results().write(risk(s, T0, 80, RiskLevel.HIGH), T0);
        adapter.results()
                .writeAlerts(List.of(
                        new AlertsTable.Row(s, "r-1", "raised", RiskLevel.HIGH, RiskLevel.LOW, T0, T0.plusSeconds(5))));
        IllegalStateException notTaken = new IllegalStateException("not taken within 5 s");
        Instant at = T0.plusSeconds(60);
        List<AlertsTable.Row> sent = new ArrayList<>();
        assertSame(
                notTaken,
                assertThrows(
                        IllegalStateException.class,
                        () -> adapter.alerts().close(s, at, "retired", open -> {
                            sent.add(open);
                            throw notTaken;
                        })));
        assertEquals(
                new AlertEpisodes.Open(RiskLevel.HIGH, T0), adapter.alerts().open(s), "not taken: still open");
        AlertsTable.Row closed = adapter.alerts().close(s, at, "retired", sent::add);
        assertEquals(2, sent.size(), sent.toString());
        assertEquals(RiskLevel.HIGH, sent.get(1).level(), "sent with the level it was open at");
        assertEquals(closed.alertId(), sent.get(1).alertId());
        // Published by the task though not stored, the close asked again goes out under the same
        // id: a subscriber drops it as a duplicate.
        assertEquals(sent.get(0).alertId(), closed.alertId(), "the same close, asked again, the same id");
        assertNotEquals("r-1", closed.alertId());
        assertNull(adapter.alerts().open(s), "closed");
        assertNull(adapter.alerts().close(s, at.plusSeconds(60), null, sent::add), "none open");
        assertEquals(2, sent.size(), "a close of none is not sent");
        List<AlertsTable.Stored> stored = adapter.alerts().of(List.of(s), 5).get(s);
        assertEquals(
                List.of("raised", "closed"),
                stored.stream().map(AlertsTable.Stored::state).toList());
        assertEquals(closed.alertId(), stored.get(1).alertId());
        assertEquals("retired", stored.get(1).note());
    }

    /**
     * The alert a sensor has open, read back for a host that starts to serve it: the newest stored
     * alert's level while it was raised and not cleared since, with the newest interval assessed at
     * medium or above after it (when the hold that clears it began), not the raise's own; none once
     * cleared. A retried write of an alert keeps one row.
     */
    @Test
    void theAlertASensorHasOpenIsReadBackWithItsLastAlertingInterval() throws Exception {
        SensorId s = SensorId.of("kiln-7", "temp");
        assertNull(adapter.alerts().open(s), "no alert stored");
        AlertsTable.Row raised =
                new AlertsTable.Row(s, "a-1", "raised", RiskLevel.MEDIUM, RiskLevel.LOW, T0, T0.plusSeconds(5));
        adapter.results().write(risk(s, T0, 50, RiskLevel.MEDIUM), T0);
        adapter.results().writeAlerts(List.of(raised));
        adapter.results().writeAlerts(List.of(raised));
        assertEquals(
                new AlertEpisodes.Open(RiskLevel.MEDIUM, T0), adapter.alerts().open(s));
        Instant hour = T0.plusSeconds(3600);
        adapter.results().write(risk(s, hour, 80, RiskLevel.HIGH), hour);
        adapter.results()
                .writeAlerts(List.of(new AlertsTable.Row(
                        s, "a-2", "raised", RiskLevel.HIGH, RiskLevel.MEDIUM, hour, hour.plusSeconds(5))));
        for (int h = 2; h <= 4; h++) {
            Instant t = T0.plusSeconds(3600L * h);
            adapter.results().write(risk(s, t, h == 4 ? 20 : 55, h == 4 ? RiskLevel.LOW : RiskLevel.MEDIUM), t);
        }
        assertEquals(
                new AlertEpisodes.Open(RiskLevel.HIGH, T0.plusSeconds(3 * 3600)),
                adapter.alerts().open(s),
                "raised to high, medium two hours more, then low");
        Instant cleared = T0.plusSeconds(16 * 3600);
        adapter.results()
                .writeAlerts(List.of(new AlertsTable.Row(
                        s, "a-3", "cleared", RiskLevel.LOW, RiskLevel.HIGH, cleared, cleared.plusSeconds(5))));
        assertNull(adapter.alerts().open(s), "cleared");
        assertEquals(
                List.of(cleared, hour),
                adapter.alerts().recent(2).stream()
                        .map(AlertsTable.Stored::basedOn)
                        .toList(),
                "the fleet's newest first");
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            assertEquals(3, count(st, "SELECT count(*) FROM prognos.alerts WHERE device_id = 'kiln-7'"));
            // A row written by hand at a level no release raises: left out, with a warning, not a failure.
            st.execute("INSERT INTO prognos.alerts VALUES ('by-hand', 'kiln-7', 'temp', 'raised', 'severe', 'low',"
                    + " '2025-03-02T00:00:00Z', '2025-03-02T00:00:05Z')");
        }
        assertNull(adapter.alerts().open(s), "a level no release raises: none to go on with");
        List<AlertsTable.Stored> listed = adapter.alerts().of(List.of(s), 20).get(s);
        assertEquals(
                List.of("raised", "raised", "cleared"),
                listed.stream().map(AlertsTable.Stored::state).toList());
        assertEquals(
                List.of(RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.LOW),
                listed.stream().map(AlertsTable.Stored::level).toList(),
                "oldest first");
        assertEquals("check", listed.get(1).recommendedAction(), "its risk's action");
    }

    private static RiskAssessment risk(SensorId s, Instant basedOn, int score, RiskLevel level) {
        return new RiskAssessment(
                s,
                basedOn.plusSeconds(5),
                basedOn,
                score,
                level,
                null,
                null,
                null,
                0.5,
                0.2,
                0,
                true,
                basedOn.plusSeconds(3600),
                "check",
                List.of());
    }

    @Test
    void resultsAreUpsertedSoARetryNeverDuplicates() throws Exception {
        SensorId sensor = SensorId.of("press-5", "oil_temp");
        ForecastingPlugin p = plugin(adapter.models());
        List<Reading> history = seasonal(300, 2);
        p.train(new TrainRequest(sensor, history));
        SensorState state = p.openState(sensor, null);
        Observation seen = p.observe(state, history.subList(200, 300));
        Forecast f = p.forecast(state);
        RiskAssessment r = p.assessRisk(f, state, OperatingLimits.between(0, 100));
        List<AnomalyScore> scores = seen.scores();
        assertFalse(scores.isEmpty(), "observing 100 hourly readings scores completed intervals");
        // The batched write (one transaction for many sensors' results) writes the same rows.
        adapter.results().write(List.of(new ResultsWriter.Assessed(f, r)), scores);
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            assertEquals(12, count(st, "SELECT count(*) FROM prognos.forecasts WHERE device_id = 'press-5'"));
            assertEquals(1, count(st, "SELECT count(*) FROM prognos.risk_assessments WHERE device_id = 'press-5'"));
            assertEquals(
                    scores.size(),
                    count(st, "SELECT count(*) FROM prognos.anomaly_scores WHERE device_id = 'press-5'"));
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            adapter.results().write(f, r);
            adapter.results().write(scores);
            adapter.results().write(r.assessedAt(), p.schedule(List.of(r), Duration.ofDays(7)));
        }
        p.observe(state, List.of(new Reading(T0.plus(Duration.ofHours(300)), 50)));
        Forecast next = p.forecast(state);
        RiskAssessment later = p.assessRisk(next, state, OperatingLimits.between(0, 52));
        adapter.results().write(later, next.lastObserved().plusSeconds(3600));
        p.stop();
        try (Connection c = adapter.dataSource().getConnection();
                Statement st = c.createStatement()) {
            assertEquals(12, count(st, "SELECT count(*) FROM prognos.forecasts WHERE device_id = 'press-5'"));
            assertEquals(2, count(st, "SELECT count(*) FROM prognos.risk_assessments WHERE device_id = 'press-5'"));
            assertEquals(
                    scores.size(),
                    count(st, "SELECT count(*) FROM prognos.anomaly_scores WHERE device_id = 'press-5'"),
                    "one row per scored interval, however often it is written");
            try (ResultSet rs =
                    st.executeQuery("SELECT level, score FROM prognos.risk_latest WHERE device_id = 'press-5'")) {
                assertTrue(rs.next());
                assertEquals(later.level().wireName(), rs.getString(1));
                assertFalse(rs.next(), "one latest row per sensor");
            }
        }
    }

    @Test
    void anUnavailableDatabaseIsRetryLaterWithoutCredentials() throws Exception {
        EmbeddedPostgres doomed = EmbeddedPostgres.builder().start();
        Map<String, String> c = config("prognos");
        c.put("jdbc.url", doomed.getJdbcUrl("postgres", "postgres"));
        c.put("jdbc.connect-timeout", "1s");
        try (JdbcAdapter a = JdbcAdapter.start(c)) {
            assertTrue(a.models().list().isEmpty());
            doomed.close();
            var e = assertThrows(RetryLaterException.class, () -> a.models().list());
            assertEquals(RetryLaterException.Reason.STORE_UNAVAILABLE, e.reason());
            assertFalse(e.getMessage().contains("s3cret-pw"), e.getMessage());
        }
    }

    /**
     * A server that stops answering without closing its connections (every process stopped, as a
     * paused virtual machine or a path dropped by a firewall leaves it): the statement fails after
     * {@code jdbc.socket-timeout} as an outage, and the pool is used again once it answers. Before the
     * timeout was set the read waited for TCP's keepalive, hours.
     */
    @Test
    void aDatabaseThatStopsAnsweringFailsTheStatementAfterTheSocketTimeout() throws Exception {
        try (EmbeddedPostgres frozen = EmbeddedPostgres.builder().start()) {
            Map<String, String> c = config("prognos");
            c.put("jdbc.url", frozen.getJdbcUrl("postgres", "postgres"));
            c.put("jdbc.socket-timeout", "2s");
            c.put("jdbc.connect-timeout", "1s");
            SensorId valve = SensorId.of("valve-2", "pressure");
            try (JdbcAdapter a = JdbcAdapter.start(c)) {
                a.limits().save(valve, OperatingLimits.above(90));
                List<String> server = serverProcesses(a);
                signal("STOP", server);
                try {
                    long start = System.nanoTime();
                    RetryLaterException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                            Duration.ofSeconds(60),
                            () -> assertThrows(
                                    RetryLaterException.class,
                                    () -> a.limits().save(valve, OperatingLimits.above(95))));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertEquals(RetryLaterException.Reason.STORE_UNAVAILABLE, e.reason());
                    assertTrue(seconds >= 1.5, "failed after " + seconds + " s, before the socket timeout");
                    assertTrue(e.getMessage().contains("no answer within jdbc.socket-timeout"), e.getMessage());
                    // The server makes the change it holds when it answers again: the user is told so.
                    assertTrue(e.getMessage().contains("may yet be made"), e.getMessage());
                    // Its connection dropped, the next waits jdbc.connect-timeout for a new one.
                    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                            Duration.ofSeconds(60),
                            () -> assertThrows(
                                    RetryLaterException.class, () -> a.limits().load()));
                } finally {
                    signal("CONT", server);
                }
                Map<SensorId, OperatingLimits> read = null;
                for (int attempt = 0; attempt < 20 && read == null; attempt++) {
                    try {
                        read = a.limits().load();
                    } catch (RetryLaterException notYet) {
                        Thread.sleep(500);
                    }
                }
                assertEquals(java.util.Set.of(valve), read.keySet(), "read again once it answers");
            }
        }
    }

    /** The server's postmaster and every process under it, found from a backend of the pool. */
    private static List<String> serverProcesses(JdbcAdapter a) throws Exception {
        long backend;
        try (Connection c = a.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            backend = rs.getLong(1);
        }
        ProcessHandle postmaster =
                ProcessHandle.of(backend).orElseThrow().parent().orElseThrow();
        List<String> pids = new ArrayList<>(List.of(Long.toString(postmaster.pid())));
        postmaster.descendants().forEach(p -> pids.add(Long.toString(p.pid())));
        return pids;
    }

    private static void signal(String name, List<String> pids) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + name));
        cmd.addAll(pids);
        assertEquals(0, new ProcessBuilder(cmd).inheritIO().start().waitFor(), "kill -" + name + " " + pids);
    }

    @Test
    void aDatabaseDownAtStartDoesNotFailTheStartAndIsMigratedWhenItComesBack() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> c = config("prognos");
        c.put("jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres&password=url-secret");
        c.put("jdbc.connect-timeout", "1s");
        try (JdbcAdapter a = JdbcAdapter.start(c)) {
            var e = assertThrows(RetryLaterException.class, () -> a.models().list());
            assertFalse(e.getMessage().contains("url-secret") || e.getMessage().contains("s3cret-pw"), e.getMessage());
            try (EmbeddedPostgres late =
                    EmbeddedPostgres.builder().setPort(port).start()) {
                // RetryLater means what it says: the pool reconnects within a few attempts.
                List<ModelInfo> listed = null;
                for (int attempt = 0; attempt < 15 && listed == null; attempt++) {
                    try {
                        listed = a.models().list();
                    } catch (RetryLaterException notYet) {
                        Thread.sleep(500);
                    }
                }
                assertTrue(listed != null && listed.isEmpty(), "migrated on first use once the database is up");
            }
        }
        assertFalse(JdbcAdapter.masked(c).toString().contains("url-secret"));
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
