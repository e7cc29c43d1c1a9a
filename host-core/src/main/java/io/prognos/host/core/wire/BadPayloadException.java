package io.prognos.host.core.wire;

/** A message the adapter cannot use; {@link #reason()} is a short machine-readable code. */
public final class BadPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public BadPayloadException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
