package io.prognos.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A host that knows only the SPI finds the plugin in the built jar: the jar's
 * META-INF/services entry is what ServiceLoader reads, not the build's class folders.
 */
class ServiceDiscoveryIT {

    @Test
    void serviceLoaderFindsTheLstmPluginInTheBuiltJar() throws Exception {
        Path jar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("prognos-plugin-lstm-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().contains("sources"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("plugin jar not built"));
        }
        List<URL> urls = new ArrayList<>();
        urls.add(jar.toUri().toURL());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (p.endsWith(Path.of("target", "classes")) && p.toString().contains("plugin-lstm")
                    || p.endsWith(Path.of("target", "test-classes"))) {
                continue; // only the jar may provide the plugin
            }
            urls.add(p.toUri().toURL());
        }
        try (URLClassLoader loader =
                new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Class<?> spi = loader.loadClass("io.prognos.api.ForecastingPlugin");
            List<Object> found = new ArrayList<>();
            ServiceLoader.load(spi, loader).forEach(found::add);
            assertEquals(1, found.size(), "exactly one plugin: " + found);
            Object plugin = found.get(0);
            assertEquals("lstm", spi.getMethod("id").invoke(plugin));
            assertEquals(io.prognos.api.Spi.VERSION, spi.getMethod("spiVersion").invoke(plugin));
            URL source = plugin.getClass().getProtectionDomain().getCodeSource().getLocation();
            assertTrue(source.toString().endsWith(".jar"), "loaded from " + source);
            Class<?> discovery = loader.loadClass("io.prognos.api.PluginDiscovery");
            Object result = discovery.getMethod("discover", ClassLoader.class).invoke(null, loader);
            List<?> plugins = (List<?>) result.getClass().getMethod("plugins").invoke(result);
            assertEquals(1, plugins.size());
        }
    }
}
