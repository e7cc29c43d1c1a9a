package io.prognos.api;

import java.util.List;

/**
 * What the plugin made of new readings: one anomaly score for every interval they completed
 * (none while an interval is still filling, or before the sensor has a model), and how many
 * readings could not be used (late for an interval already scored, or out of order by more than
 * that), so that nothing is dropped silently.
 */
public record Observation(SensorId sensor, List<AnomalyScore> scores, int lateReadings) {

    public Observation {
        scores = List.copyOf(scores);
    }

    /** The score of the newest completed interval, or null. */
    public AnomalyScore latest() {
        return scores.isEmpty() ? null : scores.get(scores.size() - 1);
    }
}
