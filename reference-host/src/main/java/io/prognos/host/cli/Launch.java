package io.prognos.host.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.ModelStore;
import io.prognos.api.PluginContext;
import io.prognos.api.ThreadLimits;
import io.prognos.host.runtime.HostConfig;
import io.prognos.host.runtime.HostRuntime;
import io.prognos.host.runtime.PluginCalls;
import io.prognos.host.runtime.PluginLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every command starts from: the configuration from its sources, and the plugins found on the
 * class path and in {@code prognos.plugins-dir}. The properties file is read twice: once to find
 * the plugins directory, once with the plugins' keys known (for their environment variables).
 */
record Launch(Map<String, String> config, PluginLoader.Found found) {

    private static final Logger LOG = LoggerFactory.getLogger(Launch.class);

    static Launch of(ConfigOptions options) {
        Map<String, String> env = System.getenv();
        PluginLoader.Found found = PluginLoader.load(Launch.class.getClassLoader(), pluginsDir(options, env));
        List<ForecastingPlugin> plugins =
                found.plugins().stream().map(PluginLoader.Loaded::plugin).toList();
        List<ConfigDef.Key> known = HostRuntime.knownKeys(plugins);
        ConfigOptions.unknownEnvironment(known, env).forEach(LOG::warn);
        return new Launch(options.resolve(known, env), found);
    }

    /** {@code prognos.plugins-dir} from the configuration's sources (file, environment, flags); {@code plugins} when unset. */
    static Path pluginsDir(ConfigOptions options, Map<String, String> env) {
        return Path.of(options.resolve(HostConfig.CONFIG.keys(), env).getOrDefault("prognos.plugins-dir", "plugins"));
    }

    /** The plugin named by {@code prognos.plugin}. */
    PluginLoader.Loaded chosen() {
        return found.byId(HostConfig.CONFIG
                .parse("the host", HostConfig.withPrefix(config, "prognos."))
                .getString("prognos.plugin"));
    }

    /**
     * The chosen plugin started on its own, for commands that need no database or broker
     * ({@code evaluate}, {@code nab}, {@code bench}): its configuration validated and its calls
     * wrapped like the host's, models kept in memory, one training job.
     */
    ForecastingPlugin startAlone() {
        return startAlone(new InMemoryModelStore());
    }

    /** As {@link #startAlone()}, keeping models in {@code store}. */
    ForecastingPlugin startAlone(ModelStore store) {
        PluginLoader.Loaded chosen = chosen();
        String id = chosen.plugin().id();
        List<ConfigProblem> parts = HostRuntime.partProblems(config, id);
        if (!parts.isEmpty()) {
            throw new InvalidConfigurationException("the host", parts);
        }
        Map<String, String> pluginConfig = HostConfig.withPrefix(config, id + ".");
        List<ConfigProblem> problems = chosen.plugin().validate(pluginConfig);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("plugin '" + id + "' (" + chosen.source() + ")", problems);
        }
        ForecastingPlugin p = PluginCalls.wrap(chosen.plugin(), chosen.loader(), new SimpleMeterRegistry());
        p.start(new PluginContext(pluginConfig, new ThreadLimits(1, 1), store, Clock.systemUTC()));
        return p;
    }
}
