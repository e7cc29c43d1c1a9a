package io.prognos.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.api.ConfigDef;
import io.prognos.api.ForecastingPlugin;
import io.prognos.host.runtime.HostRuntime;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ConfigOptionsTest {

    /** A misspelt environment variable is said, with the key meant; other software's are left alone. */
    @Test
    void environmentVariablesThatNameNoKeyAreNamedWithTheNearestKey() {
        List<ForecastingPlugin> plugins = ServiceLoader.load(ForecastingPlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        List<ConfigDef.Key> known = HostRuntime.knownKeys(plugins);
        Map<String, String> env = Map.of(
                "LSTM_EPOCH", "5",
                "LSTM_EPOCHS", "5",
                "PROGNOS_HTTP_PROT", "5003",
                "MQTT_SOMETHING_ELSE_ENTIRELY", "x",
                "PATH", "/usr/bin",
                "HOME", "/root");
        assertEquals(
                List.of(
                        "environment variable LSTM_EPOCH names no configuration key and is ignored; did you mean"
                                + " LSTM_EPOCHS?",
                        "environment variable MQTT_SOMETHING_ELSE_ENTIRELY names no configuration key and is ignored",
                        "environment variable PROGNOS_HTTP_PROT names no configuration key and is ignored; did you"
                                + " mean PROGNOS_HTTP_PORT?"),
                ConfigOptions.unknownEnvironment(known, env));
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, ConfigOptions.editDistance("LSTM_EPOCHS", "LSTM_EPOCHS"));
        assertEquals(1, ConfigOptions.editDistance("LSTM_EPOCH", "LSTM_EPOCHS"));
        assertEquals(2, ConfigOptions.editDistance("PROGNOS_HTTP_PROT", "PROGNOS_HTTP_PORT"));
        assertEquals(3, ConfigOptions.editDistance("kitten", "sitting"));
    }
}
