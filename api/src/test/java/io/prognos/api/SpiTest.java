package io.prognos.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SpiTest {

    @Test
    void acceptsSameMajorWithOlderOrEqualMinorOnly() {
        assertTrue(Spi.isCompatible("1.0"));
        assertFalse(Spi.isCompatible("2.0"));
        assertFalse(Spi.isCompatible("0.9"));
        assertFalse(Spi.isCompatible("1.7"), "a plugin needing a newer minor than the host is refused");
        assertFalse(Spi.isCompatible("garbage"));
    }

    @Test
    void valueTypesRejectBadInputWithTheFieldAtFault() {
        var e = assertThrows(BadRequestException.class, () -> SensorId.of(" ", "temperature"));
        assertEquals("device_id", e.field());
        var limits = assertThrows(BadRequestException.class, () -> OperatingLimits.between(10, 5));
        assertEquals("low", limits.field());
        var nan = assertThrows(BadRequestException.class, () -> OperatingLimits.above(Double.NaN));
        assertEquals("high", nan.field());
        var opts = assertThrows(BadRequestException.class,
                () -> new TrainingOptions(1, null, null, null, null, null));
        assertEquals("sequence_length", opts.field());
        assertThrows(IllegalArgumentException.class,
                () -> new ForecastPoint(Instant.EPOCH, 1, 5, 6, 7), "an interval must contain its value");
    }

    @Test
    void insufficientHistorySaysWhatIsNeeded() {
        var e = new InsufficientHistoryException(SensorId.of("d", "s"), 53, 20, "training");
        assertEquals(53, e.needed());
        assertEquals(20, e.available());
        assertTrue(e.getMessage().contains("at least 53") && e.getMessage().contains("only 20"), e.getMessage());
    }
}
