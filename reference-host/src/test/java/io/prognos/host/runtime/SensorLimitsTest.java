package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prognos.api.BadRequestException;
import io.prognos.api.OperatingLimits;
import io.prognos.api.SensorId;
import org.junit.jupiter.api.Test;

class SensorLimitsTest {

    private static final SensorId PUMP = SensorId.of("pump-2", "bearing_temperature");

    @Test
    void runTimeLimitsOverrideTheConfiguredOnesUntilCleared() {
        SensorLimits limits = new SensorLimits(HostConfig.limits("pump-2/bearing_temperature=::85:94"));
        assertEquals(94.0, limits.apply(PUMP).high());
        limits.set(PUMP, OperatingLimits.between(50, 96));
        assertEquals(96.0, limits.apply(PUMP).high());
        assertEquals(50.0, limits.apply(PUMP).low());
        limits.set(PUMP, OperatingLimits.none());
        assertEquals(new OperatingLimits(null, null, 85.0, 94.0), limits.apply(PUMP));
    }

    /**
     * Hosts sharing the database (a Kafka application's) each hold the run-time limits: one takes
     * the PUT, another may serve the sensor. A refresh takes what the others set and cleared, and
     * what was written by hand; it took them at the next start only.
     */
    @Test
    void limitsSetOrClearedOnAnotherHostAreTakenAtTheNextRefresh() throws Exception {
        try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
                        io.zonky.test.db.postgres.embedded.EmbeddedPostgres.start();
                io.prognos.jdbc.JdbcAdapter db = io.prognos.jdbc.JdbcAdapter.start(
                        java.util.Map.of("jdbc.url", pg.getJdbcUrl("postgres", "postgres")))) {
            java.util.function.Function<SensorId, OperatingLimits> configured =
                    HostConfig.limits("pump-2/bearing_temperature=::85:94");
            SensorLimits a = new SensorLimits(configured, db.limits());
            SensorLimits b = new SensorLimits(configured, db.limits());
            SensorId valve = SensorId.of("valve-9", "pressure");
            a.set(PUMP, OperatingLimits.between(50, 96));
            a.set(valve, OperatingLimits.above(60));
            assertEquals(2, b.refresh());
            assertEquals(OperatingLimits.between(50, 96), b.apply(PUMP));
            assertEquals(OperatingLimits.above(60), b.apply(valve));
            assertEquals(0, b.refresh(), "nothing changed since");

            a.set(PUMP, OperatingLimits.none()); // cleared: the configured ones again
            a.set(valve, OperatingLimits.above(70));
            assertEquals(2, b.refresh());
            assertEquals(new OperatingLimits(null, null, 85.0, 94.0), b.apply(PUMP));
            assertEquals(OperatingLimits.above(70), b.apply(valve));

            try (java.sql.Connection c = db.dataSource().getConnection();
                    java.sql.Statement st = c.createStatement()) {
                st.execute("UPDATE prognos.sensor_limits SET high = 75 WHERE device_id = 'valve-9'");
            }
            assertEquals(1, a.refresh(), "a row changed by hand");
            assertEquals(OperatingLimits.above(75), a.apply(valve));
        }
    }

    @Test
    void newSensorsBeyondTheCapAreRefusedWhileKnownOnesStillChange() {
        SensorLimits limits = new SensorLimits(s -> OperatingLimits.none());
        for (int i = 0; i < SensorLimits.MAX_SENSORS; i++) {
            limits.set(SensorId.of("d" + i, "s"), OperatingLimits.above(i + 1));
        }
        assertThrows(BadRequestException.class, () -> limits.set(PUMP, OperatingLimits.above(1)));
        limits.set(SensorId.of("d7", "s"), OperatingLimits.above(99));
        assertEquals(99.0, limits.apply(SensorId.of("d7", "s")).high());
        limits.set(SensorId.of("d8", "s"), OperatingLimits.none());
        limits.set(PUMP, OperatingLimits.above(1)); // room again
        assertEquals(1.0, limits.apply(PUMP).high());
    }
}
