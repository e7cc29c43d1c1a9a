package io.prognos.api;

/**
 * Too little usable history to train or forecast; says how much is needed, how much there is, and
 * (in the plugin's own terms) what else would help.
 */
public class InsufficientHistoryException extends BadRequestException {
    private static final long serialVersionUID = 1L;

    private final int needed;
    private final int available;
    private final String whyShort;

    /** {@code hint}: what else would help, naming the plugin's own keys; may be empty. */
    public InsufficientHistoryException(SensorId sensor, int needed, int available, String what, String hint) {
        this(sensor, needed, available, what, hint, null);
    }

    /**
     * {@code whyShort}: why only {@code available} intervals are usable, in the plugin's own terms
     * (a pause in the readings longer than a setting of its own, say), or null when there is nothing
     * to say but that readings are few.
     *
     * @since SPI 2.5
     */
    public InsufficientHistoryException(
            SensorId sensor, int needed, int available, String what, String hint, String whyShort) {
        super(
                "history",
                sensor + ": " + what + " needs at least " + needed + " consecutive intervals of readings"
                        + " but only " + available + " are usable" + (whyShort == null ? "" : " (" + whyShort + ")")
                        + "; send more history" + (hint == null || hint.isEmpty() ? "" : " or " + hint));
        this.needed = needed;
        this.available = available;
        this.whyShort = whyShort;
    }

    public int needed() {
        return needed;
    }

    public int available() {
        return available;
    }

    /**
     * Why only {@link #available} intervals are usable, in the plugin's words, or null.
     *
     * @since SPI 2.5
     */
    public String whyShort() {
        return whyShort;
    }
}
