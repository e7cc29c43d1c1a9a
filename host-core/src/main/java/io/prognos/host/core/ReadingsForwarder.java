package io.prognos.host.core;

import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import java.util.List;
import java.util.Map;

/**
 * Where a host sends the readings it was handed (over MQTT or REST) when its sensors are scored
 * elsewhere, instead of into its own cycle: on a host that shares its sensors over Kafka, the task
 * that owns a sensor's partition scores it, on this host or another, and a second state of the
 * sensor in the host's own cycle would each see only some of its readings.
 */
public interface ReadingsForwarder {

    /**
     * Refuses a device whose readings cannot be forwarded under its id.
     *
     * @throws io.prognos.api.BadRequestException naming {@code device_id}
     */
    void checkDevice(String deviceId);

    /**
     * Forwards each sensor's readings; they are durable where they went when this returns.
     *
     * @throws io.prognos.api.RetryLaterException when they are not (sending them again is
     *     harmless: a reading already used is not used twice)
     */
    void forward(Map<SensorId, List<Reading>> bySensor);

    /** Where readings go, for answers and logs. */
    String destination();
}
