package io.prognos.api;

/** What a plugin can do; a host enables features by what the plugin reports. */
public enum Capability {
    TIME_SERIES_FORECASTING,
    BATCH_FORECASTING,
    CONFIDENCE_INTERVALS,
    ONLINE_INTERVAL_ADAPTATION,
    ANOMALY_SCORES,
    FAILURE_PREDICTION,
    MAINTENANCE_SCHEDULING,
    MODEL_PERSISTENCE
}
