package io.prognos.api;

import java.time.Instant;

/**
 * One measured value at one time. Non-finite values are representable on purpose so that a
 * host can hand over what it received; the plugin rejects them with {@link InvalidReadingException}
 * naming the offending timestamp instead of silently dropping them.
 */
public record Reading(Instant timestamp, double value) {

    public Reading {
        if (timestamp == null) {
            throw new BadRequestException("timestamp", "a reading needs a timestamp");
        }
    }

    public static Reading of(Instant timestamp, double value) {
        return new Reading(timestamp, value);
    }

    public boolean isFinite() {
        return Double.isFinite(value);
    }
}
