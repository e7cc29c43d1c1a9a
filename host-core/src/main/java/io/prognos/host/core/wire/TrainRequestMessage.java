package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.prognos.api.BadRequestException;
import io.prognos.api.SensorId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A train request (REST body, MQTT request): the sensor, and any other field as a training option
 * for the plugin ({@code epochs}, {@code sequence_length}, ...), which the plugin validates by its
 * own declaration: an unknown or out-of-range option is refused naming it.
 */
public final class TrainRequestMessage {

    private final SensorId sensor;
    private final Map<String, String> options = new LinkedHashMap<>();

    @JsonCreator
    public TrainRequestMessage(
            @JsonProperty("device_id") String deviceId, @JsonProperty("sensor_key") String sensorKey) {
        this.sensor = Requests.sensor(deviceId, sensorKey);
    }

    @JsonAnySetter
    void option(String name, JsonNode value) {
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isValueNode()) {
            throw new BadRequestException(name, name + " must be a number or text, got " + value);
        }
        options.put(name, value.asText());
    }

    public SensorId sensor() {
        return sensor;
    }

    public Map<String, String> options() {
        return Collections.unmodifiableMap(options);
    }
}
