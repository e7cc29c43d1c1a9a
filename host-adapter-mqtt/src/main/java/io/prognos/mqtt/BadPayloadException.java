package io.prognos.mqtt;

/** A message the adapter cannot use; {@link #reason()} is a short machine-readable code. */
final class BadPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    BadPayloadException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
