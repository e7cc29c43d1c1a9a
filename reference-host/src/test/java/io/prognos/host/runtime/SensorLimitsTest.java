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
