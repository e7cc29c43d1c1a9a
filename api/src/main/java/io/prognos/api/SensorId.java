package io.prognos.api;

/**
 * Identifies one sensor: the device it sits on and the key of the quantity it measures.
 * The pair is the unit Prognos trains, forecasts and stores models for.
 */
public record SensorId(String deviceId, String sensorKey) implements Comparable<SensorId> {

    public SensorId {
        requireText("device_id", deviceId);
        requireText("sensor_key", sensorKey);
    }

    public static SensorId of(String deviceId, String sensorKey) {
        return new SensorId(deviceId, sensorKey);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new BadRequestException(field, field + " is required and must not be blank");
        }
        if (value.length() > 256) {
            throw new BadRequestException(field, field + " is longer than 256 characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new BadRequestException(field, field + " contains a control character at index " + i);
            }
        }
    }

    @Override
    public int compareTo(SensorId o) {
        int c = deviceId.compareTo(o.deviceId);
        return c != 0 ? c : sensorKey.compareTo(o.sensorKey);
    }

    @Override
    public String toString() {
        return deviceId + "/" + sensorKey;
    }
}
