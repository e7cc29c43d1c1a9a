package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prognos.api.AnomalyScore;
import io.prognos.api.Reading;
import io.prognos.api.RetryLaterException;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.jdbc.Migrations;
import io.prognos.jdbc.ResultsWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Readings that arrive over MQTT while PostgreSQL is unreachable reach the table once it answers again. */
class StoringListenerTest {

    private static EmbeddedDatabase db;
    private static PGSimpleDataSource real;

    @BeforeAll
    static void start() throws Exception {
        db = EmbeddedDatabase.start(HostFixture.dataDir());
        real = new PGSimpleDataSource();
        real.setUrl(db.jdbcUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    /** What a test data source does before each connection it opens on the real database. */
    private interface BeforeConnecting {
        void run() throws Exception;
    }

    /** The real data source, with {@code before} run ahead of every {@code getConnection}. */
    private static DataSource intercepted(BeforeConnecting before) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        before.run();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A data source whose first {@code failures} connections fail with {@code sqlState}. */
    private static DataSource failing(int failures, String sqlState) {
        AtomicInteger calls = new AtomicInteger();
        return intercepted(() -> {
            if (calls.incrementAndGet() <= failures) {
                throw new SQLException("injected failure " + calls.get(), sqlState);
            }
        });
    }

    private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /** A data source whose connections are refused while {@code down} holds (a database outage). */
    private static DataSource downWhile(AtomicBoolean down) {
        return intercepted(() -> {
            if (down.get()) {
                throw new SQLException("injected outage", "08001");
            }
        });
    }

    /** A data source whose connections take {@code millis} to open (a busy database). */
    private static DataSource slow(long millis) {
        return intercepted(() -> Thread.sleep(millis));
    }

    @Test
    void syncReturnsOnlyOnceTheReadingsToldBeforeItAreInTheTable() throws Exception {
        // Kafka commits the readings behind a sync; one still queued then is lost with a killed host.
        SensorId sensor = SensorId.of("kiln-3", "temperature");
        Migrations.migrate(real, "prognos");
        ReadingsTable table = new ReadingsTable(slow(300));
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        try (StoringListener listener = new StoringListener(
                table, new ResultsWriter(real, "prognos", () -> {}), true, new SimpleMeterRegistry())) {
            for (int i = 0; i < 3; i++) {
                listener.readings(sensor, List.of(new Reading(t0.plusSeconds(60L * i), 20 + i)));
            }
            listener.sync();
            assertEquals(3, new ReadingsTable(real).count(sensor), "stored before sync returned");
            listener.sync(); // nothing new told: returns at once
            assertEquals(0, listener.pending());
        }
    }

    @Test
    void readingsDuringAnOutageAreStoredWhenTheDatabaseIsBack() throws Exception {
        SensorId sensor = SensorId.of("kiln-1", "temperature");
        ReadingsTable table = new ReadingsTable(real);
        Migrations.migrate(real, "prognos");
        DataSource flaky = failing(3, "08001"); // connection refused, three times
        Instant hour = Instant.parse("2025-01-01T00:00:00Z");
        List<AnomalyScore> scores = List.of(
                new AnomalyScore(sensor, hour, hour.plusSeconds(3599), 20.5, 0.2, 0.2, 0, 0, "calm"),
                new AnomalyScore(
                        sensor, hour.plusSeconds(3600), hour.plusSeconds(7199), 31, 0.9, 0.9, 0.4, 0.1, "jump"));
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (StoringListener listener = new StoringListener(
                new ReadingsTable(flaky), new ResultsWriter(flaky, "prognos", () -> {}), true, metrics)) {
            listener.readings(sensor, HostFixture.hourly(50, 0, 9));
            listener.anomalies(sensor, scores);
            waitFor(() -> listener.pending() == 0);
            assertEquals(0, listener.pending());
        }
        assertEquals(50, table.count(sensor), "every reading arrived after the outage");
        try (Connection c = real.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT score FROM prognos.anomaly_scores WHERE device_id = 'kiln-1'"
                        + " ORDER BY interval_start")) {
            assertTrue(rs.next());
            assertEquals(0.2, rs.getDouble(1));
            assertTrue(rs.next(), "and every anomaly score");
            assertEquals(0.9, rs.getDouble(1));
        }
        assertEquals(
                2.0,
                metrics.counter("prognos.store.failures").count(),
                "each of the two writes the outage delayed is counted once, not once per refused retry");
    }

    @Test
    void syncSaysNotYetWhileReadingsWaitForTheDatabaseToComeBack() throws Exception {
        // Readings held for a retry live in memory only: acknowledged now, a killed host would lose them.
        SensorId sensor = SensorId.of("kiln-4", "temperature");
        Migrations.migrate(real, "prognos");
        DataSource flaky = failing(2, "08001"); // connection refused, twice
        try (StoringListener listener = new StoringListener(
                new ReadingsTable(flaky),
                new ResultsWriter(real, "prognos", () -> {}),
                true,
                new SimpleMeterRegistry())) {
            listener.readings(sensor, HostFixture.hourly(20, 0, 9));
            RetryLaterException e = assertThrows(RetryLaterException.class, listener::sync);
            assertTrue(e.getMessage().contains("wait for the database"), e.getMessage());
            waitFor(() -> listener.pending() == 0);
            listener.sync(); // stored now: returns
        }
        assertEquals(20, new ReadingsTable(real).count(sensor));
    }

    @Test
    void aWriteThatCanNeverSucceedIsCountedNotRetried() throws Exception {
        SensorId sensor = SensorId.of("kiln-2", "temperature");
        DataSource broken = failing(Integer.MAX_VALUE, "42501"); // insufficient privilege: retrying cannot help
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (StoringListener listener = new StoringListener(
                new ReadingsTable(broken), new ResultsWriter(broken, "prognos", () -> {}), true, metrics)) {
            listener.readings(sensor, HostFixture.hourly(5, 0, 9));
            listener.readings(sensor, HostFixture.hourly(5, 0, 10));
            waitFor(() -> listener.pending() == 0);
            assertEquals(0, listener.pending());
        }
        assertEquals(2.0, metrics.counter("prognos.store.failures").count());
        assertTrue(new ReadingsTable(real).count(sensor) == 0);
    }

    @Test
    void aFullQueueHoldsTheCallerUntilTheDatabaseIsBackAndLosesNothing() throws Exception {
        // A write refused when the queue was full was lost: the reading behind it was acknowledged
        // once the retries before it had drained.
        SensorId sensor = SensorId.of("kiln-5", "temperature");
        Migrations.migrate(real, "prognos");
        AtomicBoolean down = new AtomicBoolean(true);
        DataSource outage = downWhile(down);
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        try (StoringListener listener = new StoringListener(
                new ReadingsTable(outage),
                new ResultsWriter(outage, "prognos", () -> {}),
                true,
                new SimpleMeterRegistry(),
                3)) {
            for (int i = 0; i < 3; i++) {
                listener.readings(sensor, List.of(new Reading(t0.plusSeconds(60L * i), 20 + i)));
            }
            CountDownLatch told = new CountDownLatch(1);
            Thread device = new Thread(() -> {
                listener.readings(sensor, List.of(new Reading(t0.plusSeconds(180), 23)));
                told.countDown();
            });
            device.start();
            assertTrue(
                    !told.await(1_500, TimeUnit.MILLISECONDS),
                    "the fourth write waits while three wait for the database");
            down.set(false);
            assertTrue(told.await(60, TimeUnit.SECONDS), "and goes on once it is back");
            waitFor(() -> listener.pending() == 0);
            listener.sync();
        }
        assertEquals(4, new ReadingsTable(real).count(sensor), "none lost");
    }

    @Test
    void aReplayDuringAnOutageIsHeldOnceAndItsNewestCopyStored() throws Exception {
        // Kafka tells the readings since its last commit again after every commit an outage failed;
        // each replay queued its writes once more (up to MAX_PENDING, then the stream thread waited).
        SensorId sensor = SensorId.of("kiln-7", "temperature");
        AtomicBoolean down = new AtomicBoolean(true);
        Instant hour = Instant.parse("2025-01-01T00:00:00Z");
        List<Reading> told = HostFixture.hourly(30, 0, 9);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (StoringListener listener = listenerDuring(down, metrics)) {
            for (int replay = 1; replay <= 5; replay++) {
                listener.readings(sensor, told);
                listener.anomalies(sensor, List.of(score(sensor, hour, "replay " + replay)));
            }
            assertTrue(listener.flush(Duration.ofSeconds(10)));
            assertEquals(2, listener.pending(), "one write held per set of rows, not one per replay");
            down.set(false);
            waitFor(() -> listener.pending() == 0);
            listener.sync();
        }
        assertEquals(30, new ReadingsTable(real).count(sensor));
        assertEquals("replay 5", storedReason(sensor), "the newest copy is the one stored");
        assertEquals(2.0, metrics.counter("prognos.store.failures").count(), "each held write counted once");
    }

    @Test
    void aHeldWriteDoesNotOverwriteAFresherOneOfTheSameRows() throws Exception {
        // A score held in an outage is retried 500 ms after it failed; the database is back before
        // that and a fresher score of the same interval is written at once. The retry must not then
        // put the older one back.
        SensorId sensor = SensorId.of("kiln-8", "temperature");
        AtomicBoolean down = new AtomicBoolean(true);
        Instant hour = Instant.parse("2025-01-01T00:00:00Z");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (StoringListener listener = listenerDuring(down, metrics)) {
            listener.anomalies(sensor, List.of(score(sensor, hour, "older")));
            assertTrue(listener.flush(Duration.ofSeconds(10)));
            assertEquals(1, listener.pending(), "held for a retry");
            down.set(false);
            listener.anomalies(sensor, List.of(score(sensor, hour, "fresher")));
            waitFor(() -> listener.pending() == 0);
            assertEquals(0, listener.pending());
            Thread.sleep(1_000); // past the held copy's retry time, had it stayed held
        }
        assertEquals("fresher", storedReason(sensor), "the fresher write stays");
        assertEquals(
                1.0, metrics.counter("prognos.store.failures").count(), "the held write counted once, then dropped");
    }

    private static AnomalyScore score(SensorId sensor, Instant hour, String reason) {
        return new AnomalyScore(sensor, hour, hour.plusSeconds(3599), 20, 0.1, 0.1, 0, 0, reason);
    }

    /** A listener on the migrated database, which refuses connections while {@code down} holds. */
    private static StoringListener listenerDuring(AtomicBoolean down, SimpleMeterRegistry metrics) {
        Migrations.migrate(real, "prognos");
        DataSource outage = downWhile(down);
        return new StoringListener(
                new ReadingsTable(outage), new ResultsWriter(outage, "prognos", () -> {}), true, metrics);
    }

    /** The reason of the one anomaly score stored for {@code sensor}'s device. */
    private static String storedReason(SensorId sensor) throws SQLException {
        try (Connection c = real.getConnection();
                PreparedStatement st =
                        c.prepareStatement("SELECT reason FROM prognos.anomaly_scores WHERE device_id = ?")) {
            st.setString(1, sensor.deviceId());
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next(), "a score is stored");
                String reason = rs.getString(1);
                assertFalse(rs.next(), "one score per interval");
                return reason;
            }
        }
    }

    @Test
    void aCallerWaitingForRoomIsLetGoWhenTheListenerCloses() throws Exception {
        // Shutdown with the database down and the queue full must not hang the thread that waits.
        SensorId sensor = SensorId.of("kiln-6", "temperature");
        DataSource down = failing(Integer.MAX_VALUE, "08001");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        CountDownLatch returned = new CountDownLatch(1);
        StoringListener listener = new StoringListener(
                new ReadingsTable(down), new ResultsWriter(down, "prognos", () -> {}), true, metrics, 1);
        listener.readings(sensor, List.of(new Reading(t0, 20)));
        Thread device = new Thread(() -> {
            listener.readings(sensor, List.of(new Reading(t0.plusSeconds(60), 21)));
            returned.countDown();
        });
        device.start();
        assertFalse(returned.await(1_500, TimeUnit.MILLISECONDS), "waits while the queue is full");
        listener.close();
        assertTrue(returned.await(10, TimeUnit.SECONDS), "let go once closed");
        assertTrue(
                metrics.counter("prognos.store.failures").count() >= 2,
                "the refused write is counted, beside the first one's failed attempt");
    }
}
