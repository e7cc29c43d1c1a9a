package io.prognos.api;

import java.time.Instant;

/**
 * Too little usable history to train or forecast; says how much is needed, how much there is, and
 * (in the plugin's own terms) what else would help.
 */
public class InsufficientHistoryException extends BadRequestException {
    private static final long serialVersionUID = 1L;

    private final int needed;
    private final int available;
    private final String whyShort;
    private final Instant readyAt;

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
        this(sensor, needed, available, what, hint, whyShort, null);
    }

    /**
     * {@code readyAt}: the earliest time of a newest reading at which the same request, its history
     * continued with newer readings, could succeed, or null when the plugin cannot say ({@link
     * #readyAt}).
     *
     * @since SPI 2.9
     */
    public InsufficientHistoryException(
            SensorId sensor, int needed, int available, String what, String hint, String whyShort, Instant readyAt) {
        super(
                "history",
                sensor + ": " + what + " needs at least " + needed + " consecutive intervals of readings"
                        + " but only " + available + " are usable" + (whyShort == null ? "" : " (" + whyShort + ")")
                        + "; send more history" + (hint == null || hint.isEmpty() ? "" : " or " + hint));
        this.needed = needed;
        this.available = available;
        this.whyShort = whyShort;
        this.readyAt = readyAt;
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

    /**
     * The earliest time of a newest reading at which the same request, its history continued with
     * newer readings, could succeed; null when the plugin cannot say. Before it, newer readings
     * cannot add the intervals that are missing (each interval after the newest reading lengthens
     * the newest usable stretch by at most one), so a host that offers the sensor for training at
     * each reading need not before a reading this new arrives. Older readings filling a pause, or
     * other options, may make the request succeed sooner.
     *
     * @since SPI 2.9
     */
    public Instant readyAt() {
        return readyAt;
    }
}
