package io.prognos.api;

/** Too little usable history to train or forecast; says how much is needed and how much there is. */
public class InsufficientHistoryException extends BadRequestException {

    private final int needed;
    private final int available;

    public InsufficientHistoryException(SensorId sensor, int needed, int available, String what) {
        super("history", sensor + ": " + what + " needs at least " + needed + " consecutive points at the sensor's"
                + " interval but only " + available + " are usable; send more history or lower "
                + "sequence_length / forecast_horizon");
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
