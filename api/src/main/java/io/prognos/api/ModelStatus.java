package io.prognos.api;

/** Lifecycle state of a sensor's model as the plugin sees it. */
public enum ModelStatus {
    /** Trained and usable. */
    READY,
    /** A training job for this sensor is running. */
    TRAINING,
    /** The stored model could not be read (corrupt, wrong format version); retrain it. */
    NEEDS_RETRAINING
}
