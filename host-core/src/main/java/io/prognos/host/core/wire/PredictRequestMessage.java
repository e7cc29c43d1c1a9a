package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.prognos.api.BadRequestException;
import io.prognos.api.OperatingLimits;
import io.prognos.api.SensorId;

/** A predict request: the sensor and, optionally, operating limits for this assessment only. */
public record PredictRequestMessage(SensorId sensor, OperatingLimits limits) {

    /** Limits as the wire has them. */
    public record Limits(Double low, Double warningLow, Double warningHigh, Double high) {
        public static Limits of(OperatingLimits l) {
            return new Limits(l.low(), l.warningLow(), l.warningHigh(), l.high());
        }

        /** The limits, checked: a bad one is refused naming its field. */
        public OperatingLimits toLimits() {
            return new OperatingLimits(low, warningLow, warningHigh, high);
        }
    }

    @JsonCreator
    public static PredictRequestMessage of(
            @JsonProperty("device_id") String deviceId,
            @JsonProperty("sensor_key") String sensorKey,
            @JsonProperty("limits") Limits limits) {
        SensorId sensor = Requests.sensor(deviceId, sensorKey);
        if (limits == null) {
            return new PredictRequestMessage(sensor, null);
        }
        try {
            return new PredictRequestMessage(sensor, limits.toLimits());
        } catch (BadRequestException e) {
            // Named by its path in the request, as a limit of the wrong type or an unknown one is.
            throw new BadRequestException("limits." + e.field(), e.getMessage(), e);
        }
    }
}
