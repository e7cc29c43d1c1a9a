package io.prognos.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.prognos.api.SensorId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model row's JSON columns as a person may have edited them: what is usable kept, the rest said. */
class ModelRowJsonTest {

    private static final SensorId PUMP = SensorId.of("pump-3", "vibration");

    @Test
    void figuresThatAreNotNumbersAreLeftOutAndSaidOnce() {
        ModelRowJson json = new ModelRowJson();
        try (Logged logged = Logged.by(ModelRowJson.class)) {
            String edited = "{\"mase\": 0.8, \"val_mae\": null, \"smape\": \"12\", \"coverage\": [0.9]}";
            assertEquals(Map.of("mase", 0.8), json.metrics(PUMP, edited));
            assertEquals(Map.of("mase", 0.8), json.metrics(PUMP, edited), "read again");
            List<String> warned = warnings(logged);
            assertEquals(1, warned.size(), "once for the same row content: " + warned);
            assertTrue(
                    warned.get(0).contains(PUMP.toString())
                            && warned.get(0).contains("metrics")
                            && warned.get(0).contains("[smape, coverage]"),
                    warned.get(0));
            assertEquals(Map.of(), json.metrics(SensorId.of("pump-4", "vibration"), "not json"));
            assertEquals(Map.of(), json.metrics(PUMP, "[0.8]"));
            assertEquals(3, warnings(logged).size(), "another sensor and another content are said too");
            assertEquals(Map.of(), json.metrics(PUMP, "null"), "JSON null: none");
            assertEquals(Map.of(), json.metrics(PUMP, null), "SQL null: none");
            assertEquals(3, warnings(logged).size(), "nothing to say about none");
        }
    }

    @Test
    void optionsWrittenByHandAsNumbersOrTruthValuesAreTakenAsTheirText() {
        ModelRowJson json = new ModelRowJson();
        try (Logged logged = Logged.by(ModelRowJson.class)) {
            String edited = "{\"model_version\": \"v2\", \"options\":"
                    + " {\"epochs\": 5, \"learning_rate\": 0.01, \"early_stop\": true, \"window\": \"48\","
                    + " \"gone\": null, \"layers\": [32, 16]}}";
            assertEquals(
                    Map.of("epochs", "5", "learning_rate", "0.01", "early_stop", "true", "window", "48"),
                    json.trainOptions(PUMP, "v2", edited));
            List<String> warned = warnings(logged);
            assertEquals(1, warned.size(), warned.toString());
            assertTrue(warned.get(0).contains("train_options") && warned.get(0).contains("[layers]"), warned.get(0));
            assertEquals(Map.of(), json.trainOptions(PUMP, "v3", edited), "another model's options");
            assertEquals(
                    Map.of(), json.trainOptions(PUMP, "v2", "{\"model_version\": \"v2\", \"options\": null}"), "none");
            assertEquals(1, warnings(logged).size(), "neither is a fault of the row");
            assertEquals(Map.of(), json.trainOptions(PUMP, "v2", "{\"model_version\": \"v2\", \"options\": 5}"));
            assertEquals(Map.of(), json.trainOptions(PUMP, "v2", "{\"model_version\": \"v2\""));
            assertEquals(3, warnings(logged).size(), "options that are not an object, JSON cut short");
        }
    }

    private static List<String> warnings(Logged logged) {
        return logged.events().list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
