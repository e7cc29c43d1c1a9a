package io.prognos.api;

import java.time.Instant;

/**
 * A reading is NaN, infinite or beyond {@link Reading#MAX_MAGNITUDE}, or otherwise unusable; names
 * the first offender and how many there are.
 */
public class InvalidReadingException extends BadRequestException {
    private static final long serialVersionUID = 1L;

    private final Instant firstTimestamp;
    private final int count;

    public InvalidReadingException(SensorId sensor, Instant firstTimestamp, double firstValue, int count) {
        super(
                "value",
                sensor + ": " + count + " reading(s) are not finite numbers within +-" + Reading.MAX_MAGNITUDE
                        + ", the first at " + firstTimestamp + " with value " + firstValue
                        + "; remove or correct them and send the request again");
        this.firstTimestamp = firstTimestamp;
        this.count = count;
    }

    public Instant firstTimestamp() {
        return firstTimestamp;
    }

    public int count() {
        return count;
    }
}
