package io.prognos.mqtt;

import io.prognos.api.BadRequestException;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.BadPayloadException;

/**
 * The topic contract, under a configurable prefix (default {@code prognos}):
 * readings in at {@code {prefix}/readings/{deviceId}/{sensorKey}}, or several sensors of a device in
 * one payload at {@code {prefix}/readings/{deviceId}}; forecast, risk and alerts out at
 * {@code {prefix}/forecast|risk|alerts|anomaly/{deviceId}/{sensorKey}}; the schedule at
 * {@code {prefix}/maintenance/schedule}; status at {@code {prefix}/status}; errors at
 * {@code {prefix}/errors}; requests at {@code {prefix}/requests/train|forecast} and the host's own
 * kinds ({@link HostRequest}).
 */
record Topics(String prefix) {

    Topics {
        if (prefix == null
                || prefix.isBlank()
                || prefix.contains("+")
                || prefix.contains("#")
                || prefix.startsWith("$")
                || prefix.endsWith("/")) {
            throw new BadRequestException(
                    "mqtt.prefix",
                    "the topic prefix must be non-empty, without wildcards, "
                            + "not start with $ and not end with /, got '" + prefix + "'");
        }
    }

    /**
     * One filter for a sensor's topics and a device's: a group holds one shared subscription, and
     * deeper topics arrive too, to be refused as {@code bad_topic} rather than never heard of. (Two
     * filters were first suspected of the readings HiveMQ CE 2024.6 lost in a shared group; it lost
     * them with one too, 4 of 60 busy runs, a broker fault mended in 2025.2.)
     */
    String readingsFilter() {
        return prefix + "/readings/#";
    }

    /** The readings' filter of releases before the device topic: a kept session drops it. */
    String earlierReadingsFilter() {
        return prefix + "/readings/+/+";
    }

    String status() {
        return prefix + "/status";
    }

    String errors() {
        return prefix + "/errors";
    }

    String schedule() {
        return prefix + "/maintenance/schedule";
    }

    String requests() {
        return prefix + "/requests/+";
    }

    /** Where request replies may go: under {@code {prefix}/replies/}, so a request cannot aim one at a result topic. */
    String replies() {
        return prefix + "/replies/";
    }

    boolean isReplyTopic(String topic) {
        return topic.startsWith(replies())
                && topic.length() > replies().length()
                && !topic.contains("+")
                && !topic.contains("#");
    }

    String forecast(SensorId s) {
        return prefix + "/forecast/" + level(s.deviceId()) + "/" + level(s.sensorKey());
    }

    String risk(SensorId s) {
        return prefix + "/risk/" + level(s.deviceId()) + "/" + level(s.sensorKey());
    }

    String anomaly(SensorId s) {
        return prefix + "/anomaly/" + level(s.deviceId()) + "/" + level(s.sensorKey());
    }

    String alerts(SensorId s) {
        return prefix + "/alerts/" + level(s.deviceId()) + "/" + level(s.sensorKey());
    }

    /**
     * What a readings topic is about: a device, and the sensor when it names one (null: the
     * payload names its sensors); or why it is not a readings topic.
     */
    record ReadingsTopic(String deviceId, String sensorKey) {

        /** The sensor this topic names; {@link io.prognos.api.BadRequestException} when an id is not one a sensor may have. */
        SensorId sensor() {
            return SensorId.of(deviceId, sensorKey);
        }
    }

    ReadingsTopic readingsTopic(String topic) throws BadPayloadException {
        String[] parts = topic.split("/", -1);
        String[] pre = prefix.split("/", -1);
        if (parts.length < pre.length + 2 || parts.length > pre.length + 3 || !parts[pre.length].equals("readings")) {
            throw new BadPayloadException(
                    "bad_topic",
                    "expected " + prefix + "/readings/{deviceId}/{sensorKey} or " + prefix + "/readings/{deviceId}");
        }
        String device = parts[pre.length + 1];
        String key = parts.length == pre.length + 3 ? parts[pre.length + 2] : null;
        if (device.isEmpty() || (key != null && key.isEmpty())) {
            throw new BadPayloadException("bad_topic", "device id and sensor key must not be empty");
        }
        return new ReadingsTopic(id(device), key == null ? null : id(key));
    }

    /**
     * A topic level for an id. '/', '+' and '#' would change a topic's meaning, so they are written
     * {@code %2F}, {@code %2B} and {@code %23}, and '%' itself {@code %25} (JDBC's sensors and
     * Kafka's keys may hold them: "line-1/press-3"; before, such a sensor's results were not
     * published over MQTT at all). {@link #id} reads a level back; any other '%' stays as it is.
     */
    static String level(String id) {
        StringBuilder b = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            String escape = switch (c) {
                case '%' -> "%25";
                case '/' -> "%2F";
                case '+' -> "%2B";
                case '#' -> "%23";
                default -> null;
            };
            if (escape != null && b == null) {
                b = new StringBuilder(id.length() + 8).append(id, 0, i);
            }
            if (b != null) {
                if (escape != null) {
                    b.append(escape);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? id : b.toString();
    }

    /** The id a topic level stands for: {@link #level} undone, in one pass ("%252F" is "%2F"). */
    static String id(String level) {
        if (level.indexOf('%') < 0) {
            return level;
        }
        StringBuilder b = new StringBuilder(level.length());
        for (int i = 0; i < level.length(); i++) {
            char c = level.charAt(i);
            char decoded = c == '%' && i + 2 < level.length() ? unescape(level.charAt(i + 1), level.charAt(i + 2)) : 0;
            if (decoded != 0) {
                b.append(decoded);
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static char unescape(char hi, char lo) {
        if (hi != '2') {
            return 0;
        }
        return switch (Character.toUpperCase(lo)) {
            case '5' -> '%';
            case 'F' -> '/';
            case 'B' -> '+';
            case '3' -> '#';
            default -> 0;
        };
    }
}
