package io.prognos.api;

/**
 * Version of this SPI. A host accepts a plugin whose {@link ForecastingPlugin#spiVersion()} has
 * the same major version and a minor version not newer than the host's.
 */
public final class Spi {

    public static final String VERSION = "1.0";

    private Spi() {
    }

    public static boolean isCompatible(String pluginSpiVersion) {
        int[] host = parse(VERSION);
        int[] plugin;
        try {
            plugin = parse(pluginSpiVersion);
        } catch (RuntimeException e) {
            return false;
        }
        return plugin[0] == host[0] && plugin[1] <= host[1];
    }

    private static int[] parse(String v) {
        String[] parts = v.trim().split("\\.");
        return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
    }
}
