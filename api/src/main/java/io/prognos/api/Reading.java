package io.prognos.api;

import java.time.Instant;

/**
 * One measured value at one time. Non-finite values are representable on purpose so that a
 * host can hand over what it received; the plugin rejects them with {@link InvalidReadingException}
 * naming the offending timestamp instead of silently dropping them.
 */
public record Reading(Instant timestamp, double value) {

    /**
     * The largest magnitude of a usable value. No measurement comes near it, and beyond it the
     * squares and differences that models compute overflow to infinity: a reading of 1e308 (a
     * "no value" code of some systems) left a model's forecasts NaN.
     *
     * @since SPI 2.4
     */
    public static final double MAX_MAGNITUDE = 1e150;

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

    /**
     * Whether {@code value} is usable: finite and within {@link #MAX_MAGNITUDE} either way.
     *
     * @since SPI 2.4
     */
    public static boolean usable(double value) {
        return Math.abs(value) <= MAX_MAGNITUDE; // false for NaN and the infinities
    }

    public boolean isUsable() {
        return usable(value);
    }
}
