package io.prognos.kafka;

import io.prognos.api.BadRequestException;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.BadPayloadException;

/**
 * Record keys to sensors and back: {@code device<separator>sensor}, split at the first separator
 * (a device id never holds one; a sensor key may). The same key on results keeps a sensor's
 * results in the partition of its readings.
 */
final class SensorKeys {

    private final String separator;

    SensorKeys(String separator) {
        this.separator = separator;
    }

    SensorId parse(String key) throws BadPayloadException {
        if (key == null) {
            throw new BadPayloadException(
                    "bad_key", "a reading needs a key device" + separator + "sensor; it had none");
        }
        int at = key.indexOf(separator);
        if (at < 0) {
            throw new BadPayloadException(
                    "bad_key", "key '" + key + "' is not device" + separator + "sensor: no '" + separator + "'");
        }
        try {
            return SensorId.of(key.substring(0, at), key.substring(at + separator.length()));
        } catch (BadRequestException e) {
            throw new BadPayloadException("bad_key", "key '" + key + "': " + e.getMessage());
        }
    }

    /**
     * The device a device-readings record's key names: the key whole. It may not hold the
     * separator: its sensors' results are keyed {@code device<separator>sensor}, which would then
     * split elsewhere.
     */
    String device(String key) throws BadPayloadException {
        if (key == null) {
            throw new BadPayloadException("bad_key", "a device's readings need the device id as key; it had none");
        }
        if (key.contains(separator)) {
            throw new BadPayloadException(
                    "bad_key",
                    "key '" + key + "' of a device's readings holds '" + separator + "'; a device id does not (one"
                            + " sensor's readings go to the readings topic, key device" + separator + "sensor)");
        }
        return key;
    }

    String format(SensorId sensor) {
        return sensor.deviceId() + separator + sensor.sensorKey();
    }
}
