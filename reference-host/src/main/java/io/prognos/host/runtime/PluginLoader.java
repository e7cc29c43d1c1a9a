package io.prognos.host.runtime;

import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.PluginDiscovery;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds plugins on the host's class path and in a plugins directory. Each entry of the directory
 * (a jar, or a folder of jars for a plugin with dependencies) gets a class loader of its own that
 * sees only the SPI and SLF4J of the host, so a plugin's libraries never clash with the host's or
 * another plugin's.
 */
public final class PluginLoader {

    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);

    /** A usable plugin, the loader its classes came from, and where it was found. */
    public record Loaded(ForecastingPlugin plugin, ClassLoader loader, String source) {}

    /** Usable plugins and refused ones (SPI-incompatible or broken), each with a reason. */
    public record Found(List<Loaded> plugins, List<PluginDiscovery.Refused> refused) {

        /** The usable plugin with this id; refused naming {@code prognos.plugin}, what was found and what was refused. */
        public Loaded byId(String id) {
            return plugins.stream()
                    .filter(l -> l.plugin().id().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new InvalidConfigurationException(
                            "the host",
                            List.of(new ConfigProblem(
                                    "prognos.plugin",
                                    "no usable plugin '" + id + "'; found "
                                            + plugins.stream()
                                                    .map(l -> l.plugin().id())
                                                    .toList() + ", refused " + refused))));
        }
    }

    private PluginLoader() {}

    /** The plugins on the host's class path and in {@code pluginsDir} (none from there when it is null or absent). */
    public static Found load(ClassLoader hostLoader, Path pluginsDir) {
        List<Loaded> plugins = new ArrayList<>();
        List<PluginDiscovery.Refused> refused = new ArrayList<>();
        collect(hostLoader, "class path", plugins, refused);
        if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
            try (Stream<Path> entries = Files.list(pluginsDir)) {
                for (Path entry : entries.sorted().toList()) {
                    List<URL> urls = jars(entry);
                    if (urls.isEmpty()) {
                        continue;
                    }
                    ClassLoader own = new URLClassLoader(
                            "plugin " + entry.getFileName(),
                            urls.toArray(URL[]::new),
                            new ApiOnlyClassLoader(hostLoader));
                    collect(own, entry.toString(), plugins, refused);
                }
            } catch (IOException e) {
                LOG.error("cannot list plugins directory {}: {}", pluginsDir, e.getMessage());
                refused.add(new PluginDiscovery.Refused(pluginsDir.toString(), "cannot list: " + e.getMessage()));
            }
        }
        return new Found(plugins, refused);
    }

    private static void collect(
            ClassLoader loader, String source, List<Loaded> plugins, List<PluginDiscovery.Refused> refused) {
        PluginDiscovery.Result r = PluginDiscovery.discover(loader);
        for (ForecastingPlugin p : r.plugins()) {
            LOG.info("found plugin '{}' {} (SPI {}) in {}", p.id(), p.version(), p.spiVersion(), source);
            plugins.add(new Loaded(p, loader, source));
        }
        r.refused()
                .forEach(x -> refused.add(new PluginDiscovery.Refused(x.provider() + " (" + source + ")", x.reason())));
    }

    private static List<URL> jars(Path entry) throws IOException {
        List<Path> paths = new ArrayList<>();
        if (Files.isDirectory(entry)) {
            try (Stream<Path> s = Files.list(entry)) {
                s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(paths::add);
            }
        } else if (entry.toString().endsWith(".jar")) {
            paths.add(entry);
        }
        List<URL> urls = new ArrayList<>();
        for (Path p : paths) {
            try {
                urls.add(p.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IOException("bad plugin path " + p, e);
            }
        }
        return urls;
    }

    /**
     * The parent of a plugin's loader: the JDK, plus the SPI and SLF4J from the host, so that the
     * plugin's {@code ForecastingPlugin} is the host's and its logs reach the host's logger.
     * Resources are not shared: the host's service files stay invisible to the plugin's loader.
     */
    public static final class ApiOnlyClassLoader extends ClassLoader {

        private final ClassLoader host;

        ApiOnlyClassLoader(ClassLoader host) {
            super("prognos-api-only", ClassLoader.getPlatformClassLoader());
            this.host = host;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.prognos.api.") || name.startsWith("org.slf4j.")) {
                return host.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
