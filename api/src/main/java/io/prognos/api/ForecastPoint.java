package io.prognos.api;

import java.time.Instant;

/**
 * One step of a forecast. {@code lower} and {@code upper} bound the value at the forecast's
 * nominal coverage (for example 90 %); {@code stepsAhead} counts sensor intervals from the last
 * observed reading, starting at 1.
 */
public record ForecastPoint(Instant timestamp, int stepsAhead, double value, double lower, double upper) {

    public ForecastPoint {
        if (stepsAhead < 1) {
            throw new IllegalArgumentException("stepsAhead starts at 1, got " + stepsAhead);
        }
        if (!(lower <= value && value <= upper)) {
            throw new IllegalArgumentException(
                    "interval must contain the value: lower=" + lower + " value=" + value + " upper=" + upper);
        }
    }

    public boolean contains(double actual) {
        return actual >= lower && actual <= upper;
    }
}
