package io.prognos.host.core.wire;

/** A message the adapter cannot use; {@link #reason()} is a short machine-readable code. */
public final class BadPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public BadPayloadException(String reason, String message) {
        // No stack: the sender's fault, said by reason and message and never logged with a trace;
        // the stack would say only where the parser was, filled for each bad element of an array.
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
