package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.prognos.api.SensorId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A train request (REST body, MQTT request): the sensor, {@code keep_options} (train with the
 * options the sensor's model was trained with, those given here over them), and any other field as a
 * training option for the plugin ({@code epochs}, {@code sequence_length}, ...), which the plugin
 * validates by its own declaration: an unknown or out-of-range option is refused naming it.
 */
public final class TrainRequestMessage {

    private final SensorId sensor;
    private final boolean keepOptions;
    private final Map<String, String> options = new LinkedHashMap<>();

    @JsonCreator
    public TrainRequestMessage(
            @JsonProperty("device_id") String deviceId,
            @JsonProperty("sensor_key") String sensorKey,
            @JsonProperty("keep_options") Boolean keepOptions) {
        this.sensor = Requests.sensor(deviceId, sensorKey);
        this.keepOptions = Boolean.TRUE.equals(keepOptions);
    }

    @JsonAnySetter
    void option(String name, JsonNode value) {
        if (value == null || value.isNull()) {
            return;
        }
        // An array or object goes on as its JSON text: the plugin's declaration then says what is
        // wrong with it, "unknown key" for a field it does not know (not "must be a number" for a
        // field that is no option at all), "must be an integer, got '[1]'" for one it knows.
        options.put(name, value.isValueNode() ? value.asText() : value.toString());
    }

    public SensorId sensor() {
        return sensor;
    }

    /** Whether the options the sensor's model was trained with are repeated (see {@code RetrainOptions}). */
    public boolean keepOptions() {
        return keepOptions;
    }

    /** The options given in the request itself. */
    public Map<String, String> options() {
        return Collections.unmodifiableMap(options);
    }
}
