package io.prognos.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefTest {

    private final ConfigDef def = new ConfigDef()
            .define("units", ConfigDef.Type.INT, "32", 1, 512, "units")
            .define("coverage", ConfigDef.Type.DOUBLE, "0.9", 0.5, 0.999, "coverage")
            .define("interval", ConfigDef.Type.DURATION, "1h", 1, 86400, "interval")
            .define("enabled", ConfigDef.Type.BOOLEAN, "true", "flag")
            .defineSecret("password", "a secret");

    @Test
    void namesEveryBadKeyAtOnce() {
        var e = assertThrows(
                InvalidConfigurationException.class,
                () -> def.parse(
                        "test",
                        Map.of(
                                "units",
                                "many",
                                "coverage",
                                "1.5",
                                "interval",
                                "2 fortnights",
                                "enabled",
                                "yes",
                                "colour",
                                "blue")));
        List<String> keys =
                e.problems().stream().map(ConfigProblem::key).sorted().toList();
        assertEquals(List.of("colour", "coverage", "enabled", "interval", "units"), keys);
        assertTrue(e.getMessage().contains("coverage: must be at most 0.999, got '1.5'"), e.getMessage());
        assertTrue(e.getMessage().contains("units: expected a whole number, got 'many'"), e.getMessage());
        assertTrue(e.getMessage().contains("colour: unknown key"), e.getMessage());
    }

    @Test
    void aChoiceInAnyCaseIsReadAsDeclared() {
        ConfigDef choices = new ConfigDef().defineChoice("scale", "calibration", "the scale", "calibration", "live");
        // Accepted ignoring case, so read as declared: consumers compare with the declared spelling.
        assertEquals("live", choices.parse("test", Map.of("scale", " LIVE ")).getString("scale"));
        assertEquals("live", choices.parse("test", Map.of("scale", "Live")).getString("scale"));
        assertEquals("calibration", choices.parse("test", Map.of()).getString("scale"));
        var e = assertThrows(
                InvalidConfigurationException.class, () -> choices.parse("test", Map.of("scale", "lively")));
        assertTrue(e.getMessage().contains("scale: must be one of [calibration, live], got 'lively'"), e.getMessage());
    }

    @Test
    void aBlankSecretIsRefusedNotTakenAsAnEmptyCredential() {
        var e = assertThrows(InvalidConfigurationException.class, () -> def.parse("test", Map.of("password", "  ")));
        assertEquals(
                List.of("password"),
                e.problems().stream().map(ConfigProblem::key).toList());
        assertEquals("s3cret", def.parse("test", Map.of("password", "s3cret")).getString("password"));
    }

    @Test
    void appliesDefaultsAndParsesTypes() {
        var c = def.parse("test", Map.of("interval", "15m", "units", "64"));
        assertEquals(64, c.getInt("units"));
        assertEquals(0.9, c.getDouble("coverage"));
        assertEquals(Duration.ofMinutes(15), c.getDuration("interval"));
        assertTrue(c.getBoolean("enabled"));
    }

    @Test
    void parsesDurationsInEveryAcceptedForm() {
        assertEquals(Duration.ofMillis(500), ConfigDef.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(90), ConfigDef.parseDuration("90s"));
        assertEquals(Duration.ofHours(1), ConfigDef.parseDuration("PT1H"));
        assertEquals(Duration.ofDays(2), ConfigDef.parseDuration("2d"));
        assertThrows(IllegalArgumentException.class, () -> ConfigDef.parseDuration("soon"));
    }

    @Test
    void masksSecrets() {
        Map<String, String> masked = def.masked(Map.of("password", "hunter2", "units", "8"));
        assertEquals("******", masked.get("password"));
        assertEquals("8", masked.get("units"));
        assertFalse(masked.toString().contains("hunter2"));
    }

    @Test
    void refusesAnInvalidDefaultAtDeclaration() {
        assertThrows(
                IllegalStateException.class,
                () -> new ConfigDef().define("x", ConfigDef.Type.INT, "0", 1, 2, "bad default"));
    }
}
