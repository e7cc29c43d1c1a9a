package io.prognos.evaluation;

import io.prognos.api.ForecastingPlugin;

/**
 * How the evaluation gets a plugin: the host loads it, configures it from its own configuration,
 * wraps its calls (context class loader, meters) and starts it with an in-memory model store. The
 * evaluation stops what it started.
 */
@FunctionalInterface
public interface PluginFactory {

    /** A started plugin, used by one caller and stopped by it. */
    ForecastingPlugin start();
}
