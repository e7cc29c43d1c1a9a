package io.prognos.api;

/**
 * A sensor's online state as the plugin keeps it between readings: the recent intervals, the
 * forecasts waiting for their actuals, how well each method has been doing, the interval
 * calibration and the anomaly statistics. The host owns the object and keeps it where it likes
 * (in memory, in a Kafka Streams state store, in a database) and hands it back with every call;
 * to the host it is opaque. Not thread-safe: one caller at a time per sensor.
 *
 * <p>{@link #toBytes()} gives a self-describing, versioned form that
 * {@link ForecastingPlugin#openState} restores, on this host or another one.
 */
public interface SensorState {

    SensorId sensor();

    /** The version of the model the state was built for, or null while it is bound to none. */
    String modelVersion();

    /** How many intervals of this sensor the state has scored since it was opened. */
    long intervalsScored();

    /** The state in a form {@link ForecastingPlugin#openState} can restore. */
    byte[] toBytes();
}
