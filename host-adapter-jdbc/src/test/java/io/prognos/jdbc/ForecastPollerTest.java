package io.prognos.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InsufficientHistoryException;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PluginContext;
import io.prognos.api.PluginDiscovery;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.TrainingHolds;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poller across a database restart in the middle of a run (no result lost, none duplicated), and
 * over a table with rows that are not readings.
 */
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

    private static final ForecastPoller.Settings SETTINGS = settings(2048);

    /** Polled every second, trained on 60 days, forecast from 3, keeping {@code newestReadings}. */
    private static ForecastPoller.Settings settings(int newestReadings) {
        return new ForecastPoller.Settings(
                Duration.ofSeconds(1),
                Duration.ofDays(60),
                Duration.ofDays(3),
                Duration.ZERO,
                Duration.ofDays(7),
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                newestReadings);
    }

    /** The adapter on the database configured, with a readings table holding hours 0-299 of every sensor. */
    private static JdbcAdapter withReadings(Map<String, String> config) throws Exception {
        JdbcAdapter db = JdbcAdapter.start(config);
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE sensor_readings (device_id text, sensor_key text, ts timestamptz,"
                    + " value double precision)");
        }
        insert(db, 0, 300);
        return db;
    }

    private static ForecastingPlugin started(JdbcAdapter db) {
        return started(db, Map.of());
    }

    private static ForecastingPlugin started(JdbcAdapter db, Map<String, String> pluginConfig) {
        ForecastingPlugin plugin = PluginDiscovery.discover(ForecastPollerTest.class.getClassLoader())
                .plugins()
                .get(0);
        plugin.start(new PluginContext(pluginConfig, new ThreadLimits(1, 1), db.models(), Clock.systemUTC()));
        return plugin;
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

    /**
     * A polled sensor's alert is stored, and a poller started afresh on the database (the host
     * restarted) goes on with it: not raised again while the risk stands. It raised every open
     * alert again under a new id after each restart.
     */
    @Test
    void anAlertThePollerRaisedIsStoredAndNotRaisedAgainAfterARestart() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin plugin = started(db);
            List<String> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();
            io.prognos.host.core.SensorCycle.Listener told = new io.prognos.host.core.SensorCycle.Listener() {
                @Override
                public void result(io.prognos.host.core.SensorCycle.Result r) {
                    if (r.alert() != null) {
                        alerts.add(r.risk().sensor() + " " + r.alert().state());
                    }
                }
            };
            for (int run = 0; run < 2; run++) {
                // Readings of 40 +- 3 against a high limit of 30: the risk stands at every run.
                ForecastPoller poller = new ForecastPoller(
                        plugin,
                        db,
                        s -> OperatingLimits.between(0, 30),
                        SETTINGS,
                        Clock.fixed(T0.plus(Duration.ofHours(300 + 2 * run)), ZoneOffset.UTC),
                        told,
                        s -> false,
                        1);
                assertEquals(3, poller.runOnce().forecasts());
                poller.close();
                insert(db, 300 + 2 * run, 302 + 2 * run);
            }
            assertEquals(SENSORS.stream().map(s -> s + " raised").toList(), alerts, "raised once, at the first run");
            assertEquals(3, count(db, "SELECT count(*) FROM prognos.alerts WHERE state = 'raised'"), "stored");

            // One's alert closed by a request (the host's AlertClosing): the episode of the poller's
            // context ends with it, and the risk still standing raises a new alert at the next run.
            ForecastPoller poller = new ForecastPoller(
                    plugin,
                    db,
                    s -> OperatingLimits.between(0, 30),
                    SETTINGS,
                    Clock.fixed(T0.plus(Duration.ofHours(306)), ZoneOffset.UTC),
                    told,
                    s -> false,
                    1);
            assertEquals(3, poller.runOnce().forecasts());
            SensorId first = SENSORS.get(0);
            assertEquals(
                    "closed",
                    db.alerts().close(first, Instant.now(), null, closing -> {}).state());
            poller.endAlertEpisode(first);
            insert(db, 304, 306);
            assertEquals(3, poller.runOnce().forecasts());
            poller.close();
            List<String> expected =
                    new ArrayList<>(SENSORS.stream().map(s -> s + " raised").toList());
            expected.add(first + " raised");
            assertEquals(expected, alerts, "raised again after the close, the others going on");
            plugin.stop();
            db.close();
        }
    }

    /**
     * A polled sensor's context keeps the newest readings the host keeps for a sensor (its
     * cycle.buffer-size, here 20), and its state is still warmed with as many intervals as its
     * forecast needs: it kept up to 100,000, 2 MB a sensor, and a first run of 50 sensors of
     * ten-second readings with a week stored failed 20 of their trainings for want of heap at
     * -Xmx512m.
     */
    @Test
    void aPolledSensorsContextKeepsTheHostsBufferAndStillForecasts() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin plugin = started(db);
            ForecastPoller.Settings twenty = settings(20);
            ForecastPoller poller = new ForecastPoller(
                    plugin,
                    db,
                    s -> OperatingLimits.between(0, 100),
                    twenty,
                    Clock.fixed(T0.plus(Duration.ofHours(300)), ZoneOffset.UTC));
            ForecastPoller.RunReport run = poller.runOnce();
            assertEquals(3, run.trained());
            assertEquals(3, run.forecasts(), "warmed with the 3 days read back, not the 20 kept");
            for (SensorId s : SENSORS) {
                assertEquals(20, poller.context(s).buffered(), s.toString());
                assertEquals(null, poller.trainingProblem(s), "trained: no problem for its view");
            }
            poller.close();
            plugin.stop();
            db.close();
        }
    }

    /**
     * A polled sensor set to report every 4 hours instead of every hour is trained again at 4 hours
     * at the run after 30 such readings: the poller trained only sensors without a model or due for
     * retraining (weekly here), so it went on being modelled hourly. Its weekly retraining then
     * repeats the options its model was trained with: a model a user trained with a horizon of 6
     * was replaced by one of the plugin's 12 steps.
     */
    @Test
    void aSensorWhoseReadingsChangeCadenceIsTrainedAgainAtItsNewInterval() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin plugin = started(db);
            Instant[] now = {T0.plus(Duration.ofHours(320))};
            ForecastPoller poller = retrainedWeekly(plugin, db, now);
            assertEquals(3, poller.runOnce().trained());
            for (SensorId s : SENSORS) {
                assertEquals(Duration.ofHours(1), plugin.model(s).orElseThrow().interval());
            }
            insertEvery(db, 4, 300, 332);
            now[0] = T0.plus(Duration.ofHours(430));
            assertEquals(0, poller.runOnce().trained(), "hourly models after 32 four-hourly readings");
            insertEvery(db, 4, 332, 333);
            now[0] = T0.plus(Duration.ofHours(440));
            assertEquals(3, poller.runOnce().trained());
            for (SensorId s : SENSORS) {
                assertEquals(Duration.ofHours(4), plugin.model(s).orElseThrow().interval(), s.toString());
            }
            insertEvery(db, 4, 333, 340);
            now[0] = T0.plus(Duration.ofHours(470));
            assertEquals(0, poller.runOnce().trained(), "trained once for the change");

            SensorId asked = SENSORS.get(0);
            Map<String, String> options = Map.of("forecast_horizon", "6");
            plugin.train(new TrainRequest(asked, db.readings().read(asked, T0, now[0]), options));
            insertEvery(db, 4, 340, 341);
            now[0] = T0.plus(Duration.ofHours(440)).plus(Duration.ofDays(8));
            assertEquals(3, poller.runOnce().trained(), "a week after their last training");
            assertEquals(6, plugin.model(asked).orElseThrow().horizon());
            assertEquals(options, plugin.model(asked).orElseThrow().trainOptions());
            assertEquals(12, plugin.model(SENSORS.get(1)).orElseThrow().horizon(), "trained without options");
            plugin.stop();
            db.close();
        }
    }

    /** A poller that retrains every sensor a week after its last training, its clock at {@code now[0]}. */
    private static ForecastPoller retrainedWeekly(ForecastingPlugin plugin, JdbcAdapter db, Instant[] now) {
        return retrainedWeekly(plugin, db, now, System::nanoTime);
    }

    /** The same, with the monotonic clock of its holds. */
    private static ForecastPoller retrainedWeekly(
            ForecastingPlugin plugin, JdbcAdapter db, Instant[] now, java.util.function.LongSupplier nanos) {
        ForecastPoller.Settings weekly = new ForecastPoller.Settings(
                SETTINGS.every(),
                SETTINGS.trainingHistory(),
                SETTINGS.forecastLookback(),
                Duration.ofDays(7),
                SETTINGS.scheduleWindow(),
                SETTINGS.maxBackoff(),
                SETTINGS.maxFutureSkew(),
                SETTINGS.newestReadings());
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        return new ForecastPoller(
                plugin,
                db,
                s -> OperatingLimits.between(0, 100),
                weekly,
                clock,
                new io.prognos.host.core.SensorCycle.Listener() {},
                s -> false,
                1,
                nanos);
    }

    /**
     * A sensor whose scheduled retraining fails is forecast with the model it has, and its view
     * says why: the failure skipped its new readings and moved the watermark past them, at every
     * run while it failed (a sensor whose retraining ran out of heap, or waited for newer readings
     * after a refusal, had no forecast and no anomaly score for as long).
     */
    @Test
    void aSensorWhoseRetrainingFailsIsForecastWithItsModelAndSaysWhy() throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin real = started(db);
            SensorId failing = SENSORS.get(0);
            Throwable[] failure = {null};
            ForecastingPlugin plugin = around(real, (method, args) -> {
                if (failure[0] != null && trainingOf(failing).test(method, args)) {
                    throw failure[0];
                }
            });
            Instant[] now = {T0.plus(Duration.ofHours(320))};
            java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
            ForecastPoller poller = retrainedWeekly(plugin, db, now, nanos::get);
            assertEquals(3, poller.runOnce().trained());
            ModelInfo model = real.model(failing).orElseThrow();
            failure[0] = new OutOfMemoryError("simulated: Java heap space");
            Instant due = T0.plus(Duration.ofHours(320 + 7 * 24 + 1));
            for (int run = 0; run < 4; run++) {
                if (run == 2) {
                    // Then refused, newer readings to mend it from hour 345 on: run 3 waits for them.
                    failure[0] = new InsufficientHistoryException(
                            failing, 65, 40, "training", "", null, T0.plus(Duration.ofHours(345)));
                }
                insertEvery(db, 1, 300 + 10 * run, 310 + 10 * run);
                now[0] = due.plus(Duration.ofHours(10L * run));
                // Past the holds after one or two failures (1 and 2 min), within a wait (an hour).
                nanos.addAndGet(Duration.ofMinutes(30).toNanos());
                ForecastPoller.RunReport r = poller.runOnce();
                assertEquals(3, r.forecasts(), "run " + run + ": forecast with the model it has");
                assertEquals(
                        model.trainedAt(), real.model(failing).orElseThrow().trainedAt());
                List<Reading> handed = poller.context(failing).readings();
                assertEquals(
                        T0.plus(Duration.ofHours(309 + 10 * run)),
                        handed.get(handed.size() - 1).timestamp(),
                        "its readings handed on");
            }
            String problem = poller.trainingProblem(failing).message();
            assertTrue(problem.startsWith(failing + ": training needs at least 65"), problem);
            assertEquals(model.trainedAt(), poller.trainingProblem(failing).replaced(), "the model it left serving");
            List<String> warnings = warnings(logged);
            assertEquals(2, warnings.size(), "each kind of failure told once: " + warnings);
            assertTrue(
                    warnings.get(0).contains("ran out of heap memory (simulated: Java heap space)"), warnings.get(0));

            failure[0] = null;
            insertEvery(db, 1, 340, 346);
            now[0] = due.plus(Duration.ofHours(50));
            assertEquals(1, poller.runOnce().trained(), "trained once a reading as new as the plugin said came");
            assertEquals(null, poller.trainingProblem(failing));
            real.stop();
            db.close();
        }
    }

    /** Readings {@code from} to {@code to} (exclusive) of every sensor, {@code hours} apart after hour 300. */
    private static void insertEvery(JdbcAdapter db, int hours, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            for (SensorId s : SENSORS) {
                insertOne(db, s, T0.plus(Duration.ofHours(300 + (long) hours * (i - 300))), 40 + Math.sin(i));
            }
        }
    }

    /**
     * A run that fails with an error, not an exception (out of memory on a sensor's readings), is
     * told and the poller runs again: thrown out of the scheduled task, it ended the schedule unseen
     * and the poller never ran again.
     */
    @Test
    void aRunThatFailsWithAnErrorIsToldAndThePollerRunsAgain() throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin real = started(db);
            java.util.concurrent.atomic.AtomicBoolean thrown = new java.util.concurrent.atomic.AtomicBoolean();
            ForecastingPlugin plugin =
                    failingOnce(real, (method, args) -> method.getName().equals("model"), thrown);
            try (ForecastPoller poller = poller(plugin, db, T0.plus(Duration.ofHours(320)))) {
                poller.start();
                long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (poller.lastRun() == null && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                assertTrue(thrown.get());
                assertNotNull(poller.lastRun(), "ran again after the error");
                assertEquals(3, poller.lastRun().report().trained());
            }
            assertTrue(
                    logged.events().list.stream()
                            .anyMatch(e -> e.getLevel() == Level.ERROR
                                    && e.getFormattedMessage().contains("simulated: Java heap space")),
                    "the error told");
            real.stop();
            db.close();
        }
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheSetting() {
        Duration d = Duration.ofSeconds(1);
        IllegalArgumentException noSkew = assertThrows(
                IllegalArgumentException.class, () -> new ForecastPoller.Settings(d, d, d, d, d, d, null, 1));
        assertTrue(noSkew.getMessage().contains("maxFutureSkew"), noSkew.getMessage());
        IllegalArgumentException noPause = assertThrows(
                IllegalArgumentException.class, () -> new ForecastPoller.Settings(Duration.ZERO, d, d, d, d, d, d, 1));
        assertTrue(noPause.getMessage().contains("every"), noPause.getMessage());
        IllegalArgumentException noReadings =
                assertThrows(IllegalArgumentException.class, () -> new ForecastPoller.Settings(d, d, d, d, d, d, d, 0));
        assertTrue(noReadings.getMessage().contains("newestReadings"), noReadings.getMessage());
        new ForecastPoller.Settings(d, d, d, Duration.ZERO, d, d, Duration.ZERO, 1); // never retrain, no skew
    }

    /**
     * New sensors are trained {@code trainingThreads} at a time: each of the first two trainings
     * waits (up to 60 s) until the other has begun, which one at a time never happens.
     */
    @Test
    void sensorsAreTrainedInParallelAndEachIsForecastInTheSameRun() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin real = PluginDiscovery.discover(ForecastPollerTest.class.getClassLoader())
                    .plugins()
                    .get(0);
            real.start(new PluginContext(Map.of(), new ThreadLimits(2, 1), db.models(), Clock.systemUTC()));
            java.util.concurrent.CountDownLatch begun = new java.util.concurrent.CountDownLatch(2);
            java.util.concurrent.atomic.AtomicInteger alone = new java.util.concurrent.atomic.AtomicInteger();
            ForecastingPlugin plugin = around(real, (method, args) -> {
                if (method.getName().equals("train")) {
                    begun.countDown();
                    if (!begun.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                        alone.incrementAndGet();
                    }
                }
            });
            try (ForecastPoller poller = new ForecastPoller(
                    plugin,
                    db,
                    s -> OperatingLimits.between(0, 100),
                    SETTINGS,
                    Clock.fixed(T0.plus(Duration.ofHours(320)), ZoneOffset.UTC),
                    new io.prognos.host.core.SensorCycle.Listener() {},
                    s -> false,
                    2)) {
                ForecastPoller.RunReport run = poller.runOnce();
                assertEquals(0, alone.get(), "a training waited alone: trained one at a time");
                assertEquals(new ForecastPoller.RunReport(3, 3, 3, 0, true), run);
            }
            assertEquals(
                    3,
                    count(db, "SELECT count(DISTINCT device_id) FROM prognos.forecasts"),
                    "every sensor's forecast written");
            real.stop();
            db.close();
        }
    }

    @Test
    void aDatabaseRestartMidRunLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedPostgres pg = startDb(dir, port);
        Map<String, String> config = configFor(pg);
        config.put("jdbc.connect-timeout", "1s");
        JdbcAdapter db = withReadings(config);
        ForecastingPlugin plugin = started(db);
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
                SETTINGS,
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
        // Polled again as the host polls after an outage, until a run completes. The first can still
        // meet a connection the restart dropped: the pool hands one used less than 500 ms before
        // without checking it (HikariCP's aliveBypassWindowMs), and the server here is back within
        // about 200 ms. A run failed once in the project's CI, under load, most likely so.
        ForecastPoller.RunReport resumed = poller.runOnce();
        for (int attempt = 1; attempt < 10 && !resumed.completed(); attempt++) {
            Thread.sleep(500);
            resumed = poller.runOnce();
        }
        assertTrue(resumed.completed(), "polling resumes once the database is back");
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
        }
        assertEquals(
                6,
                count(db, "SELECT count(*) FROM prognos.risk_assessments"),
                "one assessment per sensor and forecast origin");
        assertEquals(3, count(db, "SELECT count(*) FROM prognos.lstm_models"));
        plugin.stop();
        db.close();
        running[0].close();
    }

    @Test
    void rowsThatAreNotReadingsAreSkippedAndReportedOnceAndTheSensorGoesOn() throws Exception {
        // A NaN or an infinity in a host's table made the plugin refuse the sensor's whole history:
        // no model for as long as the row stayed within the training history, logged at debug.
        try (Logged logged = Logged.by(ReadingsSource.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            ListAppender<ILoggingEvent> warnings = logged.events();
            Map<String, String> config = configFor(pg);
            JdbcAdapter db = withReadings(config);
            unusable(db, 150, "NaN");
            unusable(db, 200, "Infinity");
            unusable(db, 120, "1e308"); // finite, beyond any measurement
            ForecastingPlugin plugin = started(db);
            ForecastPoller.RunReport first =
                    poller(plugin, db, T0.plus(Duration.ofHours(320))).runOnce();
            assertEquals(3, first.trained(), "line-1 trained on its other readings");
            assertEquals(3, first.forecasts());
            assertEquals(0, first.skipped());
            assertEquals(1, warnings.list.size(), "one warning, for line-1");
            String message = warnings.list.get(0).getFormattedMessage();
            assertTrue(message.startsWith("line-1/temp: skipped 3 row(s)"), message);
            assertTrue(
                    message.contains(
                            T0.plus(Duration.ofHours(200)).plusSeconds(1800).toString()),
                    message);

            try (JdbcAdapter again = JdbcAdapter.start(config)) {
                again.readings().read(SENSORS.get(0), T0, T0.plus(Duration.ofHours(300)));
                again.readings().read(SENSORS.get(0), T0, T0.plus(Duration.ofHours(300)));
            }
            assertEquals(2, warnings.list.size(), "a new reader reports them once, however often it reads them");

            // A host's own query may give rows without a time: they threw, ending the run there.
            Map<String, String> timeless = new HashMap<>(config);
            timeless.put(
                    "jdbc.readings-query",
                    "SELECT CASE WHEN value > 42 THEN NULL ELSE ts END AS ts, value FROM sensor_readings"
                            + " WHERE device_id = :device_id AND sensor_key = :sensor_key AND ts >= :from AND ts < :to"
                            + " ORDER BY ts");
            try (JdbcAdapter own = JdbcAdapter.start(timeless)) {
                List<Reading> read = own.readings().read(SENSORS.get(1), T0, T0.plus(Duration.ofHours(300)));
                assertTrue(read.size() > 100 && read.size() < 300, read.size() + " of 300 rows have a time");
                assertTrue(read.stream().allMatch(r -> r.value() <= 42));
            }
            assertEquals(3, warnings.list.size(), "the rows without a time reported");
            assertTrue(warnings.list.get(2).getFormattedMessage().startsWith("line-2/temp: skipped "));
            plugin.stop();
            db.close();
        }
    }

    /**
     * A sensor whose readings the database fails to give (here a division by zero in the plant's
     * query for its rows) is skipped, said once; the sensors after it are forecast. The failure
     * ended every run at that sensor.
     */
    @Test
    void aSensorWhoseReadingsTheDatabaseFailsToGiveIsSkippedAndTheOthersGoOn() throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            Map<String, String> config = configFor(pg);
            withReadings(config).close();
            config.put(
                    "jdbc.readings-query",
                    "SELECT ts, value FROM sensor_readings WHERE device_id = :device_id AND sensor_key = :sensor_key"
                            + " AND ts >= :from AND ts < :to AND 1 / (CASE WHEN device_id = 'line-1' THEN 0 ELSE 1 END)"
                            + " = 1 ORDER BY ts");
            JdbcAdapter db = JdbcAdapter.start(config);
            ForecastingPlugin plugin = started(db);
            ForecastPoller poller = poller(plugin, db, T0.plus(Duration.ofHours(320)));
            ForecastPoller.RunReport first = poller.runOnce();
            assertTrue(first.completed());
            assertEquals(2, first.forecasts(), "line-2 and line-3, after line-1");
            assertEquals(1, first.skipped());
            assertEquals(1, poller.runOnce().skipped(), "still skipped");
            List<String> warnings = warnings(logged);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("line-1/temp skipped until this is mended"), warnings.get(0));
            assertTrue(warnings.get(0).contains("division by zero"), warnings.get(0));
            plugin.stop();
            db.close();
        }
    }

    /**
     * A training that runs out of heap is told as such, the others go on, and it is tried again
     * after a hold of a minute (doubling while it fails again; the host's cycle holds its trainings
     * so): the poller tried it again at every run, each time reading its history.
     */
    @Test
    void aTrainingThatRunsOutOfHeapIsToldAndTriedAgainAfterAHold() throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin real = started(db);
            java.util.concurrent.atomic.AtomicBoolean thrown = new java.util.concurrent.atomic.AtomicBoolean();
            ForecastingPlugin plugin = failingOnce(real, trainingOf(SENSORS.get(0)), thrown);
            java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
            ForecastPoller poller = poller(plugin, db, T0.plus(Duration.ofHours(320)), nanos::get);
            ForecastPoller.RunReport first = poller.runOnce();
            assertEquals(2, first.forecasts(), "line-2 and line-3");
            assertEquals(1, first.skipped());
            List<String> warnings = warnings(logged);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(
                    warnings.get(0)
                                    .contains(
                                            "the training of line-1/temp ran out of heap memory (simulated: Java heap space)")
                            && warnings.get(0).contains("tried again after 1 min"),
                    warnings.get(0));
            insert(db, 300, 301);
            nanos.addAndGet(TrainingHolds.FIRST_HOLD.toNanos() - 1);
            ForecastPoller.RunReport held = poller.runOnce();
            assertEquals(0, held.trained(), "held");
            assertEquals(2, held.forecasts(), "line-2 and line-3");
            assertEquals(1, held.skipped());
            insert(db, 301, 302);
            nanos.addAndGet(1);
            ForecastPoller.RunReport second = poller.runOnce();
            assertEquals(1, second.trained(), "line-1, after the hold");
            assertEquals(3, second.forecasts());
            real.stop();
            db.close();
        }
    }

    /**
     * A fault of the plugin's on one sensor (a bug that throws on its readings or its training) is
     * told once, with its trace, and the sensors after it go on: it ended the run at that sensor,
     * every sensor after it unforecast at every run, told as "poller run failed" each time.
     */
    @Test
    void aPluginsFaultOnOneSensorIsToldOnceAndTheSensorsAfterItGoOn() throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin real = started(db);
            SensorId faulty = SENSORS.get(0);
            SensorId untrainable = SENSORS.get(1);
            ForecastingPlugin plugin = around(real, (method, args) -> {
                if (method.getName().equals("forecast")
                        && ((SensorState) args[0]).sensor().equals(faulty)) {
                    throw new NullPointerException("simulated: a fault in forecast");
                }
                if (trainingOf(untrainable).test(method, args)) {
                    throw new ArithmeticException("simulated: a fault in train");
                }
            });
            java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
            ForecastPoller poller = poller(plugin, db, T0.plus(Duration.ofHours(320)), nanos::get);
            ForecastPoller.RunReport first = poller.runOnce();
            assertTrue(first.completed());
            assertEquals(1, first.forecasts(), "line-3, after the two");
            assertEquals(2, first.skipped());
            insert(db, 300, 301);
            nanos.addAndGet(TrainingHolds.FIRST_HOLD.toNanos());
            ForecastPoller.RunReport second = poller.runOnce();
            assertEquals(1, second.forecasts(), "line-3 again");
            assertEquals(2, second.skipped());
            List<ILoggingEvent> told = logged.events().list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .toList();
            assertEquals(2, told.size(), told.toString());
            assertEquals(
                    List.of(Level.ERROR, Level.ERROR),
                    told.stream().map(ILoggingEvent::getLevel).toList(),
                    "a fault, as the other drivers tell one");
            assertTrue(told.get(0).getFormattedMessage().startsWith("line-1/temp skipped"), told.toString());
            assertEquals(
                    NullPointerException.class.getName(),
                    told.get(0).getThrowableProxy().getClassName(),
                    "told with its trace");
            assertTrue(told.get(1).getFormattedMessage().startsWith("line-2/temp skipped"), told.toString());
            assertTrue(
                    told.get(1).getThrowableProxy().getMessage().contains("simulated: a fault in train"),
                    told.get(1).getThrowableProxy().getMessage());
            assertEquals(ArithmeticException.class.getName(), rootOf(told.get(1).getThrowableProxy()));
            real.stop();
            db.close();
        }
    }

    private static String rootOf(ch.qos.logback.classic.spi.IThrowableProxy thrown) {
        return thrown.getCause() == null ? thrown.getClassName() : rootOf(thrown.getCause());
    }

    /**
     * A sensor whose model is being trained elsewhere (a train request) while the poller trains it
     * is read again at the next run, and the others go on: the plugin's "busy, retry later" was taken
     * for the database's, the run ended at that sensor and polling backed off, told as an outage.
     */
    @Test
    void aSensorWhoseModelIsBusyTrainingIsReadAgainAtTheNextRunAndTheOthersGoOn() throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin real = started(db);
            ForecastingPlugin plugin = failingOnce(
                    real,
                    trainingOf(SENSORS.get(0)),
                    new AtomicBoolean(),
                    io.prognos.api.RetryLaterException.modelBusy(SENSORS.get(0)));
            ForecastPoller poller = poller(plugin, db, T0.plus(Duration.ofHours(320)));
            ForecastPoller.RunReport first = poller.runOnce();
            assertTrue(first.completed(), "no outage");
            assertEquals(2, first.trained());
            assertEquals(2, first.forecasts(), "line-2 and line-3");
            assertEquals(1, first.skipped());
            ForecastPoller.RunReport second = poller.runOnce();
            assertEquals(1, second.trained(), "line-1, at the next run");
            assertEquals(1, second.forecasts(), "from the readings the first run left");
            assertTrue(
                    warnings(logged).stream().noneMatch(w -> w.contains("database unavailable")),
                    warnings(logged).toString());
            real.stop();
            db.close();
        }
    }

    /**
     * A row stamped hours ahead of the clock (a device's clock ahead) moved the watermark past every
     * reading before it: those were never read, the sensor without forecasts until the clock caught
     * up. It is left until its time comes, said once.
     */
    @Test
    void aReadingStampedAheadOfTheClockIsLeftForLaterAndHidesNoReadingBeforeIt() throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            SensorId ahead = SENSORS.get(0);
            insertOne(db, ahead, T0.plus(Duration.ofHours(302)), 41);
            ForecastingPlugin plugin = started(db);
            ForecastPoller poller =
                    poller(plugin, db, T0.plus(Duration.ofHours(300)).plusSeconds(60));
            assertEquals(3, poller.runOnce().forecasts());
            insertOne(db, ahead, T0.plus(Duration.ofHours(300)), 40);
            assertEquals(1, poller.runOnce().forecasts(), "the reading of hour 300 is read");
            try (Connection c = db.dataSource().getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT max(based_on) FROM prognos.forecasts WHERE device_id = '"
                            + ahead.deviceId() + "'")) {
                rs.next();
                assertEquals(T0.plus(Duration.ofHours(300)), rs.getTimestamp(1).toInstant());
            }
            List<String> warnings = warnings(logged);
            assertEquals(1, warnings.size(), "told once over both runs: " + warnings);
            assertTrue(
                    warnings.get(0)
                            .startsWith(ahead + ": 1 reading(s) stamped more than PT5M ahead of this host's clock"),
                    warnings.get(0));
            plugin.stop();
            db.close();
        }
    }

    private static void insertOne(JdbcAdapter db, SensorId s, Instant t, double value) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO sensor_readings VALUES (?, ?, ?, ?)")) {
            ps.setString(1, s.deviceId());
            ps.setString(2, s.sensorKey());
            ps.setTimestamp(3, Timestamp.from(t));
            ps.setDouble(4, value);
            ps.executeUpdate();
        }
    }

    @Test
    void aRefusalMoreReadingsWillNotCureIsWarnedAboutOncePerSensor() throws Exception {
        // It was logged at debug at every run, so a sensor that could never be trained went unseen.
        // 300 hours of readings in 100 ms intervals are more intervals than a model may hold.
        List<String> warnings = warningsOverTwoRuns(Map.of("lstm.interval", "100ms"));
        assertEquals(3, warnings.size(), "one warning per sensor over both runs: " + warnings);
        for (SensorId s : SENSORS) {
            assertEquals(
                    1,
                    warnings.stream()
                            .filter(w -> w.startsWith(s + " skipped") && w.contains("choose a coarser interval"))
                            .count(),
                    s + " in " + warnings);
        }
    }

    @Test
    void aSensorWhosePausesLeaveNoStretchLongEnoughIsWarnedAboutOnce() throws Exception {
        // Too few readings is normal for a new sensor and said at debug; too short stretches
        // between pauses are not mended by more readings, and went untold at every run.
        // Hourly readings on a 20-minute grid that bridges 30 minutes: a pause after each one.
        java.util.concurrent.atomic.AtomicInteger trainings = new java.util.concurrent.atomic.AtomicInteger();
        List<String> problems = new java.util.ArrayList<>();
        List<String> warnings = warningsOverTwoRuns(
                Map.of("lstm.interval", "20m", "lstm.max-gap", "30m"),
                trainings,
                poller -> SENSORS.forEach(
                        s -> problems.add(poller.trainingProblem(s).message())));
        // Why, for the sensor's view (the dashboard's page): it was in the log only.
        assertEquals(3, problems.size());
        for (int i = 0; i < 3; i++) {
            assertTrue(
                    problems.get(i).startsWith(SENSORS.get(i) + ": training needs at least 65 consecutive intervals"),
                    problems.get(i));
        }
        assertEquals(3, warnings.size(), "one warning per sensor over both runs: " + warnings);
        assertTrue(
                warnings.stream().allMatch(w -> w.contains("longer than lstm.max-gap (PT30M)")), warnings.toString());
        // Each training read its 60 days of history again. The plugin said when newer readings could
        // mend it, 64 intervals of 20 minutes after the newest (21 hours on): five hours more do not.
        assertEquals(3, trainings.get(), "trained at the first run only");
    }

    /**
     * The poller's warnings over two runs of a plugin so configured, every sensor skipped in each,
     * the second after new readings.
     */
    private static List<String> warningsOverTwoRuns(Map<String, String> pluginConfig) throws Exception {
        return warningsOverTwoRuns(pluginConfig, new java.util.concurrent.atomic.AtomicInteger(), poller -> {});
    }

    /**
     * As above, counting the trainings asked of the plugin in {@code trainings}, the poller handed
     * to {@code after} after the second run.
     */
    private static List<String> warningsOverTwoRuns(
            Map<String, String> pluginConfig,
            java.util.concurrent.atomic.AtomicInteger trainings,
            java.util.function.Consumer<ForecastPoller> after)
            throws Exception {
        try (Logged logged = Logged.by(ForecastPoller.class);
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            JdbcAdapter db = withReadings(configFor(pg));
            ForecastingPlugin plugin = started(db, pluginConfig);
            ForecastingPlugin counted = around(plugin, (method, args) -> {
                if (method.getName().equals("train")) {
                    trainings.incrementAndGet();
                }
            });
            ForecastPoller poller = poller(counted, db, T0.plus(Duration.ofHours(320)));
            assertEquals(3, poller.runOnce().skipped());
            insert(db, 300, 305);
            assertEquals(3, poller.runOnce().skipped(), "new readings do not cure it");
            after.accept(poller);
            plugin.stop();
            db.close();
            return warnings(logged);
        }
    }

    /**
     * {@code real}, except that the first call {@code when} picks runs out of heap ("simulated: Java
     * heap space"), which {@code thrown} then says.
     */
    private static ForecastingPlugin failingOnce(
            ForecastingPlugin real,
            java.util.function.BiPredicate<java.lang.reflect.Method, Object[]> when,
            java.util.concurrent.atomic.AtomicBoolean thrown) {
        return failingOnce(real, when, thrown, new OutOfMemoryError("simulated: Java heap space"));
    }

    /** The same, throwing {@code failure}. */
    private static ForecastingPlugin failingOnce(
            ForecastingPlugin real,
            java.util.function.BiPredicate<java.lang.reflect.Method, Object[]> when,
            java.util.concurrent.atomic.AtomicBoolean thrown,
            Throwable failure) {
        return around(real, (method, args) -> {
            if (when.test(method, args) && thrown.compareAndSet(false, true)) {
                throw failure;
            }
        });
    }

    /** Whether a call of the plugin is a training of {@code sensor}. */
    private static java.util.function.BiPredicate<java.lang.reflect.Method, Object[]> trainingOf(SensorId sensor) {
        return (method, args) -> method.getName().equals("train")
                && ((TrainRequest) args[0]).sensor().equals(sensor);
    }

    /** What a test does before each call of the plugin; it may fail the call by throwing. */
    private interface BeforeCall {
        void run(java.lang.reflect.Method method, Object[] args) throws Throwable;
    }

    /** {@code real}, with {@code before} run ahead of each of its calls. */
    private static ForecastingPlugin around(ForecastingPlugin real, BeforeCall before) {
        return (ForecastingPlugin) java.lang.reflect.Proxy.newProxyInstance(
                ForecastingPlugin.class.getClassLoader(),
                new Class<?>[] {ForecastingPlugin.class},
                (proxy, method, args) -> {
                    before.run(method, args);
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A poller whose clock stands at {@code now}, every sensor between the limits 0 and 100. */
    private static ForecastPoller poller(ForecastingPlugin plugin, JdbcAdapter db, Instant now) {
        return poller(plugin, db, now, System::nanoTime);
    }

    /** The same, with the monotonic clock of its holds and waits. */
    private static ForecastPoller poller(
            ForecastingPlugin plugin, JdbcAdapter db, Instant now, java.util.function.LongSupplier nanos) {
        return new ForecastPoller(
                plugin,
                db,
                s -> OperatingLimits.between(0, 100),
                SETTINGS,
                Clock.fixed(now, ZoneOffset.UTC),
                new io.prognos.host.core.SensorCycle.Listener() {},
                s -> false,
                1,
                nanos);
    }

    /** The one number {@code sql} selects. */
    private static int count(JdbcAdapter db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The warnings logged so far, as formatted. */
    private static List<String> warnings(Logged logged) {
        return logged.events().list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static Map<String, String> configFor(EmbeddedPostgres pg) {
        Map<String, String> config = new HashMap<>();
        config.put("jdbc.url", pg.getJdbcUrl("postgres", "postgres"));
        return config;
    }

    private static void unusable(JdbcAdapter db, int hour, String value) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO sensor_readings VALUES ('line-1', 'temp', ?, CAST(? AS double precision))")) {
            ps.setTimestamp(1, Timestamp.from(T0.plus(Duration.ofHours(hour)).plusSeconds(1800)));
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }
}
