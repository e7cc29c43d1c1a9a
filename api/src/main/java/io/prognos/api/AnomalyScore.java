package io.prognos.api;

import java.time.Instant;

/**
 * How unlikely one completed interval of a sensor is under its model.
 *
 * @param intervalStart the start of the interval that was scored
 * @param at            the time of the last reading in it: when the score became known
 * @param value         the interval's value (the mean of its readings)
 * @param score         in [0, 1]: the calibrated likelihood that behaviour has departed from the
 *                      model; one threshold serves every sensor (see {@link PluginDescription})
 * @param surprise      in [0, 1]: the reading against its one-step forecast distribution
 * @param shift         in [0, 1]: the recent readings against forecasts made several steps
 *                      earlier (a level shift or change of variance the re-anchoring forecast
 *                      explains away after one step)
 * @param novelty       in [0, 1]: the value against what the training history ever showed
 * @param reason        what drove the score, for people
 */
public record AnomalyScore(
        SensorId sensor,
        Instant intervalStart,
        Instant at,
        double value,
        double score,
        double surprise,
        double shift,
        double novelty,
        String reason) {

    public AnomalyScore {
        for (double v : new double[] {score, surprise, shift, novelty}) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("anomaly scores lie in [0, 1], got " + v);
            }
        }
    }
}
