package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.prognos.api.SensorId;

/**
 * A request to close a sensor's open alert over MQTT ({@code requests/close-alert}), as REST's
 * {@code DELETE alerts/{device_id}/{sensor_key}?note=} asks it: the sensor and, optionally, why (the
 * close checks the note, as it checks REST's, before anything is closed).
 */
public record CloseAlertRequestMessage(SensorId sensor, String note) {

    @JsonCreator
    public static CloseAlertRequestMessage of(
            @JsonProperty("device_id") String deviceId,
            @JsonProperty("sensor_key") String sensorKey,
            @JsonProperty("note") String note) {
        return new CloseAlertRequestMessage(Requests.sensor(deviceId, sensorKey), note);
    }
}
