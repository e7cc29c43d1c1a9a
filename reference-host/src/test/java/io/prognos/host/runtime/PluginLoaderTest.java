package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.host.HostFixture;
import io.prognos.host.cli.PrognosHost;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin jars dropped into a plugins directory: compiled here against the SPI alone, each loaded in
 * its own class loader; an SPI-incompatible one and a bad configuration are refused by name.
 */
class PluginLoaderTest {

    @TempDir
    Path tmp;

    /** A plugin that forecasts its configured constant; enough to be discovered and started. */
    private static String source(String id, String spi) {
        return """
                package acme;
                import io.prognos.api.*;
                import java.time.Duration;
                import java.util.*;
                public final class ConstantPlugin implements ForecastingPlugin {
                    public String id() { return "%1$s"; }
                    public String version() { return "9.9"; }
                    public String spiVersion() { return "%2$s"; }
                    public Set<Capability> capabilities() { return EnumSet.of(Capability.TIME_SERIES_FORECASTING); }
                    public ConfigDef configDef() {
                        return new ConfigDef().define("%1$s.value", ConfigDef.Type.DOUBLE, "1", "the constant");
                    }
                    public void start(PluginContext c) { }
                    public void stop() { }
                    public PluginDescription describe() {
                        return new PluginDescription(null, 1, 0.9, 0.5, 1, new ConfigDef(), Map.of());
                    }
                    public ModelInfo train(TrainRequest r) { throw new UnsupportedOperationException(); }
                    public SensorState openState(SensorId s, byte[] saved) { throw new UnknownSensorException(s); }
                    public Observation observe(SensorState s, List<Reading> r) { return new Observation(s.sensor(), List.of(), 0); }
                    public Forecast forecast(SensorState s) { throw new UnknownSensorException(s.sensor()); }
                    public BatchForecast forecastBatch(List<SensorState> s) { return new BatchForecast(Map.of(), Map.of()); }
                    public RiskAssessment assessRisk(Forecast f, SensorState s, OperatingLimits l) { throw new UnsupportedOperationException(); }
                    public List<ScheduleEntry> schedule(Collection<RiskAssessment> a, Duration w) { return List.of(); }
                    public List<ModelInfo> models() { return List.of(); }
                    public Optional<ModelInfo> model(SensorId s) { return Optional.empty(); }
                    public boolean deleteModel(SensorId s) { return false; }
                }
                """.formatted(id, spi);
    }

    private static Path pluginJar(Path dir, String id, String spi) throws Exception {
        Path src = Files.createTempDirectory(dir.getParent(), "plugin-src"); // beside the jar, in the test's @TempDir
        Path file = src.resolve("acme/ConstantPlugin.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source(id, spi));
        Path classes = Files.createDirectories(src.resolve("classes"));
        String cp = Path.of(ForecastingPlugin.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                + File.pathSeparator
                + Path.of(org.slf4j.Logger.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-cp", cp, "-d", classes.toString(), file.toString()));
        Path jar = dir.resolve(id + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("acme/ConstantPlugin.class"));
            out.write(Files.readAllBytes(classes.resolve("acme/ConstantPlugin.class")));
            out.putNextEntry(new JarEntry("META-INF/services/io.prognos.api.ForecastingPlugin"));
            out.write("acme.ConstantPlugin\n".getBytes());
        }
        return jar;
    }

    /**
     * --help lists the keys of the plugins a start would load: those in prognos.plugins-dir as the
     * configuration file (or a flag) gives it, not only as the environment does.
     */
    @Test
    void helpListsTheKeysOfThePluginsInTheConfiguredDirectory() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        pluginJar(plugins, "constant", io.prognos.api.Spi.VERSION);
        Path file = tmp.resolve("prognos.properties");
        Files.writeString(file, "prognos.plugins-dir=" + plugins.toString().replace("\\", "/") + "\n");
        for (String[] args : List.of(
                new String[] {"--config", file.toString(), "--help"},
                new String[] {"--help", "--plugins-dir", plugins.toString()})) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = PrognosHost.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            String help = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, help);
            assertTrue(help.contains("constant.value"), String.join(" ", args) + ":\n" + help);
            assertTrue(help.contains("lstm.units"), "the class path's plugin is listed too");
        }
    }

    @Test
    void pluginsInTheDirectoryGetTheirOwnClassLoaderSharingOnlyTheSpi() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        pluginJar(plugins, "constant", io.prognos.api.Spi.VERSION);
        pluginJar(plugins, "future", "3.0");
        PluginLoader.Found found = PluginLoader.load(getClass().getClassLoader(), plugins);

        PluginLoader.Loaded constant = found.plugins().stream()
                .filter(l -> l.plugin().id().equals("constant"))
                .findFirst()
                .orElseThrow();
        assertNotSame(getClass().getClassLoader(), constant.loader());
        assertTrue(constant.source().endsWith("constant.jar"), constant.source());
        // The SPI types are the host's: the plugin is usable as a ForecastingPlugin.
        assertEquals(ForecastingPlugin.class, constant.loader().loadClass("io.prognos.api.ForecastingPlugin"));
        // Host libraries are not: Jackson is not visible through the plugin's loader.
        assertThrows(
                ClassNotFoundException.class,
                () -> Class.forName("com.fasterxml.jackson.core.JsonFactory", false, constant.loader()));
        // The class-path plugin is still found beside it.
        assertTrue(found.plugins().stream().anyMatch(l -> l.plugin().id().equals("lstm")));

        assertEquals(1, found.refused().size(), found.refused().toString());
        String why = found.refused().get(0).reason();
        assertTrue(why.contains("'future'") && why.contains("SPI 3.0"), why);
    }

    @Test
    void aBadPluginConfigurationIsRefusedNamingThePluginAndTheKey() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        pluginJar(plugins, "constant", io.prognos.api.Spi.VERSION);
        PluginLoader.Found found = PluginLoader.load(getClass().getClassLoader(), plugins);
        Map<String, String> config = new java.util.HashMap<>(HostFixture.config(HostFixture.dataDir()));
        config.put("prognos.plugin", "constant");
        config.put("constant.value", "lots");
        var e = assertThrows(
                InvalidConfigurationException.class,
                () -> HostRuntime.start(config, found, HostRuntime.Parts.STORE_ONLY, java.time.Clock.systemUTC()));
        assertTrue(
                e.getMessage().contains("plugin 'constant'") && e.getMessage().contains("constant.value"),
                e.getMessage());

        config.put("constant.value", "2");
        config.put("prognos.plugin", "missing");
        var missing = assertThrows(
                InvalidConfigurationException.class,
                () -> HostRuntime.start(config, found, HostRuntime.Parts.STORE_ONLY, java.time.Clock.systemUTC()));
        assertTrue(missing.getMessage().contains("prognos.plugin"), missing.getMessage());
        assertEquals(
                List.of("prognos.plugin"),
                missing.problems().stream().map(p -> p.key()).toList());
    }
}
