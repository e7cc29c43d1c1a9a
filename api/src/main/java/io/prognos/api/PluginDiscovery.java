package io.prognos.api;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds {@link ForecastingPlugin}s with {@link ServiceLoader} and refuses SPI-incompatible ones. */
public final class PluginDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDiscovery.class);

    /** A plugin that was found but cannot be used, and why. */
    public record Refused(String provider, String reason) {}

    /** Plugins that can be used, and those that were refused. */
    public record Result(List<ForecastingPlugin> plugins, List<Refused> refused) {}

    private PluginDiscovery() {}

    public static Result discover(ClassLoader loader) {
        List<ForecastingPlugin> plugins = new ArrayList<>();
        List<Refused> refused = new ArrayList<>();
        var it = ServiceLoader.load(ForecastingPlugin.class, loader).iterator();
        while (true) {
            ForecastingPlugin p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                LOG.error("A forecasting plugin could not be instantiated: {}", e.getMessage());
                refused.add(new Refused("unknown", e.getMessage()));
                continue;
            }
            if (!Spi.isCompatible(p.spiVersion())) {
                String why = "plugin '" + p.id() + "' was built for SPI " + p.spiVersion()
                        + " but this host speaks SPI " + Spi.VERSION + "; use a plugin build for SPI "
                        + Spi.VERSION.split("\\.")[0] + ".x";
                LOG.error(why);
                refused.add(new Refused(p.id(), why));
                continue;
            }
            plugins.add(p);
        }
        return new Result(plugins, refused);
    }
}
