package io.prognos.api;

import java.time.Duration;

/**
 * The request was fine but cannot be served now: the model is busy training, the store is
 * unavailable, all training slots are taken, the sensor's recent readings are too few. The same
 * request may succeed later.
 */
public class RetryLaterException extends PrognosException {
    private static final long serialVersionUID = 1L;

    /** Why the request could not be served now; lets a REST host pick 409 or 503. */
    public enum Reason {
        MODEL_BUSY,
        STORE_UNAVAILABLE,
        CAPACITY,
        /**
         * The sensor has too few recent readings to forecast from (after a gap in its readings, or
         * since it started): forecasts resume as readings arrive, about {@link #retryAfter()} on.
         */
        AWAITING_READINGS
    }

    private final Reason reason;
    private final Duration retryAfter;

    public RetryLaterException(Reason reason, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public static RetryLaterException modelBusy(SensorId sensor) {
        return new RetryLaterException(
                Reason.MODEL_BUSY,
                "the model of " + sensor + " is being trained right now; try again when training finishes",
                Duration.ofSeconds(5),
                null);
    }

    public static RetryLaterException storeUnavailable(String what, Throwable cause) {
        return new RetryLaterException(
                Reason.STORE_UNAVAILABLE,
                "store unavailable (" + what + "); the request can be retried when it is back",
                Duration.ofSeconds(10),
                cause);
    }

    public Reason reason() {
        return reason;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
