package io.prognos.host.runtime;

import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigDef.Type;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.api.OperatingLimits;
import io.prognos.api.SensorId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The reference host's own keys ({@code prognos.*}); adapters and plugins declare theirs. */
public final class HostConfig {

    /** {@code prognos.threads} as a number of jobs: 0 stands for half the cores, at least one. */
    public static int trainingJobs(ConfigDef.Config host) {
        int configured = host.getInt("prognos.threads");
        return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(
                    "prognos.threads",
                    Type.INT,
                    "0",
                    0,
                    1024,
                    "concurrent training jobs; each uses one native thread (0: half the cores, at least 1)")
            .define("prognos.plugin", Type.STRING, "lstm", "id of the forecasting plugin to run")
            .define(
                    "prognos.plugins-dir",
                    Type.STRING,
                    "plugins",
                    "directory of plugin jars (or of folders of jars), each loaded in its own class loader")
            .define(
                    "prognos.data-dir",
                    Type.STRING,
                    "prognos-data",
                    "where the embedded PostgreSQL and the embedded broker keep their data across restarts")
            .define("prognos.http.port", Type.INT, "5002", 0, 65535, "REST API port (0 picks a free one)")
            .define("prognos.http.bind", Type.STRING, "127.0.0.1", "address the REST API listens on (0.0.0.0 for all)")
            .defineSecret(
                    "prognos.api-token",
                    "when set, every REST call except /health needs the header 'Authorization: Bearer <token>'")
            .define("prognos.mqtt.enabled", Type.BOOLEAN, "true", "run the MQTT adapter")
            .define(
                    "prognos.db-port",
                    Type.INT,
                    "0",
                    0,
                    65535,
                    "port of the embedded PostgreSQL on localhost, started when jdbc.url is not set (0 picks a free"
                            + " one); fix it when other hosts share this database")
            .define(
                    "prognos.mqtt.port",
                    Type.INT,
                    "1883",
                    0,
                    65535,
                    "port of the embedded broker on localhost, started when mqtt.url is not set (0 picks a free one)")
            .defineChoice(
                    "prognos.mqtt.persistence",
                    "memory",
                    "where the embedded broker keeps sessions and queued messages: memory (5,000 readings/s"
                            + " here; a killed host loses what the broker had taken but Prognos had not stored) or"
                            + " file (kept in <data-dir>/hivemq across a kill and a restart; 2,750 readings/s here)",
                    "memory",
                    "file")
            .define(
                    "prognos.mqtt.username",
                    Type.STRING,
                    "device",
                    "user name device clients give the embedded broker; they may publish readings and requests"
                            + " and subscribe to anything, and only Prognos publishes its results")
            .defineSecret(
                    "prognos.mqtt.password",
                    "their password; unset: generated at the first start, kept in <data-dir>/mqtt-device.password"
                            + " (mode 0600) and printed by serve")
            .define(
                    "prognos.store-readings",
                    Type.BOOLEAN,
                    "true",
                    "write readings that arrive over MQTT, REST or Kafka into the sensor_readings table, where training reads them")
            .define(
                    "prognos.history",
                    Type.DURATION,
                    "30d",
                    60,
                    3650 * 86400.0,
                    "how far back a training reads readings; a sensor with some but fewer than a training needs in it"
                            + " (one that reports daily) is trained on its newest cycle.buffer-size readings")
            .define(
                    "prognos.readings-retention",
                    Type.DURATION,
                    null,
                    86_400,
                    10 * 366 * 86_400,
                    "how long the readings the host stores (sensor_readings) are kept, by their timestamps; older"
                            + " ones are deleted at start and hourly, but each sensor's newest cycle.buffer-size"
                            + " readings. At least prognos.history and prognos.forecast-lookback. Unset: kept for ever")
            .define(
                    "prognos.forecast-lookback",
                    Type.DURATION,
                    "7d",
                    60,
                    3650 * 86400.0,
                    "how far back a forecast reads readings; a sensor with some but fewer than a training needs in"
                            + " it (one that reports daily) reads its newest cycle.buffer-size readings, and one whose"
                            + " model looks back further (its context_intervals) reads that far")
            .define(
                    "prognos.poll-every",
                    Type.DURATION,
                    "0s",
                    0,
                    86400,
                    "read new readings from the database (jdbc.readings-query) this often and forecast, score and"
                            + " alert on them, for readings that reach PostgreSQL another way than MQTT, REST or"
                            + " Kafka (ThingsBoard, a historian); at least 1s, 0: never")
            .define(
                    "prognos.limits",
                    Type.STRING,
                    "",
                    "operating limits per sensor, ';'-separated:"
                            + " device/sensor=LOW:HIGH or device/sensor=LOW:WARN_LOW:WARN_HIGH:HIGH (leave a part empty for none)")
            .define(
                    "prognos.shutdown-timeout",
                    Type.DURATION,
                    "30s",
                    0,
                    3600,
                    "on SIGTERM, how long in-flight training may finish before it is abandoned");

    private HostConfig() {}

    /** Parses {@code prognos.limits}; a bad entry names the key and the entry. */
    public static Function<SensorId, OperatingLimits> limits(String spec) {
        Map<SensorId, OperatingLimits> bySensor = new HashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String entry : spec.split(";")) {
                if (entry.isBlank()) {
                    continue;
                }
                try {
                    String[] kv = entry.split("=", 2);
                    String[] id = kv[0].trim().split("/", 2);
                    String[] parts = kv[1].split(":", -1);
                    OperatingLimits l = switch (parts.length) {
                        case 2 -> new OperatingLimits(number(parts[0]), null, null, number(parts[1]));
                        case 4 ->
                            new OperatingLimits(number(parts[0]), number(parts[1]), number(parts[2]), number(parts[3]));
                        default -> throw new IllegalArgumentException("give 2 or 4 ':'-separated limits");
                    };
                    bySensor.put(SensorId.of(id[0], id[1]), l);
                } catch (RuntimeException e) {
                    throw new InvalidConfigurationException(
                            "the host",
                            List.of(new ConfigProblem(
                                    "prognos.limits",
                                    "entry '" + entry.trim() + "' is not device/sensor=LOW:HIGH or"
                                            + " device/sensor=LOW:WARN_LOW:WARN_HIGH:HIGH: " + e.getMessage())));
                }
            }
        }
        return sensor -> bySensor.getOrDefault(sensor, OperatingLimits.none());
    }

    /** The keys that start with {@code prefix}. */
    public static Map<String, String> withPrefix(Map<String, String> values, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Keys that belong to none of the {@code prefixes}: most likely typos. */
    public static List<ConfigProblem> unclaimed(Map<String, String> values, Collection<String> prefixes) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String k : values.keySet()) {
            if (prefixes.stream().noneMatch(k::startsWith)) {
                problems.add(new ConfigProblem(k, "unknown key; keys start with one of " + prefixes));
            }
        }
        return problems;
    }

    private static Double number(String s) {
        return s.isBlank() ? null : Double.valueOf(s.trim());
    }
}
