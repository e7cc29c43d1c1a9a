package io.prognos.api;

/**
 * Too little usable history to train or forecast; says how much is needed, how much there is, and
 * (in the plugin's own terms) what else would help.
 */
public class InsufficientHistoryException extends BadRequestException {
    private static final long serialVersionUID = 1L;

    private final int needed;
    private final int available;

    /** {@code hint}: what else would help, naming the plugin's own keys; may be empty. */
    public InsufficientHistoryException(SensorId sensor, int needed, int available, String what, String hint) {
        super(
                "history",
                sensor + ": " + what + " needs at least " + needed + " consecutive intervals of readings"
                        + " but only " + available + " are usable; send more history"
                        + (hint == null || hint.isEmpty() ? "" : " or " + hint));
        this.needed = needed;
        this.available = available;
    }

    public int needed() {
        return needed;
    }

    public int available() {
        return available;
    }
}
