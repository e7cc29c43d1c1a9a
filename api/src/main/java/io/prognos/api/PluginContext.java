package io.prognos.api;

import java.time.Clock;
import java.util.Map;

/**
 * What the host hands a plugin at start: its configuration (only the plugin's own keys), the
 * thread limits it must respect, where to keep models, and the clock to read time from.
 */
public record PluginContext(Map<String, String> config, ThreadLimits threads, ModelStore modelStore, Clock clock) {

    public PluginContext {
        config = Map.copyOf(config);
        if (threads == null || modelStore == null || clock == null) {
            throw new IllegalArgumentException("threads, modelStore and clock are required");
        }
    }

    public static PluginContext defaults(ModelStore store) {
        return new PluginContext(Map.of(), ThreadLimits.defaults(), store, Clock.systemUTC());
    }
}
