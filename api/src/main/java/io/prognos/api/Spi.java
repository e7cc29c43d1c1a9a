package io.prognos.api;

/**
 * Version of this SPI. A host accepts a plugin whose {@link ForecastingPlugin#spiVersion()} has
 * the same major version and a minor version not newer than the host's. A change that breaks a
 * plugin or a host built for the previous version raises the major version; an addition that
 * neither notices raises the minor one.
 *
 * <p>2.0: training options are a key-value map the plugin validates; {@code ModelInfo} has core
 * fields and a metrics map; {@code describe()}; a per-sensor {@link SensorState} the host keeps
 * and hands back; an anomaly score for every completed interval ({@code observe}); forecasts are
 * made from the state; risk carries its basis, a time-to-failure range and an act-by time.
 *
 * <p>2.1: {@link ModelInfo#intervalOffset()}, where a model's intervals sit on the clock (2.0's
 * constructor stays, for the plain grid); {@link RetryLaterException.Reason#AWAITING_READINGS}.
 *
 * <p>2.2: {@link ModelStore#watch}, models saved or deleted by others sharing the store.
 *
 * <p>2.3: {@link ModelStore#info}, one model's metadata without its bytes.
 *
 * <p>2.4: {@link Reading#MAX_MAGNITUDE} and {@link Reading#usable}, the values a host and a plugin
 * take as measurements (finite, within +-1e150).
 *
 * <p>2.5: {@link InsufficientHistoryException#whyShort}, why a sensor's usable stretch of readings
 * is short (a pause longer than the plugin bridges), for the host to tell the user.
 *
 * <p>2.6: {@link ModelInfo#CONTEXT_INTERVALS} and {@link ModelInfo#contextIntervals}, how many
 * intervals of readings a fresh state needs before its first forecast.
 *
 * <p>2.7: {@link ModelInfo#trainOptions()}, the options a model was trained with, for a host to
 * repeat when it trains the sensor again on its own.
 *
 * <p>2.8: {@link ReadingList}, readings kept as columns, which {@link TrainRequest} keeps its
 * history as (a host that builds one saves the copy and most of the memory of a long history).
 *
 * <p>2.9: {@link InsufficientHistoryException#readyAt}, the newest reading's time before which a
 * training refused for too little history cannot succeed, for a host to wait for it.
 */
public final class Spi {

    public static final String VERSION = "2.9";

    private Spi() {}

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
