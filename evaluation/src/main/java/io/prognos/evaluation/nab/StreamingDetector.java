package io.prognos.evaluation.nab;

import io.prognos.api.Reading;

/** Scores one file's readings as they arrive, each from itself and what came before only. */
public interface StreamingDetector extends AutoCloseable {

    /** The newest reading's scores. */
    Score score(Reading reading);

    /**
     * {@code scored}: what NAB thresholds, the detector's alerts; {@code raw}: the anomaly score in
     * [0, 1] itself (the same for a detector that alerts on every reading above its threshold).
     */
    record Score(double scored, double raw) {
        public static Score of(double score) {
            return new Score(score, score);
        }
    }

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
