package io.prognos.api;

/** No model exists for the sensor (never trained, or deleted). A REST host answers 404. */
public class UnknownSensorException extends BadRequestException {
    private static final long serialVersionUID = 1L;

    private final SensorId sensor;

    public UnknownSensorException(SensorId sensor) {
        super("sensor_key", "no model for sensor " + sensor + "; train it first");
        this.sensor = sensor;
    }

    /** Unknown for another reason, for example no readings at all. */
    public UnknownSensorException(SensorId sensor, String message) {
        super("sensor_key", message);
        this.sensor = sensor;
    }

    public SensorId sensor() {
        return sensor;
    }
}
