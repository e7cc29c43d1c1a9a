package io.prognos.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.ModelStore;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.StoredModel;
import io.prognos.api.TrainRequest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hosts sharing one PostgreSQL hear of each other's model changes: the trigger tells them, the
 * watch passes on those of its schema, and a plugin serves the model another host trained.
 */
class ModelChangeWatchTest {

    static EmbeddedPostgres pg;

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        pg.close();
    }

    static JdbcAdapter adapter(String schema) {
        Map<String, String> c = new HashMap<>();
        c.put("jdbc.url", pg.getJdbcUrl("postgres", "postgres"));
        c.put("jdbc.user", "postgres");
        c.put("jdbc.schema", schema);
        return JdbcAdapter.start(c);
    }

    record Told(SensorId sensor, String version) {}

    static final class Recorder implements ModelStore.ChangeListener {
        final BlockingQueue<Told> changes = new LinkedBlockingQueue<>();
        final AtomicInteger missed = new AtomicInteger();

        @Override
        public void changed(SensorId sensor, String modelVersion) {
            changes.add(new Told(sensor, modelVersion));
        }

        @Override
        public void changesMissed() {
            missed.incrementAndGet();
        }

        Told next() throws InterruptedException {
            Told t = changes.poll(15, TimeUnit.SECONDS);
            assertTrue(t != null, "a change told within 15 s");
            return t;
        }
    }

    static StoredModel model(SensorId sensor, String version) {
        ModelInfo info = new ModelInfo(
                sensor,
                version,
                1,
                Duration.ofHours(1),
                Duration.ZERO,
                12,
                "last_value",
                100,
                5,
                Instant.parse("2026-01-01T00:00:00Z"),
                ModelStatus.READY,
                Map.of());
        return new StoredModel(info, new byte[] {1, 2, 3}, "c");
    }

    @Test
    void everySaveAndDeleteOfItsSchemaIsToldToTheOtherHostsIncludingAnOperatorsSql() throws Exception {
        SensorId press = SensorId.of("press-1", "oil_temp");
        try (JdbcAdapter a = adapter("shared");
                JdbcAdapter b = adapter("shared");
                JdbcAdapter elsewhere = adapter("elsewhere")) {
            Recorder told = new Recorder();
            try (ModelChangeWatch w = b.models().watch(told)) {
                assertTrue(w.awaitListening(30, TimeUnit.SECONDS));
                elsewhere.models().save(model(SensorId.of("press-9", "oil_temp"), "x1"));
                a.models().save(model(press, "v1"));
                a.models().save(model(press, "v2"));
                assertEquals(new Told(press, "v1"), told.next(), "another schema's change is not told");
                assertEquals(new Told(press, "v2"), told.next());
                try (Connection c = a.dataSource().getConnection();
                        Statement st = c.createStatement()) {
                    st.execute("DELETE FROM shared.lstm_models WHERE device_id = 'press-1'");
                }
                assertEquals(new Told(press, null), told.next(), "a row deleted by hand");
                assertEquals(0, told.missed.get());

                // The listening session ends (a database restart, a network fault): once the watch
                // listens again it says changes may have been missed, and tells the next ones.
                try (Connection c = a.dataSource().getConnection();
                        Statement st = c.createStatement()) {
                    st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE application_name = 'prognos-model-changes'");
                }
                waitFor(() -> told.missed.get() == 1, "changes missed told after listening again");
                a.models().save(model(press, "v3"));
                assertEquals(new Told(press, "v3"), told.next());
            }
        }
    }

    /**
     * Notices on the channel that Prognos did not write (another program, by hand): one that is not
     * JSON is skipped, one naming no usable sensor makes the plugin read everything again; the
     * watch goes on.
     */
    @Test
    void foreignNoticesOnTheChannelNeitherStopTheWatchNorPassUnnoticed() throws Exception {
        SensorId press = SensorId.of("press-3", "oil_temp");
        try (JdbcAdapter a = adapter("foreign")) {
            Recorder told = new Recorder();
            try (ModelChangeWatch w = a.models().watch(told)) {
                assertTrue(w.awaitListening(30, TimeUnit.SECONDS));
                try (Connection c = a.dataSource().getConnection();
                        Statement st = c.createStatement()) {
                    st.execute("NOTIFY prognos_models, 'not json'");
                    st.execute("NOTIFY prognos_models, '{\"schema\": \"foreign\", \"device_id\": \" \"}'");
                }
                a.models().save(model(press, "v1"));
                assertEquals(new Told(press, "v1"), told.next(), "the watch goes on");
                assertEquals(1, told.missed.get(), "a notice naming no sensor counts as changes missed");
                assertTrue(told.changes.isEmpty(), "the one that is not JSON is told as nothing");
            }
        }
    }

    @Test
    void aPluginServesTheModelAnotherHostTrainedAndDropsOneItDeleted() throws Exception {
        SensorId press = SensorId.of("press-2", "oil_temp");
        List<Reading> history = JdbcAdapterTest.seasonal(420, 80);
        Map<String, String> quick = Map.of("epochs", "2", "patience", "1");
        try (JdbcAdapter a = adapter("plugins");
                JdbcAdapter b = adapter("plugins")) {
            ForecastingPlugin hostA = JdbcAdapterTest.plugin(a.models());
            ForecastingPlugin hostB = JdbcAdapterTest.plugin(b.models());
            try {
                String first = hostA.train(new TrainRequest(press, history.subList(0, 400), quick))
                        .modelVersion();
                SensorState state = JdbcAdapterTest.stateAfter(hostB, press, history.subList(320, 400));
                assertEquals(first, hostB.forecast(state).modelVersion());

                String second = hostA.train(new TrainRequest(press, JdbcAdapterTest.seasonal(400, 81), quick))
                        .modelVersion();
                waitFor(
                        () -> second.equals(hostB.forecast(state).modelVersion()),
                        "host B serves the model host A trained again");
                assertTrue(hostA.deleteModel(press));
                waitFor(() -> hostB.models().isEmpty(), "host B no longer lists the model host A deleted");
                assertTrue(hostB.model(press).isEmpty());
            } finally {
                hostA.stop();
                hostB.stop();
            }
        }
    }

    static void waitFor(Supplier<Boolean> condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.get()) {
            assertTrue(System.nanoTime() < until, what + " within 20 s");
            Thread.sleep(50);
        }
    }
}
