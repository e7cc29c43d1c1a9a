package io.prognos.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.api.ForecastingPlugin;
import io.prognos.host.runtime.PluginLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is what the declarations say, or the build fails until it is regenerated. */
class ConfigurationDocTest {

    @Test
    void theConfigurationPageMatchesTheDeclarations() throws Exception {
        List<ForecastingPlugin> plugins =
                PluginLoader.load(getClass().getClassLoader(), Path.of("no-plugins")).plugins().stream()
                        .map(PluginLoader.Loaded::plugin)
                        .toList();
        String expected = ConfigReference.markdown(plugins);
        Path page = Path.of("../docs/configuration.md");
        if (Boolean.getBoolean("prognos.docs.write")) {
            Files.writeString(page, expected);
        }
        String actual = Files.exists(page) ? Files.readString(page) : "";
        assertEquals(
                expected,
                actual,
                "docs/configuration.md is stale: regenerate it with -Dprognos.docs.write=true (see the comment at its top)");
    }
}
