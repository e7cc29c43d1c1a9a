package io.prognos.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpiTest {

    @Test
    void acceptsSameMajorWithOlderOrEqualMinorOnly() {
        assertTrue(Spi.isCompatible("2.0"), "a plugin built for 2.0 runs in a 2.5 host");
        assertTrue(Spi.isCompatible(Spi.VERSION));
        assertFalse(Spi.isCompatible("3.0"));
        assertFalse(Spi.isCompatible("0.9"));
        String[] host = Spi.VERSION.split("\\.");
        assertFalse(
                Spi.isCompatible(host[0] + "." + (Integer.parseInt(host[1]) + 1)),
                "a plugin needing a newer minor than the host is refused");
        assertFalse(Spi.isCompatible("1.0"), "a plugin built for SPI 1 is refused");
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
        var noSensor = assertThrows(BadRequestException.class, () -> new TrainRequest(null, List.of()));
        assertEquals("sensor", noSensor.field());
        assertThrows(
                IllegalArgumentException.class,
                () -> new ForecastPoint(Instant.EPOCH, 1, 5, 6, 7),
                "an interval must contain its value");
    }

    @Test
    void insufficientHistorySaysWhatIsNeeded() {
        var e = new InsufficientHistoryException(SensorId.of("d", "s"), 53, 20, "training", "lower x.window");
        assertEquals(53, e.needed());
        assertEquals(20, e.available());
        assertTrue(e.getMessage().contains("at least 53") && e.getMessage().contains("only 20"), e.getMessage());
        assertTrue(e.getMessage().endsWith("or lower x.window"), "the plugin's own hint: " + e.getMessage());
        var modelInfo = new ModelInfo(
                SensorId.of("d", "s"),
                "v",
                1,
                java.time.Duration.ofHours(1),
                12,
                "blend",
                100,
                10,
                Instant.EPOCH,
                ModelStatus.READY,
                java.util.Map.of(ModelInfo.VAL_MAE, 2.0, ModelInfo.BASELINE_MAE, 4.0));
        assertEquals(0.5, modelInfo.valRelmae(), 1e-12);
        assertEquals(
                java.time.Duration.ZERO,
                modelInfo.intervalOffset(),
                "SPI 2.0's constructor, which a 2.0 plugin calls: the plain grid");
        assertTrue(Double.isNaN(modelInfo.metric("unknown")));
    }
}
