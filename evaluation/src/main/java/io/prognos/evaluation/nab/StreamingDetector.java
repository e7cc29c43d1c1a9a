package io.prognos.evaluation.nab;

import io.prognos.api.Reading;

/** Scores one file's readings as they arrive, each from itself and what came before only. */
public interface StreamingDetector extends AutoCloseable {

    /** The anomaly score in [0, 1] of the newest reading. */
    double score(Reading reading);

    @Override
    default void close() {}

    /** Opens a detector per file. */
    interface Factory {
        /** The detector's name, the prefix of its results files. */
        String name();

        /** The threshold the detector declares for its scores (0.5 for a binary alert). */
        double declaredThreshold();

        /**
         * A fresh detector for one file. {@code probationaryRows} is NAB's probationary period of
         * the file, which a detector may use to learn (NAB never scores it).
         */
        StreamingDetector open(String key, int probationaryRows);
    }
}
